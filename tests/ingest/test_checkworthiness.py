from __future__ import annotations

from collections.abc import Sequence

import pytest

from annotations.ingest.checkworthiness import HeuristicScorer, Score, get_scorer
from annotations.ingest.segment import split_sentences
from tests.factories import import_text

CHECKWORTHY_OPENINGS = (
    "According to the directorate’s report, Governor Tomas Brancu",  # the accusation
    "Inspectors have raided 27 depots",  # and 1,140 lorries
    "Customs figures show that diesel sales",  # almost 40 percent
    "At its peak the trade was worth about $2.5 million a day",
    "The ring’s takings are still roughly $1.1 million a day",
)


def test_figures_and_the_accusation_outrank_every_other_sentence(article_text: str) -> None:
    sentences = [article_text[s.start : s.end] for s in split_sentences(article_text)]
    scores = dict(zip(sentences, HeuristicScorer().score(sentences), strict=True))

    flagged = {s: v.value for s, v in scores.items() if s.startswith(CHECKWORTHY_OPENINGS)}
    others = {s: v.value for s, v in scores.items() if s not in flagged}
    assert len(flagged) == 5
    assert min(flagged.values()) > max(others.values())
    [accusation] = (v for s, v in scores.items() if s.startswith(CHECKWORTHY_OPENINGS[0]))
    assert {"named person", "allegation"} <= set(accusation.reasons)


def test_reasons_explain_the_score() -> None:
    [score] = HeuristicScorer().score(
        ["Revenue rose 12 percent to $40 million, the minister said."]
    )
    assert {"figures", "money", "percentage", "attribution", "comparison"} <= set(score.reasons)
    assert 0 <= score.value <= 100


def test_vague_opinion_scores_low() -> None:
    [opinion, short] = HeuristicScorer().score(["I think we should all be kinder.", "Thanks."])
    assert opinion.value < 20
    assert short.value == 0


class ConstantScorer:
    """Stands in for a trained model: the import pipeline must use whatever is configured."""

    def score(self, sentences: Sequence[str]) -> list[Score]:
        return [Score(42, ("model",)) for _ in sentences]


@pytest.mark.django_db
def test_the_configured_scorer_replaces_the_heuristic(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CHECKWORTHINESS_SCORER = "tests.ingest.test_checkworthiness.ConstantScorer"
    assert isinstance(get_scorer(), ConstantScorer)

    _article, version = import_text("Headline\n\nThe toll rises to £5 in March. Drivers are angry.")

    assert set(version.sentences.values_list("score", flat=True)) == {42}


def test_sentence_initial_phrases_count_too() -> None:
    [score] = HeuristicScorer().score(
        ["According to the council, 41,000 vehicles use the bridge, down from 47,500 in 2019."]
    )
    assert {"figures", "attribution", "comparison", "date"} <= set(score.reasons)


# --- Spanish -------------------------------------------------------------------------------

SPANISH_CHECKWORTHY = (
    "Los embalses que abastecen al valle del Tarso almacenan hoy el 46,8 %",
    "Hace un año, en la misma semana, guardaban casi el 71 por ciento",
    "La Dra. Calvo explicó que las lluvias de otoño fueron un 38 %",
    "El Sr. Tomás Ruiz",  # 1.080 camiones cisterna
    "Según sus cálculos, el transporte de agua cuesta a la región unos 3 millones de dólares",
    "La consejera de Medio Ambiente",  # «no supera los dos millones de euros»
    "Andrade añadió que la región ha invertido 45 millones de euros",
    "Los agricultores, p. ej.",  # casi el 50 por ciento
    "La cooperativa Frutas del Tarso estima que perderá 3,5 millones",
    "Un importador de Florida dijo",  # un 20 %
    "El diputado Jorge Salas acusó",  # the allegation
    "En Villamar, el consumo doméstico bajó de 132 a 104 litros",
)


def _spanish_scores(text: str, language: str) -> dict[str, Score]:
    sentences = [text[s.start : s.end] for s in split_sentences(text, language=language)]
    return dict(zip(sentences, HeuristicScorer().score(sentences, language=language), strict=True))


def test_spanish_figures_and_the_accusation_stand_out(spanish_text: str, settings) -> None:  # type: ignore[no-untyped-def]
    scores = _spanish_scores(spanish_text, "es")

    flagged = {s: v.value for s, v in scores.items() if s.startswith(SPANISH_CHECKWORTHY)}
    others = {s: v.value for s, v in scores.items() if s not in flagged}
    assert len(flagged) == len(SPANISH_CHECKWORTHY)
    assert min(flagged.values()) >= settings.CHECKWORTHY_THRESHOLD > max(others.values())
    [accusation] = (v for s, v in scores.items() if s.startswith("El diputado Jorge Salas"))
    assert {"attribution", "named person", "allegation"} <= set(accusation.reasons)


@pytest.mark.parametrize(
    ("sentence", "reasons"),
    [
        ("Según el alcalde, llegan 1.080 camiones cada semana.", {"figures", "attribution"}),
        ("El trasvase cuesta 3 millones de dólares al día, aseguró.", {"figures", "money"}),
        ("Las reservas cayeron casi el 50 por ciento, declaró la ministra.", {"percentage"}),
        ("El paro subió al 50 % en la comarca, dijo el consejero.", {"percentage", "comparison"}),
        ("La obra costará dos millones de euros, afirmó la portavoz.", {"figures", "money"}),
        ("El 14 de diciembre se reúne el consejo, informó el Gobierno.", {"date"}),
    ],
)
def test_spanish_number_and_attribution_patterns(sentence: str, reasons: set[str]) -> None:
    [score] = HeuristicScorer().score([sentence], language="es")
    assert reasons <= set(score.reasons)
    assert "attribution" in score.reasons


def test_a_spanish_date_is_not_a_figure() -> None:
    [score] = HeuristicScorer().score(["El consejo se reunió el 14 de diciembre."], language="es")
    assert "figures" not in score.reasons and "date" in score.reasons


def test_the_language_decides_the_words_read(spanish_text: str) -> None:
    # Read with the English lexicon, the Spanish accusation loses its attribution and
    # allegation and falls below the threshold.
    [accusation] = HeuristicScorer().score(
        [
            "El diputado Jorge Salas acusó al Gobierno regional de ocultar un informe técnico de 2023."
        ],
        language="en",
    )
    assert "attribution" not in accusation.reasons and "allegation" not in accusation.reasons
