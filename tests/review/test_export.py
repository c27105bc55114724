"""The queue's CSV export as a spreadsheet reads it."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from django.test import Client
from django.test.utils import override_settings

from annotations.models import Annotation
from annotations.review import services as review
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db


def _export(user) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    response = client.get("/review/needs-review/export.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def _submitted(article_text, team, factchecker) -> Annotation:  # type: ignore[no-untyped-def]
    _article, version = import_text(article_text, team=team)
    claim = annotate(version, "1,140 lorries", factchecker)
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    # A moment with microseconds, as every stored time has.
    moment = datetime.fromisoformat("2026-11-27T21:04:05.123456+00:00")
    Annotation.objects.filter(pk=claim.pk).update(state_changed_at=moment)
    return claim


@override_settings(TIME_ZONE="America/Bogota")
def test_times_are_iso_8601_to_the_second_in_the_desks_time_zone(
    article_text, team, factchecker, editor
) -> None:  # type: ignore[no-untyped-def]
    _submitted(article_text, team, factchecker)
    [row] = _export(editor)
    assert row["in state since"] == "2026-11-27T16:04:05-05:00"


def test_utc_desks_get_the_utc_offset(article_text, team, factchecker, editor) -> None:  # type: ignore[no-untyped-def]
    _submitted(article_text, team, factchecker)
    [row] = _export(editor)
    assert row["in state since"] == "2026-11-27T21:04:05+00:00"
