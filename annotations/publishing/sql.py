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


# Every public request asks for the signature, and PostgreSQL spent three times longer
# planning the statement (eight relations) than running it. Inside a PL/pgSQL function the
# plan is made once per connection: a call costs about 0.3 ms instead of 0.75 ms. A change
# to the statement needs a migration that runs FUNCTION_SQL again (CREATE OR REPLACE).
FUNCTION = "annotations_last_public_change"


def function_sql() -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS timestamptz "
        f"LANGUAGE plpgsql STABLE AS $body$ BEGIN RETURN ({_last_public_change_sql()}); END $body$"
    )


def last_public_change() -> datetime | None:
    """The latest time anything a public page shows was written: published, corrected or
    retracted claims (state and content), corrections, the rating scale, the articles and
    the sources of those claims. One call of a function holding one statement."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {FUNCTION}()")
        (changed,) = cursor.fetchone()
    return changed
