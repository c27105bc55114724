"""How often the related-coverage labels are right, on the labelled pairs in
benchmarks/coverage_pairs.jsonl (written for this project: repeats, differs, contradicts and
not mentioned, with multi-figure sentences, approximations, units and rates, paraphrases,
hedges, and denials about someone else).

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

from annotations.coverage import evaluation  # noqa: E402 - after the path is set


def main() -> None:
    pairs = evaluation.load()
    scores, wrong = evaluation.evaluate(pairs)
    counts = Counter(pair.label for pair in pairs)
    print(
        f"{len(pairs)} labelled pairs: " + ", ".join(f"{n} {label}" for label, n in counts.items())
    )
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
