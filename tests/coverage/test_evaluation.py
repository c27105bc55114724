"""The comparison's labels on the project's labelled pairs stay at least as right as the
issue asks (the measured figures are higher; `make bench ARGS=coverage_labels` prints them)."""

from __future__ import annotations

from annotations.coverage import evaluation


def test_the_labelled_pairs_cover_every_label_and_every_hard_case() -> None:
    pairs = evaluation.load()
    assert len(pairs) >= 80
    assert {pair.label for pair in pairs} == set(evaluation.LABELS)
    kinds = " ".join(pair.kind for pair in pairs)
    for hard in ("multi-figure", "approximation", "rate", "paraphrase", "hedged", "denial about"):
        assert hard in kinds, hard


def test_labels_meet_the_floors() -> None:
    scores, wrong = evaluation.evaluate(evaluation.load())
    report = scores.table() + "".join(f"\n{p.kind}: {p.label} -> {got}" for p, got in wrong)
    assert scores.precision("differs") >= 0.95, report
    assert scores.precision("contradicts") >= 0.95, report
    assert scores.recall("repeats") >= 0.85, report
