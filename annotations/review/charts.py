"""The review dashboard's figures, and the geometry of its charts (drawn as SVG by the
template: no chart library, nothing but our own static files, works without JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from annotations import permissions
from annotations.models import PUBLIC_STATES, Annotation, Team
from annotations.review import sql

State = Annotation.State
WEEKS = 12
BAR_WIDTH = 320  # px of the longest bar
COLUMN_HEIGHT = 120


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    size: int  # px: width of a horizontal bar or height of a column
    colour: str = "#0b5cad"
    offset: int = 0  # px: y of a horizontal bar or x of a column
    top: int = 0  # px: y of a column's top edge


def horizontal(rows: list[tuple[str, int, str]], *, row_height: int = 26) -> list[Bar]:
    top = max((value for _l, value, _c in rows), default=0) or 1
    return [
        Bar(label, value, round(BAR_WIDTH * value / top), colour, offset=i * row_height)
        for i, (label, value, colour) in enumerate(rows)
    ]


def columns(rows: list[tuple[str, int]], *, column_width: int = 34) -> list[Bar]:
    top = max((value for _l, value in rows), default=0) or 1
    return [
        Bar(
            label,
            value,
            size := round(COLUMN_HEIGHT * value / top),
            offset=i * column_width,
            top=COLUMN_HEIGHT + 14 - size,
        )
        for i, (label, value) in enumerate(rows)
    ]


def _median_hours_in_review(user: User, team: Team | None) -> float | None:
    """Median time a claim waited in review before an editor decided (approved, or sent
    back), over the last 90 days, on this desk (or every desk the user may see)."""
    since = timezone.now() - timedelta(days=90)
    if team is not None:
        seconds = sql.median_review_seconds(since, team_id=team.pk)
    elif permissions.is_admin(user):
        seconds = sql.median_review_seconds(since)
    else:
        seconds = sql.median_review_seconds(since, teamless=True)
    return None if seconds is None else seconds / 3600


def dashboard(user: User, team: Team | None) -> dict[str, Any]:
    """The figures of one desk the user works on (with no desk: what the user may see)."""
    claims = permissions.desk_annotations(user)
    if team is not None:
        claims = claims.filter(version__article__team=team)
    by_state = dict(claims.values_list("state").annotate(n=Count("id")).order_by())
    verdicts = list(
        claims.filter(state__in=PUBLIC_STATES)
        .values_list("rating__label", "rating__colour")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    since = timezone.now() - timedelta(weeks=WEEKS)
    weekly = dict(
        claims.filter(published_at__gte=since)
        .annotate(week=TruncWeek("published_at"))
        .values_list("week")
        .annotate(n=Count("id", filter=Q(published_at__isnull=False)))
        .order_by()
    )
    this_week = timezone.localtime().date() - timedelta(days=timezone.localtime().weekday())
    weeks = [this_week - timedelta(weeks=i) for i in range(WEEKS - 1, -1, -1)]
    per_week = {week.date() if hasattr(week, "date") else week: n for week, n in weekly.items()}
    hours = _median_hours_in_review(user, team)
    return {
        "rows_height": 26 * len(State.values),
        "state_bars": horizontal(
            [(str(State(s).label), by_state.get(s, 0), "#0b5cad") for s in State.values]
        ),
        "verdict_bars": horizontal(
            [
                (gettext(label) if label else gettext("No verdict"), n, colour or "#6e7781")
                for label, colour, n in verdicts
            ]
        ),
        "week_columns": columns([(date_format(w, "j M"), per_week.get(w, 0)) for w in weeks]),
        "median_hours": hours,
        "total": sum(by_state.values()),
        "published_weeks": WEEKS,
        "column_height": COLUMN_HEIGHT,
        "bar_width": BAR_WIDTH,
    }
