"""Raw SQL of the review capability, kept for speed. Each statement has a test showing it
returns what the plain ORM query returns (tests/review/test_sql.py)."""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from annotations.models import (  # type: ignore[attr-defined]  # PlacementEvent: pghistory
    Annotation,
    Article,
    ArticleVersion,
    Comment,
    Notification,
    PlacementEvent,
    Transition,
)


def last_desk_changes() -> tuple[
    datetime | None, int | None, int | None, int | None, datetime | None, int | None
]:
    """(last claim change, last transition, last comment, last notification, last read,
    last placement change): the polled queue pages' signature, one statement over indexes,
    run on every poll."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT (SELECT max(updated_at) FROM {Annotation._meta.db_table}),
                       (SELECT max(id) FROM {Transition._meta.db_table}),
                       (SELECT max(id) FROM {Comment._meta.db_table}),
                       (SELECT max(id) FROM {Notification._meta.db_table}),
                       (SELECT max(read_at) FROM {Notification._meta.db_table}),
                       (SELECT max(pgh_id) FROM {PlacementEvent._meta.db_table})"""
        )
        row = cursor.fetchone()
    return tuple(row)  # type: ignore[return-value]


def median_review_seconds(
    since: datetime, *, team_id: int | None = None, teamless: bool = False
) -> float | None:
    """Median seconds from entering review to an editor's decision, for decisions since
    `since`: on one desk, on articles of no desk, or (neither given) everywhere.
    PostgreSQL's percentile_cont has no ORM spelling."""
    where = "t.from_state = 'in_review' AND t.to_state <> 'in_review' AND t.created_at > %s"
    params: list[datetime | int] = [since]
    if team_id is not None:
        where += " AND ar.team_id = %s"
        params.append(team_id)
    elif teamless:
        where += " AND ar.team_id IS NULL"
    statement = f"""
        SELECT percentile_cont(0.5) WITHIN GROUP (
            ORDER BY extract(epoch FROM t.created_at - t.from_state_since))
        FROM {Transition._meta.db_table} t
        JOIN {Annotation._meta.db_table} a ON a.id = t.annotation_id
        JOIN {ArticleVersion._meta.db_table} v ON v.id = a.version_id
        JOIN {Article._meta.db_table} ar ON ar.id = v.article_id
        WHERE {where}
    """
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        (seconds,) = cursor.fetchone()
    return None if seconds is None else float(seconds)
