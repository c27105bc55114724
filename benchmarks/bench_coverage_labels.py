"""How often the related-coverage labels are right, on the labelled pairs in
benchmarks/coverage_pairs.jsonl (written for this project: repeats, differs, contradicts and
not mentioned, with multi-figure sentences, approximations, units and rates, paraphrases,
hedges, and denials about someone else).

Run once on words alone and once with the paraphrase extra, when it is installed.

Targets: precision at least 0.95 for `differs` and for `contradicts`, recall at least 0.85
for `repeats`. No database: the matcher is pure.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402 - after the path is set
from django.conf import settings  # noqa: E402

django.setup()

from annotations.coverage import evaluation, paraphrase  # noqa: E402


def main() -> None:
    pairs = evaluation.load()
    counts = Counter(pair.label for pair in pairs)
    print(
        f"{len(pairs)} labelled pairs: " + ", ".join(f"{n} {label}" for label, n in counts.items())
    )
    for meaning in (False, True):
        settings.COVERAGE_PARAPHRASE = meaning
        if meaning and paraphrase.model() is None:
            print("\nwith the paraphrase extra: not installed (pip install '.[paraphrase]')")
            continue
        print("\nwith the paraphrase extra:" if meaning else "\nwords alone:")
        report(*evaluation.evaluate(pairs))


def report(scores: evaluation.Scores, wrong: list[tuple[evaluation.Pair, str]]) -> None:
    print(scores.table())
    print(
        "targets: differs precision >= 0.95 "
        f"({scores.precision('differs'):.2f}), contradicts precision >= 0.95 "
        f"({scores.precision('contradicts'):.2f}), repeats recall >= 0.85 "
        f"({scores.recall('repeats'):.2f})"
    )
    for pair, got in wrong:
        print(f"  wrong: expected {pair.label}, got {got} ({pair.kind})")


if __name__ == "__main__":
    main()
