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
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext

from annotations import permissions
from annotations.models import PUBLIC_STATES, Annotation, Team
from annotations.review import sql

State = Annotation.State
WEEKS = 12
WEEK_CHOICES = (12, 26, 52)  # the periods the dashboard offers
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
    width: int = 0  # px: a column's width
    show_label: bool = True  # a column's label is drawn (thinned so that none overlap)

    @property
    def centre(self) -> int:
        return self.offset + self.width // 2

    @property
    def bar_width(self) -> int:
        """A column's drawn width: its slot less a gap to the next."""
        return max(1, self.width - max(1, min(6, self.width // 5)))

    @property
    def bar_x(self) -> int:
        return self.offset + (self.width - self.bar_width) // 2

    @property
    def value_fits(self) -> bool:
        """Whether a column's value fits above it (narrow columns leave it to the table)."""
        return label_width(str(self.value)) + 2 <= self.width


def horizontal(rows: list[tuple[str, int, str]], *, row_height: int = 26) -> list[Bar]:
    top = max((value for _l, value, _c in rows), default=0) or 1
    return [
        Bar(label, value, round(BAR_WIDTH * value / top), colour, offset=i * row_height)
        for i, (label, value, colour) in enumerate(rows)
    ]


COLUMNS_WIDTH = 416  # px the columns share, however many there are
MIN_COLUMN = 4  # px: past 104 columns the chart grows wider instead
AXIS_FONT_PX = 12  # .chart-axis in app.css
LABEL_GAP = 6  # px at least between two drawn labels


def label_width(label: str) -> int:
    """A generous estimate of a label's drawn width: 0.62 em a character, the width of a
    digit or a lower-case letter in the system sans-serif fonts (capitals are few here)."""
    return round(len(label) * AXIS_FONT_PX * 0.62)


LABEL_PAD = label_width("30 Sep") // 2 + 2  # px left and right of the columns


def label_step(labels: list[str], column_width: int) -> int:
    """Draw every k-th label, k the smallest that keeps each label clear of the next."""
    widest = max((label_width(label) for label in labels), default=0)
    return max(1, -(-(widest + LABEL_GAP) // max(column_width, 1)))


def columns_width(count: int) -> int:
    """The chart's whole width: the columns, and room either side for the first and last
    labels, which are centred on their columns."""
    return max(COLUMNS_WIDTH, count * MIN_COLUMN) + 2 * LABEL_PAD


def columns(rows: list[tuple[str, int]]) -> list[Bar]:
    """Columns side by side in COLUMNS_WIDTH px, whatever their number. Labels are thinned to
    every k-th column, counted back from the last (the current week keeps its label);
    every value stays in the table beside the chart."""
    top = max((value for _l, value in rows), default=0) or 1
    column_width = max(MIN_COLUMN, COLUMNS_WIDTH // max(len(rows), 1))
    step = label_step([label for label, _v in rows], column_width)
    last = len(rows) - 1
    return [
        Bar(
            label,
            value,
            size := round(COLUMN_HEIGHT * value / top),
            offset=LABEL_PAD + i * column_width,
            top=COLUMN_HEIGHT + 14 - size,
            width=column_width,
            show_label=(last - i) % step == 0,
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


def dashboard(user: User, team: Team | None, *, weeks: int = WEEKS) -> dict[str, Any]:
    """The figures of one desk the user works on (with no desk: what the user may see),
    with checks published per week over the last `weeks` weeks."""
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
    since = timezone.now() - timedelta(weeks=weeks)
    weekly = dict(
        claims.filter(published_at__gte=since)
        .annotate(week=TruncWeek("published_at"))
        .values_list("week")
        .annotate(n=Count("id", filter=Q(published_at__isnull=False)))
        .order_by()
    )
    this_week = timezone.localtime().date() - timedelta(days=timezone.localtime().weekday())
    mondays = [this_week - timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
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
        "week_columns": columns([(date_format(w, "j M"), per_week.get(w, 0)) for w in mondays]),
        "median_hours": hours,
        "total": sum(by_state.values()),
        "published_weeks": weeks,
        "week_choices": WEEK_CHOICES,
        "columns_width": columns_width(weeks),
        "column_height": COLUMN_HEIGHT,
        "bar_width": BAR_WIDTH,
    }
