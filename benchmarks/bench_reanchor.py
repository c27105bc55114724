"""Re-anchoring 1,000 claims on a 300 KB article after the outlet inserts a paragraph at the
top and makes 50 scattered edits (target: under 1 s in total).

Measured twice: the pure string work (annotations.workspace.reanchoring), and the whole
step a worker runs after a version is added (annotations.workspace.placements: read the
claims, place them, store 1,000 placements with their history) on a throwaway database.
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
    stored = _stored_runs(old, new, anchors)
    print(
        f"whole step with the database (read claims, place, store {CLAIMS:,} placements): "
        f"median {statistics.median(stored):.2f} s (runs: {', '.join(f'{r:.2f}' for r in stored)}; "
        "target < 1 s)"
    )
    print(
        f"re-anchor {CLAIMS:,} claims, {len(old) // 1000} KB, a paragraph on top and {EDITS} edits: "
        f"median {statistics.median(runs):.2f} s (runs: {', '.join(f'{r:.2f}' for r in runs)}; "
        f"target < 1 s); {counts}; placed away from their true place: {misplaced}"
    )


def _stored_runs(old: str, new: str, anchors: list[Anchor]) -> list[float]:
    """Time `placements.version_reanchor` on real rows: version 1 with the claims, version 2
    with the edited text; the placements are removed between runs."""
    from _setup import setup_django, teardown_django

    setup_django("newsroom_bench_reanchor")
    try:
        from django.contrib.auth.models import User

        from annotations.ingest.services import content_hash
        from annotations.models import Annotation, Article, ArticleVersion, Placement
        from annotations.workspace.placements import version_reanchor

        author = User.objects.create(username="bench")
        article = Article.objects.create(title="Bench", slug="bench")
        first = ArticleVersion.objects.create(
            article=article, number=1, text=old, content_hash=content_hash(old), source="cli"
        )
        Annotation.objects.bulk_create(
            Annotation(
                version=first,
                start=a.start,
                end=a.end,
                exact=a.exact,
                prefix=a.prefix,
                suffix=a.suffix,
                author=author,
            )
            for a in anchors
        )
        second = ArticleVersion.objects.create(
            article=article, number=2, text=new, content_hash=content_hash(new), source="cli"
        )
        runs = []
        for _ in range(5):
            Placement.objects.filter(version=second).delete()
            began = time.perf_counter()
            placed = version_reanchor(second.pk)
            runs.append(time.perf_counter() - began)
            assert len(placed) == len(anchors)
        return runs
    finally:
        from django.db import connection

        connection.close()
        teardown_django("newsroom_bench_reanchor")


if __name__ == "__main__":
    main()
