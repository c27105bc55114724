"""Re-anchoring 1,000 claims on a 300 KB article after the outlet inserts a paragraph at the
top and makes 50 scattered edits (target: under 1 s in total).

Pure string work (annotations.workspace.reanchoring), so no database is needed.
"""

from __future__ import annotations

import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_workspace import article_text  # noqa: E402 - after the path is set

from annotations.workspace.anchoring import quote_at  # noqa: E402
from annotations.workspace.reanchoring import Anchor, reanchor  # noqa: E402

CLAIMS = 1_000
EDITS = 50


def main() -> None:
    rng = random.Random(11)
    old = article_text(2_000)
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+(?:\s+\S+){3}", old)]
    anchors = []
    for start, end in rng.sample(words, CLAIMS):
        quote = quote_at(old, start, end)
        anchors.append(Anchor(quote.start, quote.end, quote.exact, quote.prefix, quote.suffix))
    top = "An editor's note added at the top of the page, as outlets do.\n\n"
    edited = list(old)
    for claim in rng.sample(anchors, EDITS):  # the outlet changes a figure inside 50 claims
        digits = [i for i in range(claim.start, claim.end) if old[i].isdigit()]
        at = rng.choice(digits) if digits else claim.start
        edited[at] = "7" if old[at] != "7" else "3"
    new = top + "".join(edited)
    runs = []
    for _ in range(5):
        began = time.perf_counter()
        placements = reanchor(old, new, anchors)
        runs.append(time.perf_counter() - began)
    counts = {
        s: sum(p.status == s for p in placements) for s in ("anchored", "changed", "orphaned")
    }
    # Each claim's true place is where it was, moved by the paragraph on top.
    misplaced = sum(
        p.start is not None and p.start != a.start + len(top)
        for a, p in zip(anchors, placements, strict=True)
    )
    print(
        f"re-anchor {CLAIMS:,} claims, {len(old) // 1000} KB, a paragraph on top and {EDITS} edits: "
        f"median {statistics.median(runs):.2f} s (runs: {', '.join(f'{r:.2f}' for r in runs)}; "
        f"target < 1 s); {counts}; placed away from their true place: {misplaced}"
    )


if __name__ == "__main__":
    main()
