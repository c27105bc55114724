"""Raw SQL of the publishing capability, kept for speed. Each statement has a test showing it
returns what the plain ORM query returns (tests/publishing/test_sql.py)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.db.models import QuerySet

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


# --- The Web Annotation collection ------------------------------------------------------------

# A timestamp as Python's `isoformat()` writes a UTC time (no fraction when it is zero).
_TIMESTAMP = (
    "replace(to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '.000000', '')"
    " || '+00:00'"
)

# Each annotation of a page as the W3C Web Annotation `standards.web_annotation` builds (less
# the @context a page carries), written by PostgreSQL as JSON text; the page's rows (which
# annotations, in which order, how many in all) come from the ORM query the permissions
# filter, as `page (id, position, total)`. For 1,000 annotations Python spent about 50 ms
# decoding rows (timestamps above all), building dictionaries and encoding them again.
# The JSON is written as text around `to_json()` of each value, which escapes it: about three
# times faster than nesting `json_build_object` calls (12 ms against 29 for 1,000), and the
# bodies can be joined, which `json` cannot do and `jsonb` would reorder. The creator's name
# is `get_full_name() or username`, trimming ASCII white space where Python strips any.
_WEB_ANNOTATIONS_SQL = """
    SELECT page.total, concat(
        '{{"id": ', to_json(%s || a.id || %s),
        ', "type": "Annotation", "motivation": "assessing", "created": "', {created},
        '", "modified": "', {modified},
        '", "creator": {{"type": "Person", "name": ', to_json(coalesce(
            nullif(btrim(u.first_name || ' ' || u.last_name, E' \\t\\n\\r\\x0b\\x0c'), ''),
            u.username
        )::text),
        '}}, "generator": ', %s::text,
        ', "body": [', coalesce(nullif(concat_ws(', ',
            '{{"type": "TextualBody", "purpose": "assessing", "value": '
                || to_json(r.label::text) || '}}',
            CASE WHEN a.claim <> '' THEN
                '{{"type": "TextualBody", "purpose": "describing", "value": '
                || to_json(a.claim::text) || '}}'
            END,
            CASE WHEN a.rationale <> '' THEN
                '{{"type": "TextualBody", "purpose": "commenting", "value": '
                || to_json(a.rationale) || ', "format": "text/markdown"}}'
            END,
            CASE WHEN cardinality(a.tags) > 0 THEN (
                SELECT string_agg(
                    '{{"type": "TextualBody", "purpose": "tagging", "value": '
                    || to_json(t.tag::text) || '}}',
                    ', ' ORDER BY t.n
                )
                FROM unnest(a.tags) WITH ORDINALITY AS t(tag, n)
            ) END
        ), ''), '{{"type": "TextualBody", "value": ' || to_json(a.exact) || '}}'),
        '], "target": {{"type": "SpecificResource", "source": ', to_json(%s::text),
        ', "selector": [{{"type": "TextPositionSelector", "start": ', a.start,
        ', "end": ', a."end",
        '}}, {{"type": "TextQuoteSelector", "exact": ', to_json(a.exact),
        ', "prefix": ', to_json(a.prefix::text), ', "suffix": ', to_json(a.suffix::text),
        '}}]}}}}'
    )
    FROM ({page}) AS page (id, position, total)
    JOIN {annotation} a ON a.id = page.id
    JOIN {user} u ON u.id = a.author_id
    LEFT JOIN {rating} r ON r.id = a.rating_id
    ORDER BY page.position
"""


def web_annotations(
    page: QuerySet[Any], *, id_head: str, id_tail: str, generator: dict[str, str], source: str
) -> tuple[list[str], int]:
    """The JSON text of each annotation of `page` (a values_list query of annotations' `id`,
    position in the collection and the collection's total), in that order, and the total
    (0 when the page is empty). `id_head` and `id_tail` surround the primary key in each
    `id`; `generator` and `source` are the same for every annotation of an article."""
    inner, inner_params = page.query.sql_with_params()
    annotation = Annotation._meta.db_table
    statement = _WEB_ANNOTATIONS_SQL.format(
        page=inner,
        annotation=annotation,
        user=User._meta.db_table,
        rating=Rating._meta.db_table,
        created=_TIMESTAMP.format(column="a.created_at"),
        modified=_TIMESTAMP.format(column="a.updated_at"),
    )
    params = (id_head, id_tail, json.dumps(generator, ensure_ascii=False), source, *inner_params)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    return [item for _total, item in rows], (rows[0][0] if rows else 0)
