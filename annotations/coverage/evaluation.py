"""How often the comparison's labels are right, on labelled pairs of a claim and another
outlet's sentence (benchmarks/coverage_pairs.jsonl, written for this project).

Each pair runs through the real matcher: the other sentence sits in a short article of
neutral sentences, as it would in a related article, and the label the matrix would show
is compared with the one a fact-checker gave it.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from annotations.coverage.matching import Claim, Related, match_all

LABELS = ("repeats", "differs", "contradicts", "not_mentioned")
PAIRS = Path(__file__).resolve().parents[2] / "benchmarks" / "coverage_pairs.jsonl"
# What surrounds the other sentence: wording no claim of the set shares.
SURROUNDINGS = (
    "The report was published late on the evening before the holiday.",
    "Readers can find the full document on the agency's website.",
    "This story will be updated as more information becomes available.",
)


@dataclass(frozen=True)
class Pair:
    claim: str
    other: str
    label: str
    kind: str


@dataclass(frozen=True)
class Scores:
    confusion: Counter[tuple[str, str]]  # (expected, got) -> how many

    def precision(self, label: str) -> float:
        got = sum(n for (_e, g), n in self.confusion.items() if g == label)
        return self.confusion[(label, label)] / got if got else 1.0

    def recall(self, label: str) -> float:
        expected = sum(n for (e, _g), n in self.confusion.items() if e == label)
        return self.confusion[(label, label)] / expected if expected else 1.0

    def table(self) -> str:
        """The confusion matrix and precision and recall per label, for people."""
        width = max(len(label) for label in LABELS) + 2
        lines = ["expected \\ got".ljust(width + 2) + "".join(g.ljust(width) for g in LABELS)]
        for expected in LABELS:
            row = "".join(str(self.confusion[(expected, g)]).ljust(width) for g in LABELS)
            lines.append(expected.ljust(width + 2) + row)
        lines.append("")
        for label in LABELS:
            lines.append(
                f"{label:<15} precision {self.precision(label):.2f}  recall {self.recall(label):.2f}"
            )
        return "\n".join(lines)


def load(path: Path = PAIRS) -> list[Pair]:
    with path.open(encoding="utf-8") as lines:
        return [Pair(**json.loads(line)) for line in lines if line.strip()]


def label_of(claim: str, other: str) -> str:
    sentences = [SURROUNDINGS[0], other, *SURROUNDINGS[1:]]
    matches, _relevance = match_all([Claim(0, claim)], [Related(0, "", sentences)])
    return matches[0].relation


def evaluate(pairs: list[Pair]) -> tuple[Scores, list[tuple[Pair, str]]]:
    """The scores, and every pair labelled wrongly with the label it got."""
    confusion: Counter[tuple[str, str]] = Counter()
    wrong = []
    for pair in pairs:
        got = label_of(pair.claim, pair.other)
        confusion[(pair.label, got)] += 1
        if got != pair.label:
            wrong.append((pair, got))
    return Scores(confusion), wrong
