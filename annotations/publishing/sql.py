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
    source, article = Source._meta.db_table, Article._meta.db_table
    correction, rating = Correction._meta.db_table, Rating._meta.db_table
    version = ArticleVersion._meta.db_table
    # The articles' versions count too: a new one puts a "changed after this verdict" note
    # and a link to the public diff on the pages; so does the outlet's page status, which
    # the change watch may set without touching `updated_at` (`page_status_at`, and how many
    # are gone, in case the time it records is not the latest).
    return f"""
        WITH public AS (
            SELECT id, version_id FROM {annotation} WHERE state IN ({states})
        ),
        public_articles AS (
            SELECT DISTINCT v.article_id AS id FROM {version} v
            JOIN public p ON p.version_id = v.id
        )
        SELECT greatest(
            (SELECT max(updated_at) FROM {annotation} WHERE state IN ({states})),
            (SELECT max(created_at) FROM {correction}),
            (SELECT max(updated_at) FROM {rating}),
            (SELECT max(greatest(a.updated_at, a.page_status_at)) FROM {article} a
             JOIN public_articles pa ON pa.id = a.id),
            (SELECT max(s.updated_at) FROM {source} s JOIN public p ON p.id = s.annotation_id),
            (SELECT max(v.created_at) FROM {version} v JOIN public_articles pa ON pa.id = v.article_id)
        ),
        (SELECT count(*) FROM public)
        + (SELECT count(*) FROM {correction})
        + (SELECT count(*) FROM {rating})
        + (SELECT count(*) FROM public_articles)
        + (SELECT count(*) FROM {source} s JOIN public p ON p.id = s.annotation_id)
        + (SELECT count(*) FROM {version} v JOIN public_articles pa ON pa.id = v.article_id)
        + (SELECT count(*) FROM {article} a JOIN public_articles pa ON pa.id = a.id
           WHERE a.page_status = '{Article.PageStatus.GONE.value}')
    """


# Every public request asks for the signature, and PostgreSQL spent three times longer
# planning the statement (eight relations) than running it. Inside a PL/pgSQL function the
# plan is made once per connection: a call costs about 0.3 ms instead of 0.75 ms. A change
# to the statement needs a migration that runs FUNCTION_SQL again (CREATE OR REPLACE).
FUNCTION = "annotations_last_public_change"


def function_sql() -> str:
    return (
        f"DROP FUNCTION IF EXISTS {FUNCTION}(); "
        f"CREATE FUNCTION {FUNCTION}() RETURNS TABLE (changed timestamptz, total bigint) "
        f"LANGUAGE plpgsql STABLE AS $body$ BEGIN RETURN QUERY {_last_public_change_sql()}; "
        "END $body$"
    )


def last_public_change() -> tuple[datetime | None, int]:
    """The latest time anything a public page shows was written (published, corrected or
    retracted claims, their state and content; corrections; the rating scale; the articles
    of those claims, their versions and the outlet's page status; their sources) and how many such rows there are, so that a row leaving the
    set (a rating deleted, a claim taken back to draft in the admin) changes it too.
    One call of a function holding one statement."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT changed, total FROM {FUNCTION}()")
        changed, total = cursor.fetchone()
    return changed, total
