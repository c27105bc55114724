"""Check-worthiness: how much a sentence looks like a claim someone should verify.

`get_scorer()` returns the scorer named by settings.CHECKWORTHINESS_SCORER. Anything with a
`score(sentences) -> list[Score]` method fits, so a trained model (ClaimBuster-style) can
replace the heuristic without touching the import pipeline; one whose `score` also takes a
`language` keyword is told the article's language (ISO 639-1, "" when unknown).

The heuristic (in English and Spanish) rewards what fact-checkers look for first: concrete figures (money,
percentages, counts), statements attributed to someone, comparisons and changes, and
allegations against named people or organisations. Each matched feature is reported as a
reason so the score can be explained in the interface.

It tokenises each sentence once and answers most questions with set lookups: a regex per
feature was four times slower on a 1 MB import, where this runs for every sentence.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True, slots=True)
class Score:
    value: int  # 0-100
    reasons: tuple[str, ...] = field(default=())


class CheckworthinessScorer(Protocol):
    def score(self, sentences: Sequence[str]) -> list[Score]: ...


def score_sentences(
    scorer: CheckworthinessScorer, sentences: Sequence[str], language: str
) -> list[Score]:
    """`scorer.score(sentences)`, telling it the text's language when it takes a
    `language` keyword (the heuristic does; a model trained on one language need not)."""
    if _takes_language(type(scorer)):
        return scorer.score(sentences, language=language)  # type: ignore[call-arg]
    return scorer.score(sentences)


@lru_cache(maxsize=8)
def _takes_language(kind: type[CheckworthinessScorer]) -> bool:
    try:
        return "language" in inspect.signature(kind.score).parameters
    except (TypeError, ValueError):
        return False


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The words one language marks its figures, dates, attributions and allegations with."""

    months: frozenset[str]
    day_words: frozenset[str]
    year_prepositions: frozenset[str]
    currency_words: frozenset[str]
    scale_words: frozenset[str]
    vague_quantities: frozenset[str]
    attribution: frozenset[str]
    attribution_phrases: tuple[str, ...]
    comparatives: frozenset[str]
    wrongdoing_stems: tuple[str, ...]
    involvement_phrases: tuple[str, ...]
    person_titles: frozenset[str]
    change_phrases: tuple[str, ...]
    opinion_phrases: tuple[str, ...]
    opinion_words: frozenset[str]
    connectors: frozenset[str]
    percent_words: frozenset[str]
    percent_phrases: tuple[str, ...]
    vague_phrases: tuple[str, ...]
    # Number words that make a figure when a scale or "por ciento" follows ("dos millones").
    number_words: frozenset[str] = frozenset()
    # Spanish writes titles in lower case: "el diputado Jorge Salas".
    lowercase_titles: bool = False
    # "14 de noviembre": the month comes after a linking word.
    date_links: frozenset[str] = frozenset()


ENGLISH = Lexicon(
    months=_words(
        "january february march april may june july august september october november "
        "december jan feb mar apr jun jul aug sep sept oct nov dec"
    ),
    day_words=_words("monday tuesday wednesday thursday friday saturday sunday yesterday"),
    year_prepositions=_words("in since by until from of before after during"),
    currency_words=_words("dollars euros pounds rubles roubles lira yuan usd eur gbp"),
    scale_words=_words("million millions billion billions trillion trillions thousand hundred"),
    vague_quantities=_words(
        "thousands millions billions hundreds dozens majority half double triple"
    ),
    attribution=_words(
        "said says say told stated claimed claims announced alleged insisted denied denies "
        "reported estimated confirmed revealed warned accused"
    ),
    attribution_phrases=("according to",),
    comparatives=_words(
        "more less fewer most least largest biggest highest lowest smallest record increase "
        "increased increases decrease decreased decreases rose fell risen fallen doubled halved "
        "reduced reduce cut grew dropped surged plunged"
    ),
    wrongdoing_stems=(
        "illegal",
        "illicit",
        "smuggl",
        "corrupt",
        "brib",
        "fraud",
        "launder",
        "steal",
        "stole",
        "theft",
        "embezzl",
        "crim",
        "guilty",
        "complicit",
        "conspir",
        "terroris",
    ),  # fmt: skip
    involvement_phrases=("involved in",),
    person_titles=_words(
        "president minister chancellor senator governor mayor general lieutenant-general "
        "colonel admiral ambassador secretary dr mr mrs ms ceo chairman chair spokesman "
        "spokeswoman spokesperson councillor"
    ),
    change_phrases=("down from", "up from", "compared with", "compared to"),
    opinion_phrases=("i think", "i believe", "we believe", "in my opinion"),
    opinion_words=_words("should must"),
    connectors=_words("of the de al bin van von"),
    percent_words=_words("percent percentage"),
    percent_phrases=("per cent",),
    vague_phrases=("large quantities",),
)

