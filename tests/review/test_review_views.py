"""The review pages as editors and fact-checkers use them: queues, polling, the claim page,
bulk actions, and every write endpoint's refusals."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from lxml import html as lxml_html

from annotations import roles
from annotations.models import Annotation, Notification
from annotations.review import services as review
from tests.conftest import _user_with_role
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db

CLAIM = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"


@pytest.fixture
def article(article_text, team):  # type: ignore[no-untyped-def]
    return import_text(article_text, team=team, url="https://wire.example/velmora-diesel-racket")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def submitted(article, author: User, phrase: str = CLAIM) -> Annotation:  # type: ignore[no-untyped-def]
    _article, version = article
    annotation = annotate(
        version,
        phrase,
        author,
        claim="1,140 full fuel lorries crossed Harrow Pass",
        claimant="Chief Inspector Ilse Marrow",
    )
    review.claim_move(annotation_id=annotation.pk, user=author, action="submit")
    annotation.refresh_from_db()
    return annotation


def test_queue_lists_waiting_claims_with_age_and_counts(article, factchecker, editor) -> None:
    claim = submitted(article, factchecker)
    Annotation.objects.filter(pk=claim.pk).update(
        state_changed_at=claim.state_changed_at.replace(year=claim.state_changed_at.year - 1)
    )
    page = client_for(editor).get("/review/", follow=True)
    assert page.status_code == 200
    doc = lxml_html.fromstring(page.content)
    rows = doc.cssselect("table.queue tbody tr")
    assert [row.get("data-state") for row in rows] == ["in_review"]
    assert "1,140 full fuel lorries crossed Harrow Pass" in rows[0].text_content()
    assert doc.cssselect("tr .age-stale"), "a claim waiting a year must stand out"
    assert doc.cssselect("#nav-review-count")[0].text_content().strip() == "1"


def test_queue_page_costs_the_same_queries_for_few_and_many_claims(
    article, factchecker, editor
) -> None:
    _article, version = article
    sentences = list(version.sentences.order_by("index"))

    def fill(count: int) -> None:
        for sentence in sentences[:count]:
            annotation = annotate(version, sentence.text, factchecker)
            review.claim_move(annotation_id=annotation.pk, user=factchecker, action="submit")

    client = client_for(editor)
    fill(2)
    client.get("/review/needs-review/")  # the rating scale is cached per process after this
    with CaptureQueriesContext(connection) as few:
        assert client.get("/review/needs-review/").status_code == 200
    fill(15)  # 15 more (spans may overlap): more claims, same queries
    client.get("/review/needs-review/")  # the navigation counts are cached until a change
    with CaptureQueriesContext(connection) as many:
        response = client.get("/review/needs-review/?sort=worthiness")
    assert response.status_code == 200
    assert len(lxml_html.fromstring(response.content).cssselect("table.queue tbody tr")) == 17
    assert len(many) == len(few)


def test_unchanged_poll_gets_304_and_a_change_gets_the_new_list(
    article, factchecker, editor, second_editor
) -> None:
    claim = submitted(article, factchecker)
    client = client_for(editor)
    first = client.get("/review/needs-review/", HTTP_HX_REQUEST="true")
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    again = client.get("/review/needs-review/", HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""

    review.claim_move(annotation_id=claim.pk, user=second_editor, action="approve")
    changed = client.get("/review/needs-review/", HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert b"No claim is waiting for review." in changed.content


def test_a_poll_etag_from_another_session_is_not_honoured(article, factchecker, editor) -> None:
    submitted(article, factchecker)
    etag = client_for(editor).get("/review/needs-review/", HTTP_HX_REQUEST="true")["ETag"]
    anonymous = Client().get(
        "/review/needs-review/", HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag
    )
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    other = client_for(factchecker).get(
        "/review/needs-review/", HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=etag
    )
    assert other.status_code == 200


def test_filters_narrow_the_queue_and_bad_values_are_explained(
    article, factchecker, editor
) -> None:
    submitted(article, factchecker)
    client = client_for(editor)
    by_verdict = client.get("/review/needs-review/?verdict=false")
    assert b"No claim matches these filters." in by_verdict.content
    unassigned = client.get("/review/needs-review/?assignee=none&age=1d")
    assert b"No claim matches these filters." in unassigned.content
    bad = client.get("/review/needs-review/?state=published&team=abc&assignee=<script>")
    assert bad.status_code == 200
    assert b"That state is not in this queue" in bad.content
    assert b"<script>" not in bad.content
    assert b"1,140 full fuel lorries" in bad.content


def test_author_sees_no_approve_button_and_a_crafted_post_is_refused(
    article, editor, second_editor
) -> None:
    claim = submitted(article, editor)
    client = client_for(editor)
    page = lxml_html.fromstring(client.get(f"/review/claims/{claim.pk}/").content)
    assert not page.cssselect('button[data-action="approve"], button[data-action="publish"]')
    assert "a different editor approves" in page.text_content()

    crafted = client.post(f"/review/claims/{claim.pk}/move/", {"action": "approve"})
    assert crafted.status_code == 403
    assert "different editor must approve" in crafted.content.decode()
    claim.refresh_from_db()
    assert claim.state == Annotation.State.IN_REVIEW

    other = lxml_html.fromstring(
        client_for(second_editor).get(f"/review/claims/{claim.pk}/").content
    )
    assert other.cssselect('button[data-action="approve"]')


def test_stale_form_changes_nothing_and_says_why(
    article, factchecker, editor, second_editor
) -> None:
    claim = submitted(article, factchecker)
    seen = claim.revision
    review.claim_move(
        annotation_id=claim.pk, user=second_editor, action="request_changes", comment="Source?"
    )
    response = client_for(editor).post(
        f"/review/claims/{claim.pk}/move/",
        {"action": "approve", "revision": seen},
        follow=True,
    )
    assert "changed since you opened it" in response.content.decode()
    claim.refresh_from_db()
    assert claim.state == Annotation.State.CHANGES_REQUESTED


def test_request_changes_needs_a_comment_and_keeps_nothing_half_done(
    article, factchecker, editor
) -> None:
    claim = submitted(article, factchecker)
    response = client_for(editor).post(
        f"/review/claims/{claim.pk}/move/", {"action": "request_changes", "comment": "  "}
    )
    assert response.status_code == 400
    assert "Say what needs to change" in response.content.decode()
    claim.refresh_from_db()
    assert claim.state == Annotation.State.IN_REVIEW


def test_comment_with_hostile_markup_is_shown_inert(article, factchecker, editor) -> None:
    claim = submitted(article, factchecker)
    hostile = (
        '<script>alert(1)</script><img src=x onerror="alert(2)"> [x](javascript:alert(3)) '
        '<a hx-get="/admin/" href="#">y</a> @amira'
    )
    client = client_for(editor)
    assert client.post(f"/review/claims/{claim.pk}/comments/", {"body": hostile}).status_code == 302
    doc = lxml_html.fromstring(client.get(f"/review/claims/{claim.pk}/").content)
    body = doc.cssselect(".comment-body")[0]
    assert not body.cssselect("script, img")
    for element in body.iter():
        assert not [name for name in element.attrib if name.startswith(("on", "hx-"))]
        assert not element.get("href", "").lower().startswith("javascript")
    assert body.cssselect("strong.mention")[0].text_content() == "@amira"
    assert Notification.objects.filter(recipient=factchecker, kind="mention").exists()


def test_bulk_approve_reports_each_item(article, factchecker, editor, second_editor) -> None:
    theirs = submitted(article, factchecker)
    own = submitted(article, editor, phrase="27 depots")
    response = client_for(editor).post(
        "/review/bulk/",
        {"action": "approve", "ids": [theirs.pk, own.pk, 999999], "next": "/review/needs-review/"},
    )
    assert response.status_code == 200
    rows = {
        row.get("data-annotation-id"): row
        for row in lxml_html.fromstring(response.content).cssselect(".bulk-results tbody tr")
    }
    assert rows[str(theirs.pk)].get("class") == "ok"
    assert rows[str(own.pk)].get("class") == "refused"
    assert "different editor" in rows[str(own.pk)].text_content()
    assert rows["999999"].get("class") == "refused"
    theirs.refresh_from_db()
    own.refresh_from_db()
    assert (theirs.state, own.state) == ("approved", "in_review")


def test_assigning_outside_the_team_is_refused(article, factchecker, editor) -> None:
    claim = submitted(article, factchecker)
    outsider = _user_with_role("outsider", roles.EDITOR)
    response = client_for(editor).post(
        f"/review/claims/{claim.pk}/assign/", {"assignee": outsider.pk}
    )
    assert response.status_code == 400
    assert "is not an editor of World desk" in response.content.decode()
    claim.refresh_from_db()
    assert claim.assignee is None
    taken = client_for(editor).post(f"/review/claims/{claim.pk}/assign/", {"assignee": "take"})
    assert taken.status_code == 302
    claim.refresh_from_db()
    assert claim.assignee == editor


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/review/claims/{pk}/move/", {"action": "approve"}),
        ("/review/claims/{pk}/assign/", {"assignee": "take"}),
        ("/review/claims/{pk}/comments/", {"body": "hello"}),
        ("/review/claims/{pk}/correct/", {"kind": "retract", "note": "x"}),
        ("/review/bulk/", {"action": "approve", "ids": ["{pk}"]}),
    ],
)
def test_every_write_endpoint_refuses_readers_and_strangers(
    article, factchecker, reader, path: str, data: dict
) -> None:
    claim = submitted(article, factchecker)
    url = path.format(pk=claim.pk)
    payload = {
        k: ([v.format(pk=claim.pk) for v in val] if isinstance(val, list) else val)
        for k, val in data.items()
    }
    assert client_for(reader).post(url, payload).status_code == 403
    anonymous = Client().post(url, payload)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert Client(enforce_csrf_checks=True).post(url, payload).status_code in (302, 403)
    assert client_for(factchecker).get(url).status_code == 405
    claim.refresh_from_db()
    assert claim.state == Annotation.State.IN_REVIEW
    assert claim.assignee is None
    assert not claim.comments.filter(body="hello").exists()


def test_csrf_is_required_for_moves(article, factchecker, editor) -> None:
    claim = submitted(article, factchecker)
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(f"/review/claims/{claim.pk}/move/", {"action": "approve"})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.state == Annotation.State.IN_REVIEW


def test_notifications_count_list_and_mark_read(article, factchecker, editor) -> None:
    claim = submitted(article, factchecker)
    review.claim_move(
        annotation_id=claim.pk,
        user=editor,
        action="request_changes",
        comment="Which customs dossier?",
    )
    client = client_for(factchecker)
    page = lxml_html.fromstring(client.get("/notifications/").content)
    assert page.cssselect(".bell .count")[0].text_content() == "1"
    assert "Which customs dossier?" in page.cssselect(".notification.unread")[0].text_content()
    client.post("/notifications/read/", {})
    page = lxml_html.fromstring(client.get("/notifications/").content)
    assert not page.cssselect(".bell .count") and not page.cssselect(".notification.unread")


def test_dashboard_draws_the_desk(article, factchecker, editor, second_editor) -> None:
    claim = submitted(article, factchecker)
    review.claim_move(annotation_id=claim.pk, user=editor, action="approve")
    review.claim_move(annotation_id=claim.pk, user=second_editor, action="publish")
    page = client_for(editor).get("/review/dashboard/")
    assert page.status_code == 200
    doc = lxml_html.fromstring(page.content)
    assert len(doc.cssselect("svg.chart")) == 3
    table = doc.cssselect("table.chart-data")[0].text_content()
    assert "Published" in table
    assert "Unproven" in doc.cssselect("table.chart-data")[1].text_content()
    assert doc.cssselect(".big-figure")[0].text_content().strip() != "—"


def test_published_claims_are_no_longer_editable_in_the_workspace(
    article, factchecker, editor, second_editor
) -> None:
    claim = submitted(article, factchecker)
    review.claim_move(annotation_id=claim.pk, user=editor, action="approve")
    review.claim_move(annotation_id=claim.pk, user=second_editor, action="publish")
    response = client_for(editor).post(
        f"/annotations/{claim.pk}/edit/",
        {"revision": claim.revision + 2, "verdict": "false", "claim": "changed"},
    )
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.rating.slug == "unproven"


def test_opening_a_claim_marks_its_notifications_read_by_post_never_by_get(
    article, factchecker, editor
) -> None:  # type: ignore[no-untyped-def]
    claim = submitted(article, factchecker)
    review.claim_move(
        annotation_id=claim.pk, user=editor, action="request_changes", comment="Which briefing?"
    )
    client = client_for(factchecker)
    unread = Notification.objects.filter(recipient=factchecker, read_at__isnull=True)
    ids = list(unread.values_list("id", flat=True))
    assert ids

    page = lxml_html.fromstring(client.get(f"/review/claims/{claim.pk}/").content)
    assert unread.count() == len(ids)  # the GET changed nothing
    form = page.cssselect('form[hx-trigger="load"]')[0]
    posted = [int(field.get("value")) for field in form.cssselect('input[name="ids"]')]
    assert sorted(posted) == sorted(ids)

    response = client.post(form.get("hx-post"), {"ids": posted}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert not unread.exists()
    bell = lxml_html.fragment_fromstring(response.content.decode())
    assert bell.get("hx-swap-oob") == "true" and not bell.cssselect(".count")
