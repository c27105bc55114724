"""Ids from forms and query strings: anything that is not a plain short number is no id,
and no endpoint answers such a value with a server error."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from annotations.http import parse_id
from tests.factories import annotate, import_text

HOSTILE = ["²", "123456789x", "99999999999999999999", "-1", " 1", "1e3", "٣", ""]


@pytest.mark.parametrize(
    ("value", "expected"), [("7", 7), ("000123", 123), ("999999999", 999999999)]
)
def test_plain_numbers_are_ids(value: str, expected: int) -> None:
    assert parse_id(value) == expected


@pytest.mark.parametrize("value", [*HOSTILE, None])
def test_anything_else_is_no_id(value: str | None) -> None:
    assert parse_id(value) is None


@pytest.mark.django_db
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_ids_never_cause_a_server_error(
    value: str, article_text: str, team, factchecker: User, editor: User
) -> None:  # type: ignore[no-untyped-def]
    article, version = import_text(article_text, team=team)
    claim = annotate(version, "1,140 lorries", factchecker)
    client = Client()
    client.force_login(editor)
    a, c = article.pk, claim.pk
    requests = [
        ("get", f"/articles/{a}/", {"version": value}),
        ("get", f"/articles/{a}/cards/", {"offset": value, "version": value}),
        ("get", f"/articles/{a}/annotations/new/", {"version": value, "start": 0, "end": 5}),
        ("post", f"/articles/{a}/annotations/", {"version": value}),
        ("get", "/review/needs-review/", {"assignee": value, "article": value, "team": value}),
        ("get", "/review/dashboard/", {"team": value}),
        ("post", "/review/bulk/", {"ids": value, "action": "take"}),
        ("post", "/notifications/read/", {"ids": value}),
        ("post", f"/review/claims/{c}/move/", {"action": "submit", "revision": value}),
        ("post", f"/review/claims/{c}/assign/", {"assignee": value}),
        ("post", f"/review/claims/{c}/comments/", {"body": "Look.", "parent": value}),
    ]
    for method, url, data in requests:
        response = getattr(client, method)(url, data)
        assert response.status_code < 500, (method, url, data, response.status_code)