SPANISH = Lexicon(
    months=_words(
        "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre "
        "noviembre diciembre"
    ),
    day_words=_words("lunes martes miércoles jueves viernes sábado domingo ayer anteayer"),
    year_prepositions=_words("en desde hasta de del antes después durante"),
    currency_words=_words("dólares euros pesos libras yenes soles bolívares reales rublos"),
    scale_words=_words("mil millón millones millardo millardos billón billones centenar"),
    vague_quantities=_words("miles cientos centenares decenas mayoría mitad doble triple"),
    attribution=_words(
        "según dijo dice dicen afirmó afirma afirman aseguró asegura declaró señaló "
        "indicó explicó añadió agregó sostuvo sostiene sostienen advirtió denunció acusó acusa "
        "negó niega reconoció confirmó informó anunció estimó estima calculó calcula admitió "
        "reveló insistió subrayó apuntó manifestó"
    ),
    attribution_phrases=("de acuerdo con",),
    comparatives=_words(
        "más menos mayor mayores menor menores máximo mínimo récord aumento aumentó aumentaron "
        "subió subieron bajó bajaron cayó cayeron creció crecieron disminuyó disminuyeron "
        "redujo redujeron reducido duplicó duplicaron triplicó inferior inferiores superior "
        "superiores"
    ),
    wrongdoing_stems=(
        "ilegal",
        "ilícit",
        "contraband",
        "corrup",
        "soborn",
        "fraud",
        "blanque",
        "robo",
        "robó",
        "malvers",
        "delit",
        "delict",
        "culpable",
        "cómplice",
        "conspir",
        "terroris",
        "ocult",
        "desvi",
    ),  # fmt: skip
    involvement_phrases=("implicado en", "implicada en", "implicados en", "implicadas en"),
    person_titles=_words(
        "presidente presidenta ministro ministra consejero consejera alcalde alcaldesa senador "
        "senadora diputado diputada gobernador gobernadora general director directora portavoz "
        "secretario secretaria embajador embajadora dr dra sr sra concejal concejala jefe jefa"
    ),
    change_phrases=("frente a", "en comparación con", "respecto a", "respecto al", "pasó de"),
    opinion_phrases=("creo que", "creemos que", "pienso que", "en mi opinión"),
    opinion_words=_words("debería deberían deberíamos"),
    connectors=_words("de del la las los y"),
    percent_words=_words("porcentaje"),
    percent_phrases=("por ciento",),
    vague_phrases=("grandes cantidades",),
    number_words=_words(
        "dos tres cuatro cinco seis siete ocho nueve diez once doce quince veinte treinta "
        "cuarenta cincuenta sesenta setenta ochenta noventa cien ciento doscientos "
        "trescientos cuatrocientos quinientos"
    ),
    lowercase_titles=True,
    date_links=_words("de"),
)

LEXICONS = {"en": ENGLISH, "es": SPANISH}


def lexicon(language: str) -> Lexicon:
    """The words of `language` (ISO 639-1). A text whose language is unknown (too short to
    tell) or has no lexicon here is read as the desk's own language, else as English:
    mixing lexicons would misread words that both languages spell alike ("mayor", "dice")."""
    found = LEXICONS.get(language) or LEXICONS.get(settings.LANGUAGE_CODE.split("-")[0])
    return found or ENGLISH


_TOKEN = re.compile(r"[$€£¥]?\d[\d,.]*%?|[\w'’-]+")
_CURRENCY_SYMBOLS = frozenset("$€£¥")


