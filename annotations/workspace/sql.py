"""Raw SQL of the workspace, kept for speed. Each statement has a test showing it returns
what the plain ORM query returns (tests/workspace/test_sql.py)."""

from __future__ import annotations

from typing import NamedTuple

from django.db import connection
from django.utils.translation import gettext

from annotations.models import PUBLISHED_STATES, Annotation, ArticleVersion, Placement, Rating


class HighlightRow(NamedTuple):
    """What drawing one highlight needs, read without building model instances. A tuple:
    a thousand are built per page, and the drawn-text cache compares them field by field
    (annotations.workspace.drawn)."""

    pk: int
    start: int
    end: int
    verdict: str
    label: str
    title: str
    changed: bool = False  # placed by re-anchoring on words that differ from the old ones


# Raw SQL on purpose: this runs on every save and every page, and the ORM spent about ten
# times longer building the statement (1.4 ms of CPU) than PostgreSQL spent answering it.
# The claims made on the version at their own offsets, then the claims of older versions at
# the placement re-anchoring (or a person) gave them here.
_HIGHLIGHTS_SQL = """
    SELECT a.id, a.start, a."end", r.slug, r.label, a.claim, substr(a.exact, 1, 80), false
    FROM {annotation} a LEFT JOIN {rating} r ON r.id = a.rating_id
    WHERE a.version_id = %s AND a.deleted_at IS NULL AND a."end" > %s AND a.start < %s
      {published_only}
    UNION ALL
    SELECT a.id, p.start, p."end", r.slug, r.label, a.claim, substr(a.exact, 1, 80),
           p.status = 'changed' AND p.resolution = ''
    FROM {placement} p JOIN {annotation} a ON a.id = p.annotation_id
      LEFT JOIN {rating} r ON r.id = a.rating_id
    WHERE p.version_id = %s AND p.status IN ('anchored', 'changed') AND p.resolution <> 'gone'
      AND a.deleted_at IS NULL AND p."end" > %s AND p.start < %s
      {published_only}
    ORDER BY 2, 3 DESC, 1
"""


def highlight_rows(
    version: ArticleVersion,
    *,
    start: int = 0,
    end: int | None = None,
    published_only: bool = False,
) -> list[HighlightRow]:
    """Live annotations drawn on the version (made on it, or placed on it from an older one)
    overlapping [start, end) as light rows, sorted for nesting; with
    `published_only`, only claims in the published states (what other desks may see)."""
    states = ", ".join(f"'{state}'" for state in PUBLISHED_STATES)
    sql = _HIGHLIGHTS_SQL.format(
        annotation=Annotation._meta.db_table,
        rating=Rating._meta.db_table,
        placement=Placement._meta.db_table,
        published_only=f"AND a.state IN ({states})" if published_only else "",
    )
    with connection.cursor() as cursor:
        window = [version.pk, start, end if end is not None else 2**31 - 1]
        cursor.execute(sql, window + window)
        rows = cursor.fetchall()
    # Labels in the page's language (the default scale's are in the catalogue), looked up
    # once per verdict rather than once per row: a page reads a thousand rows.
    labels: dict[str, str] = {}
    none, words_changed = gettext("No verdict yet"), gettext(" (the words have changed since)")
    highlights = []
    for pk, s, e, slug, label, claim, exact, changed in rows:
        shown = labels.get(label) if label else none
        if shown is None:
            shown = labels[label] = gettext(label)
        title = f"{shown}: {claim or exact}" + (words_changed if changed else "")
        highlights.append(HighlightRow(pk, s, e, slug or "none", shown, title, changed))
    return highlights
