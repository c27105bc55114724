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