class HeuristicScorer:
    """Feature weights chosen so that a single concrete figure outweighs any amount of
    vague talk, and an allegation against a named person ranks with the figures. The words
    that mark each feature come from the text's language (`Lexicon`)."""

    def score(self, sentences: Sequence[str], *, language: str = "") -> list[Score]:
        words = lexicon(language)
        return [self._score_one(sentence, words) for sentence in sentences]

    def _score_one(self, sentence: str, words: Lexicon) -> Score:
        tokens = _TOKEN.findall(sentence)
        lower = [token.lower() for token in tokens]
        lowered_sentence = sentence.lower()
        vocabulary = set(lower)
        points = 0
        reasons: list[str] = []

        def add(amount: int, reason: str) -> None:
            nonlocal points
            points += amount
            reasons.append(reason)

        figures, dates = self._numbers(lower, words)
        if figures:
            add(35 + min(20, 5 * (figures - 1)), "figures")
        has_currency_symbol = not _CURRENCY_SYMBOLS.isdisjoint(sentence)
        if (has_currency_symbol and figures) or (
            figures and not words.currency_words.isdisjoint(vocabulary)
        ):
            add(20, "money")
        if (
            "%" in sentence
            or not words.percent_words.isdisjoint(vocabulary)
            or any(phrase in lowered_sentence for phrase in words.percent_phrases)
        ):
            add(15, "percentage")
        if not figures and not words.scale_words.isdisjoint(vocabulary):
            add(10, "quantity")
        elif not words.vague_quantities.isdisjoint(vocabulary) or any(
            phrase in lowered_sentence for phrase in words.vague_phrases
        ):
            add(5, "vague quantity")
        if dates or not words.day_words.isdisjoint(vocabulary):
            add(8, "date")
        if not words.attribution.isdisjoint(vocabulary) or any(
            phrase in lowered_sentence for phrase in words.attribution_phrases
        ):
            add(12, "attribution")
        if (
            not words.comparatives.isdisjoint(vocabulary)
            or self._er_than(lower)
            or any(phrase in lowered_sentence for phrase in words.change_phrases)
        ):
            add(8, "comparison")
        named_person = self._titled_name(tokens, lower, words)
        if named_person:
            add(12, "named person")
        entities = self._entity_count(tokens, words)
        if entities:
            add(min(15, 5 * entities), "names")
        if any(word.startswith(words.wrongdoing_stems) for word in vocabulary) or any(
            phrase in lowered_sentence for phrase in words.involvement_phrases
        ):
            # An allegation aimed at a named person is the classic high-stakes claim.
            add(25 if named_person else 10, "allegation")
        if len(tokens) < 6:
            points -= 15
        if sentence.rstrip().endswith("?"):
            points -= 10
        if not words.opinion_words.isdisjoint(vocabulary) or any(
            p in lowered_sentence for p in words.opinion_phrases
        ):
            points -= 10
        return Score(max(0, min(100, points)), tuple(reasons))

    @staticmethod
    def _numbers(lower: list[str], words: Lexicon) -> tuple[int, int]:
        """(figures, dates): numbers next to a month ("4 March", "14 de noviembre"), or a
        year after 'in'/'since'/'desde', are dates. A number word makes a figure when a
        scale or a percentage follows it ("dos millones", "cuarenta por ciento")."""
        figures = dates = 0
        count = len(lower)
        for position, token in enumerate(lower):
            after = lower[position + 1] if position + 1 < count else ""
            digits = token.lstrip("$€£¥").rstrip(".,")
            if not digits[:1].isdigit():
                if token in words.number_words and (
                    after in words.scale_words
                    or after in words.percent_words
                    or (after == "por" and position + 2 < count and lower[position + 2] == "ciento")
                ):
                    figures += 1
                continue
            before = lower[position - 1] if position else ""
            is_year = (
                len(digits) == 4
                and digits[:2] in {"19", "20"}
                and before in words.year_prepositions
            )
            month_after = after in words.months or (
                after in words.date_links
                and position + 2 < count
                and lower[position + 2] in words.months
            )
            if before in words.months or month_after or is_year:
                dates += 1
            else:
                figures += 1
        return figures, dates

    @staticmethod
    def _er_than(lower: list[str]) -> bool:
        return any(
            word == "than" and position and lower[position - 1].endswith("er")
            for position, word in enumerate(lower)
        )

    @staticmethod
    def _titled_name(tokens: list[str], lower: list[str], words: Lexicon) -> bool:
        """A title followed by a capitalised name: 'President Recep Tayyip Erdoğan', and in
        Spanish, where titles take no capital, 'el diputado Jorge Salas'."""
        for position, word in enumerate(lower[:-1]):
            is_title = word.startswith("spokes") or (
                word in words.person_titles
                and (words.lowercase_titles or tokens[position][:1].isupper())
            )
            if is_title and tokens[position + 1][:1].isupper():
                return True
        return False

    @staticmethod
    def _entity_count(tokens: list[str], words: Lexicon) -> int:
        """Runs of capitalised words; a lone capitalised first word is just the sentence start."""
        count = 0
        run = 0
        run_started_at_zero = False
        for position, token in enumerate(tokens):
            if token[:1].isupper():
                if run == 0:
                    run_started_at_zero = position == 0
                run += 1
            elif (
                run
                and token.lower() in words.connectors
                and position + 1 < len(tokens)
                and tokens[position + 1][:1].isupper()
            ):
                continue
            else:
                if run and not (run_started_at_zero and run == 1):
                    count += 1
                run = 0
        if run and not (run_started_at_zero and run == 1):
            count += 1
        return count


@lru_cache(maxsize=4)
def _load(path: str) -> CheckworthinessScorer:
    return import_string(path)()  # type: ignore[no-any-return]


def get_scorer() -> CheckworthinessScorer:
    return _load(settings.CHECKWORTHINESS_SCORER)
