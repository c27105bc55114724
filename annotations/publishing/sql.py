"""Raw SQL of the publishing capability, kept for speed. Each statement has a test showing it
returns what the plain ORM query returns (tests/publishing/test_sql.py)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from annotations.models import (
    PUBLISHED_STATES,
    Annotation,
    Article,
    ArticleVersion,
    Correction,
    Rating,
    Source,
)


def _last_public_change_sql() -> str:
    states = ", ".join(f"'{state}'" for state in PUBLISHED_STATES)
    annotation = Annotation._meta.db_table
    return f"""
        WITH public AS (
            SELECT id, version_id FROM {annotation} WHERE state IN ({states})
        )
        SELECT greatest(
            (SELECT max(updated_at) FROM {annotation} WHERE state IN ({states})),
            (SELECT max(created_at) FROM {Correction._meta.db_table}),
            (SELECT max(updated_at) FROM {Rating._meta.db_table}),
            (SELECT max(a.updated_at) FROM {Article._meta.db_table} a
             WHERE a.id IN (SELECT v.article_id FROM {ArticleVersion._meta.db_table} v
                            JOIN public p ON p.version_id = v.id)),
            (SELECT max(s.updated_at) FROM {Source._meta.db_table} s
             JOIN public p ON p.id = s.annotation_id)
        )
    """


def last_public_change() -> datetime | None:
    """The latest time anything a public page shows was written: published, corrected or
    retracted claims (state and content), corrections, the rating scale, the articles and
    the sources of those claims. One statement: the annotation scans use the partial index
    over public states, the rest are small or joined through it."""
    with connection.cursor() as cursor:
        cursor.execute(_last_public_change_sql())
        (changed,) = cursor.fetchone()
    return changed
