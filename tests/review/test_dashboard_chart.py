"""The weekly chart's labels never overlap, however many weeks it shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from lxml import html as lxml_html

from annotations.models import Annotation
from annotations.review import charts
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db


def _drawn_labels(svg: lxml_html.HtmlElement) -> list[tuple[float, str]]:
    return [(float(t.get("x")), t.text) for t in svg.cssselect("text.chart-axis")]


def _assert_apart(labels: list[tuple[float, str]]) -> None:
    # Each label is centred on its x: two neighbours are clear of each other when their
    # centres are at least half of each width (plus a gap) apart.
    for (x1, a), (x2, b) in zip(labels, labels[1:], strict=False):
        needed = (charts.label_width(a) + charts.label_width(b)) / 2 + charts.LABEL_GAP
        assert x2 - x1 >= needed, f"{a!r} at {x1} and {b!r} at {x2} overlap"


@pytest.mark.parametrize("weeks", [1, 4, 12, 26, 52, 104, 400])
def test_drawn_labels_are_at_least_their_width_apart(weeks: int) -> None:
    rows = [(f"{(i % 28) + 1} Sep", i % 5) for i in range(weeks)]
    bars = charts.columns(rows)
    drawn = [(bar.centre, bar.label) for bar in bars if bar.show_label]
    _assert_apart(drawn)
    assert bars[-1].show_label  # the current week always keeps its label
    # The first and last labels, centred on their columns, stay inside the chart.
    first, last = drawn[0], drawn[-1]
    assert first[0] - charts.label_width(first[1]) / 2 >= 0
    assert last[0] + charts.label_width(last[1]) / 2 <= charts.columns_width(weeks)
    assert all(a.bar_x + a.bar_width <= b.bar_x for a, b in zip(bars, bars[1:], strict=False))
    if weeks <= 8:
        assert len(drawn) == weeks  # room for every label: none is dropped


def test_the_dashboard_draws_52_weeks_without_overlapping_labels(editor, factchecker, team) -> None:  # type: ignore[no-untyped-def]
    _article, version = import_text(
        "Toll rises\n\nThe toll rises to £5 in March, the council said.", team=team
    )
    claim = annotate(version, "£5 in March", factchecker)
    Annotation.objects.filter(pk=claim.pk).update(
        state="published", published_at=timezone.now() - timedelta(weeks=30)
    )
    client = Client()
    client.force_login(editor)

    for weeks in (12, 52):
        page = lxml_html.fromstring(client.get("/review/dashboard/", {"weeks": weeks}).content)
        [svg] = page.cssselect("svg#weekly-chart")
        labels = _drawn_labels(svg)
        _assert_apart(labels)
        assert len(svg.cssselect("rect")) == weeks
        assert 1 < len(labels) < weeks  # thinned, not dropped
        # Every week is still in the table for screen readers, with its count.
        cells = page.cssselect("table.chart-data")[-1].cssselect("td")
        assert len(cells) == weeks
    assert sum(int(c.text_content()) for c in cells) == 1  # the claim 30 weeks ago


def test_an_unknown_period_falls_back_to_twelve_weeks(editor) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(editor)
    for weeks in ("7", "abc", "-1", "99999999999999999999"):
        response = client.get("/review/dashboard/", {"weeks": weeks})
        assert response.status_code == 200
        [svg] = lxml_html.fromstring(response.content).cssselect("svg#weekly-chart")
        assert len(svg.cssselect("rect")) == 12
