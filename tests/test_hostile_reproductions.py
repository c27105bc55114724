"""Each server error reproduced against a running desk, as a test: a non-integer or
Unicode-digit id, a NUL byte, and the API truncating what the form refuses. None of them may
answer 500, and what is refused changes nothing.

(The sweep over every endpoint with every hostile value is tests/test_hostile_input.py.)"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth.models import User
from django.test import Client

from annotations.models import Annotation, Comment, CoverageJob
from annotations.review import services as review
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"


@pytest.fixture
def claim(article_text: str, team, factchecker: User) -> Annotation:  # type: ignore[no-untyped-def]
    _article, version = import_text(article_text, team=team, url="https://wire.example/story")
    return annotate(version, LORRIES, factchecker, claim="1,140 lorries crossed")


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_non_integer_version_is_not_found_not_a_server_error(claim, factchecker) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(factchecker)
    article = claim.version.article_id
    response = client.get(f"/articles/{article}/annotations/new/?version=abc&start=0&end=10")
    assert response.status_code == 404
    version = claim.version_id
    for start, end in (("²", "10"), ("0", "١٠"), ("-1", "10"), ("9" * 40, "10")):
        response = client.get(
            f"/articles/{article}/annotations/new/",
            {"version": version, "start": start, "end": end},
        )
        assert response.status_code == 400, (start, end)


@pytest.mark.parametrize("digit", ["²", "١٢", "①"])
def test_unicode_digits_are_not_ids(claim, factchecker, editor, digit: str) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(editor)
    article = claim.version.article_id
    gets = [
        (f"/articles/{article}/", {"version": digit}),
        (f"/articles/{article}/cards/", {"offset": digit}),
        ("/review/mine/", {"article": digit, "team": digit, "assignee": digit}),
        ("/review/mine/export.csv", {"article": digit}),
        ("/review/dashboard/", {"team": digit}),
        (f"/articles/{article}/diff/", {"from": digit, "to": digit}),
        (f"/api/articles/{article}/annotations", {"page": digit}),
    ]
    for url, query in gets:
        assert client.get(url, query).status_code < 500, (url, query)
    before = Annotation.objects.get(pk=claim.pk)
    posts = [
        (f"/review/claims/{claim.pk}/move/", {"action": "submit", "revision": digit}),
        (f"/review/claims/{claim.pk}/comments/", {"body": "Checked.", "parent": digit}),
        ("/review/bulk/", {"action": "approve", "ids": [digit]}),
        (f"/annotations/{claim.pk}/edit/", {"revision": digit, "claim": "x"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code < 500, (url, data)
    after = Annotation.objects.get(pk=claim.pk)
    assert (after.revision, after.state, after.claim) == (
        before.revision,
        before.state,
        before.claim,
    )


def test_a_nul_byte_is_refused_at_the_edge_naming_the_field(claim, factchecker, client) -> None:  # type: ignore[no-untyped-def]
    for url, query in (("/checks/", {"q": "\x00"}), ("/checks/", {"verdict": "a\x00"})):
        response = client.get(url, query)  # anonymous, public
        assert response.status_code == 400
        assert "contains a character that cannot be stored" in response.content.decode()
    desk = logged_in(factchecker)
    response = desk.get("/articles/", {"q": "lorries\x00"})
    assert response.status_code == 400 and "“q”" in response.content.decode()

    response = desk.post(f"/review/claims/{claim.pk}/comments/", {"body": "fine\x00 not"})
    assert response.status_code == 400 and "“body”" in response.content.decode()
    assert not Comment.objects.exists()

    response = desk.post(
        f"/articles/{claim.version.article_id}/coverage/",
        {"query": "Harrow\x00Pass", "providers": []},
    )
    assert response.status_code == 400
    assert not CoverageJob.objects.exists()


def test_the_csv_export_is_whole_or_refused(claim, factchecker) -> None:  # type: ignore[no-untyped-def]
    client = logged_in(factchecker)
    response = client.get("/review/mine/export.csv", {"q": "\x00"})
    assert response.status_code == 400
    response = client.get("/review/mine/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "id" and [row[0] for row in rows[1:]] == [str(claim.pk)]


def api_put(client: Client, claim: Annotation, body: list[dict[str, object]]):  # type: ignore[no-untyped-def]
    url = f"/api/annotations/{claim.pk}"
    etag = client.get(url)["ETag"]
    document = {"@context": "http://www.w3.org/ns/anno.jsonld", "type": "Annotation", "body": body}
    return client.put(
        url, data=json.dumps(document), content_type="application/json", headers={"If-Match": etag}
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([{"purpose": "describing", "value": "x" * 500}], "“describing” is 500 characters"),
        ([{"purpose": "tagging", "value": "t" * 80}], "“tagging” is 80 characters"),
        ([{"purpose": "commenting", "value": "nul \x00 here"}], "body[0].value"),
    ],
)
def test_the_api_refuses_what_the_form_refuses_and_names_the_field(
    claim, factchecker, body: list[dict[str, object]], field: str
) -> None:  # type: ignore[no-untyped-def]
    before = Annotation.objects.get(pk=claim.pk)
    response = api_put(logged_in(factchecker), claim, body)
    assert response.status_code == 400
    assert field in response.json()["error"] or field == response.json().get("field")
    after = Annotation.objects.get(pk=claim.pk)
    assert (after.claim, after.tags, after.rationale, after.revision) == (
        before.claim,
        before.tags,
        before.rationale,
        before.revision,
    )


def test_the_form_refuses_a_tag_too_long_instead_of_cutting_it(claim, factchecker) -> None:  # type: ignore[no-untyped-def]
    response = logged_in(factchecker).post(
        f"/annotations/{claim.pk}/edit/",
        {"revision": claim.revision, "verdict": "", "claim": "c", "tags": "t" * 80},
    )
    assert "a tag has at most 50" in response.content.decode()
    assert Annotation.objects.get(pk=claim.pk).tags == []


def test_a_review_move_with_a_stale_unicode_revision_changes_nothing(claim, factchecker) -> None:  # type: ignore[no-untyped-def]
    response = logged_in(factchecker).post(
        f"/review/claims/{claim.pk}/move/", {"action": "submit", "revision": "١"}
    )
    assert response.status_code < 500
    assert review.approvals_this_round(claim) == []
