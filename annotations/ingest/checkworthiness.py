"""Check-worthiness: how much a sentence looks like a claim someone should verify.

`get_scorer()` returns the scorer named by settings.CHECKWORTHINESS_SCORER. Anything with a
`score(sentences) -> list[Score]` method fits, so a trained model (ClaimBuster-style) can
replace the heuristic without touching the import pipeline.

The heuristic rewards what fact-checkers look for first: concrete figures (money,
percentages, counts), statements attributed to someone, comparisons and changes, and
allegations against named people or organisations. Each matched feature is reported as a
reason so the score can be explained in the interface.
"""

from __future__ import annotations

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


_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})(?:\s+\d{{4}})?"
    rf"|(?:in|since|by|until|from|of)\s+(?:19|20)\d\d"
    rf"|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|yesterday|last\s+(?:week|month|year))"
    rf"|\d{{4}}-\d\d-\d\d)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,.]*\d?(?:\s?(?:%|percent|per\s?cent))?")
_MONEY = re.compile(
    r"[$€£¥]\s?\d|\b\d[\d,.]*\s?(?:dollars|euros|pounds|rubles|roubles|lira|yuan)\b"
    r"|\b(?:USD|EUR|GBP)\s?\d",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"\d\s?%|\b(?:percent|per\s?cent|percentage)\b", re.IGNORECASE)
_SCALE = re.compile(r"\b(?:million|billion|trillion|thousand|hundred)s?\b", re.IGNORECASE)
_VAGUE_QUANTITY = re.compile(
    r"\b(?:thousands|millions|billions|hundreds|dozens|tens of|majority|half|double|triple"
    r"|large quantities)\b",
    re.IGNORECASE,
)
_ATTRIBUTION = re.compile(
    r"\b(?:said|says|say|told|stated|claimed|claims|announced|according to|alleged|insisted"
    r"|denied|denies|reported|estimated|confirmed|revealed|warned|accused)\b",
    re.IGNORECASE,
)
_COMPARATIVE = re.compile(
    r"\b(?:more|less|fewer|most|least|largest|biggest|highest|lowest|smallest|record"
    r"|increase[sd]?|decrease[sd]?|rose|fell|risen|fallen|doubled|halved|reduced|reduce|cut"
    r"|grew|dropped|surged|plunged|\w+er than)\b",
    re.IGNORECASE,
)
_WRONGDOING = re.compile(
    r"\b(?:illegal\w*|illicit|smuggl\w+|corrupt\w*|brib\w+|fraud\w*|launder\w*|steal\w*"
    r"|stole|theft|embezzl\w+|crim\w+|guilty|involved in|complicit|conspir\w+|terroris[tm]s?)\b",
    re.IGNORECASE,
)
_TITLE_NAME = re.compile(
    r"\b(?:President|Prime Minister|Minister|Chancellor|Senator|Governor|Mayor|General"
    r"|Lieutenant-General|Colonel|Admiral|Ambassador|Secretary|Dr|Mr|Mrs|Ms|CEO|Chairman"
    r"|spokesman|spokeswoman|spokesperson)\.?\s+(?:[A-Z][\w'’-]+\s?){1,4}"
)
# A run of capitalised words; the first word of the sentence only counts when a second follows.
_PROPER_RUN = re.compile(r"(?:[A-Z][\w'’-]*[a-z\w](?:\s+(?:of|the|de|al|bin)\s+|\s+)?)+")
_OPINION = re.compile(r"\b(?:I think|I believe|we believe|in my opinion|should|must)\b", re.I)


def _named_entities(sentence: str) -> list[str]:
    names = []
    for match in _PROPER_RUN.finditer(sentence):
        name = match.group().strip()
        at_start = sentence[: match.start()].strip(" “\"'‘(") == ""
        if at_start and " " not in name:
            continue  # a lone capitalised first word is just the start of the sentence
        names.append(name)
    return names


class HeuristicScorer:
    """Feature weights chosen so that a single concrete figure outweighs any amount of
    vague talk, and an allegation against a named person ranks with the figures."""

    def score(self, sentences: Sequence[str]) -> list[Score]:
        return [self._score_one(sentence) for sentence in sentences]

    def _score_one(self, sentence: str) -> Score:
        points = 0
        reasons: list[str] = []

        def add(amount: int, reason: str) -> None:
            nonlocal points
            points += amount
            reasons.append(reason)

        dates = _DATE.findall(sentence)
        without_dates = _DATE.sub(" ", sentence)
        figures = _NUMBER.findall(without_dates)
        if figures:
            add(35 + min(20, 5 * (len(figures) - 1)), "figures")
        if _MONEY.search(sentence):
            add(20, "money")
        if _PERCENT.search(sentence):
            add(15, "percentage")
        if _SCALE.search(without_dates) and not figures:
            add(10, "quantity")
        elif _VAGUE_QUANTITY.search(sentence):
            add(5, "vague quantity")
        if dates:
            add(8, "date")
        if _ATTRIBUTION.search(sentence):
            add(12, "attribution")
        if _COMPARATIVE.search(sentence):
            add(8, "comparison")
        named_person = _TITLE_NAME.search(sentence)
        if named_person:
            add(12, "named person")
        entities = _named_entities(sentence)
        if entities:
            add(min(15, 5 * len(entities)), "names")
        if _WRONGDOING.search(sentence):
            # An allegation aimed at a named person is the classic high-stakes claim.
            add(25 if named_person else 10, "allegation")
        words = len(sentence.split())
        if words < 6:
            points -= 15
        if sentence.rstrip().endswith("?"):
            points -= 10
        if _OPINION.search(sentence):
            points -= 10
        return Score(max(0, min(100, points)), tuple(reasons))


@lru_cache(maxsize=4)
def _load(path: str) -> CheckworthinessScorer:
    return import_string(path)()  # type: ignore[no-any-return]


def get_scorer() -> CheckworthinessScorer:
    return _load(settings.CHECKWORTHINESS_SCORER)
