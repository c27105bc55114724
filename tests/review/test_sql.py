"""The review capability's raw SQL returns what the plain ORM query returns."""

from __future__ import annotations

from datetime import timedelta
from statistics import median

import pytest
from django.db.models import Max
from django.utils import timezone

from annotations.models import (  # type: ignore[attr-defined]  # PlacementEvent: pghistory
    Annotation,
    Comment,
    Notification,
    PlacementEvent,
    Transition,
)
from annotations.review import sql
from tests.factories import TeamFactory
from tests.sql_fixtures import build_desk

pytestmark = pytest.mark.django_db


def test_last_desk_changes_match_the_orm() -> None:
    _version, author, claims = build_desk(TeamFactory())
    Comment.objects.create(annotation=claims[0], author=author, body="x", body_html="x")
    Notification.objects.create(
        recipient=author, kind="mention", annotation=claims[0], text="x", read_at=timezone.now()
    )
    assert sql.last_desk_changes() == (
        Annotation.objects.aggregate(m=Max("updated_at"))["m"],
        Transition.objects.aggregate(m=Max("id"))["m"],
        Comment.objects.aggregate(m=Max("id"))["m"],
        Notification.objects.aggregate(m=Max("id"))["m"],
        Notification.objects.aggregate(m=Max("read_at"))["m"],
        PlacementEvent.objects.aggregate(m=Max("pgh_id"))["m"],
    )


def _orm_median(since, **scope):  # type: ignore[no-untyped-def]
    decisions = Transition.objects.filter(
        from_state="in_review", created_at__gt=since, **scope
    ).exclude(to_state="in_review")
    waits = [(t.created_at - t.from_state_since).total_seconds() for t in decisions]
    return median(waits) if waits else None


def test_median_review_seconds_matches_the_orm() -> None:
    desk, other = TeamFactory(), TeamFactory()
    build_desk(desk)
    build_desk(other)
    build_desk(None)
    since = timezone.now() - timedelta(days=90)
    assert sql.median_review_seconds(since) == pytest.approx(_orm_median(since))
    assert sql.median_review_seconds(since, team_id=desk.pk) == pytest.approx(
        _orm_median(since, annotation__version__article__team=desk)
    )
    assert sql.median_review_seconds(since, teamless=True) == pytest.approx(
        _orm_median(since, annotation__version__article__team__isnull=True)
    )
    assert sql.median_review_seconds(timezone.now()) is None
