"""The workspace's raw SQL returns what the plain ORM query returns."""

from __future__ import annotations

import pytest

from annotations.models import PUBLISHED_STATES, Annotation
from annotations.workspace import sql
from tests.factories import TeamFactory
from tests.sql_fixtures import build_desk

pytestmark = pytest.mark.django_db


def _orm_rows(version, start, end, published_only):  # type: ignore[no-untyped-def]
    claims = Annotation.objects.alive().filter(version=version, end__gt=start, start__lt=end)
    if published_only:
        claims = claims.filter(state__in=PUBLISHED_STATES)
    return [
        (a.pk, a.start, a.end, a.rating.slug if a.rating else "none")
        for a in claims.select_related("rating").order_by("start", "-end", "id")
    ]


@pytest.mark.parametrize("published_only", [False, True])
@pytest.mark.parametrize("window", [(0, 10**6), (3, 9), (20, 21)])
def test_highlight_rows_match_the_orm(published_only: bool, window: tuple[int, int]) -> None:
    version, _author, claims = build_desk(TeamFactory())
    Annotation.objects.filter(pk=claims[0].pk).update(deleted_at=claims[0].created_at)
    start, end = window
    rows = sql.highlight_rows(version, start=start, end=end, published_only=published_only)
    assert [(r.pk, r.start, r.end, r.verdict) for r in rows] == _orm_rows(
        version, start, end, published_only
    )
    assert rows or window != (0, 10**6)  # the whole text always has highlights
