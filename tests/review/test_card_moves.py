"""Acting where one reads: every card shows how far its claim is from publication (the
publish move's own checklist) and makes the review moves through the review service, with
the same rules as the claim page."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client
from lxml import html as lxml_html

from annotations import roles
from annotations.models import Annotation, Comment, Notification, Transition
from annotations.review import services as review
from annotations.workspace import services as workspace
from tests.conftest import _user_with_role
from tests.factories import TeamFactory, annotate, import_text

pytestmark = pytest.mark.django_db

State = Annotation.State
LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
SUMMARY = "1,140 full fuel lorries crossed Harrow Pass"
MARROW = "Chief Inspector Ilse Marrow"
HTMX = {"HTTP_HX_REQUEST": "true"}
ORIGINAL = "https://wire.example/velmora-diesel-racket"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pasted(article_text, team):  # type: ignore[no-untyped-def]
    """A pasted article with no original address: what publishing lacked before."""
    article, version = import_text(article_text, team=team)
    return article, version


@pytest.fixture
def wire(article_text, team):  # type: ignore[no-untyped-def]
    return import_text(article_text, team=team, original_url=ORIGINAL)


def claim_on(article_and_version, author: User, **fields: object) -> Annotation:  # type: ignore[no-untyped-def]
    _article, version = article_and_version
    values: dict[str, object] = {"claim": SUMMARY, "claimant": MARROW, **fields}
    return annotate(version, LORRIES, author, **values)


def move(client: Client, claim: Annotation, action: str, **data: object):  # type: ignore[no-untyped-def]
    claim.refresh_from_db()
    payload = {"action": action, "revision": claim.revision, **data}
    return client.post(f"/annotations/{claim.pk}/move/", payload, **HTMX)


def card(response) -> lxml_html.HtmlElement:  # type: ignore[no-untyped-def]
    return lxml_html.fragment_fromstring(response.content.decode(), create_parent="div")


def buttons(doc: lxml_html.HtmlElement) -> list[str]:
    return [b.get("data-action") for b in doc.cssselect(".card-moves button[data-action]")]


def checklist(doc: lxml_html.HtmlElement) -> dict[str, str]:
    return {li.get("data-item"): li.get("class").split()[-1] for li in doc.cssselect(".ready-item")}


def events(response) -> dict[str, object]:  # type: ignore[no-untyped-def]
    found: dict[str, object] = {}
    for header in ("HX-Trigger", "HX-Trigger-After-Settle"):
        if header in response:
            found.update(json.loads(response[header]))
    return found


# --- The checklist ----------------------------------------------------------------------------


def test_a_new_claim_shows_what_it_lacks_with_a_way_to_fix_each(pasted, factchecker) -> None:
    claim = claim_on(pasted, factchecker, claimant="")
    response = client_for(factchecker).get(f"/annotations/{claim.pk}/", **HTMX)
    doc = card(response)
    assert checklist(doc) == {
        "claim": "done",
        "verdict": "done",
        "claimant": "missing",
        "original_url": "missing",
    }
    assert "2 things missing" in doc.cssselect(".ready-title")[0].text_content()
    [claimant] = doc.cssselect('.ready-item[data-item="claimant"] a.ready-fix')
    assert claimant.get("hx-get") == f"/annotations/{claim.pk}/edit/"
    assert claimant.text_content() == "Name the claimant"
    [address] = doc.cssselect('.ready-item[data-item="original_url"] a.ready-fix')
    assert address.get("href") == f"/articles/{pasted[0].pk}/details/"
    assert address.get("hx-target") == "#article-details"
    # Submitting is not blocked by the checklist: only publishing needs all of it.
    assert buttons(doc) == ["submit"]


def test_the_workspace_draws_the_checklist_on_every_card(wire, factchecker) -> None:
    claim = claim_on(wire, factchecker)
    page = client_for(factchecker).get(f"/articles/{wire[0].pk}/")
    doc = lxml_html.fromstring(page.content)
    [panel] = doc.cssselect(f"#annotation-{claim.pk} .card-review")
    assert panel.cssselect(".ready-title")[0].text_content() == "Ready to publish: nothing missing"
    assert set(checklist(panel).values()) == {"done"}
    assert doc.cssselect(f"#annotation-{claim.pk} button[data-action=submit]")
    # The original address is on the page, with a way to change it.
    details = doc.cssselect("#article-details")[0]
    assert ORIGINAL in details.text_content()
    assert details.cssselect("a.details-edit")[0].text_content() == "Edit details"


def test_a_reader_without_a_role_sees_the_checklist_but_no_fixes_or_moves(
    pasted, factchecker, reader_client
) -> None:
    claim = claim_on(pasted, factchecker, claimant="")
    doc = card(reader_client.get(f"/annotations/{claim.pk}/", **HTMX))
    assert checklist(doc)["claimant"] == "missing"
    assert not doc.cssselect("a.ready-fix")
    assert "the author or an editor adds it" in doc.text_content()
    assert buttons(doc) == []


# --- Moves from the card ----------------------------------------------------------------------


def test_the_author_submits_from_the_card_and_gets_the_changed_card(wire, factchecker) -> None:
    claim = claim_on(wire, factchecker)
    response = move(client_for(factchecker), claim, "submit")
    assert response.status_code == 200
    doc = card(response)
    assert doc.cssselect(f"article#annotation-{claim.pk}")
    assert doc.cssselect(".ann-state")[0].text_content() == "In review"
    assert "Submitted for review" in doc.cssselect(".card-notice.ok")[0].text_content()
    assert buttons(doc) == ["withdraw"]
    assert "a different editor approves and publishes it" in doc.text_content()
    fired = events(response)
    assert fired["annotation-changed"] == {"id": claim.pk, "action": "moved"}
    assert fired["claim-moved"] == {"id": claim.pk, "action": "submit", "state": "in_review"}
    claim.refresh_from_db()
    assert claim.state == State.IN_REVIEW
    assert Transition.objects.get(annotation=claim).actor == factchecker


def header_count(response) -> lxml_html.HtmlElement:  # type: ignore[no-untyped-def]
    """The header's "Review (n)" carried out of band by a move's answer."""
    [count] = card(response).cssselect("#nav-review-count[hx-swap-oob=true]")
    return count


def test_a_move_redraws_the_headers_review_count_as_it_appears_and_goes(
    wire, factchecker, editor
) -> None:
    claim = claim_on(wire, factchecker)
    amira = client_for(factchecker)
    page = lxml_html.fromstring(amira.get(f"/articles/{wire[0].pk}/").content)
    [before] = page.cssselect("header #nav-review-count")
    assert before.get("hidden") is not None and before.text_content() == ""

    submitted = header_count(move(amira, claim, "submit"))
    assert submitted.text_content() == "1" and submitted.get("hidden") is None
    assert submitted.get("aria-label") == "1 waiting for review"

    # Sent back: nothing waits any more, but the element stays so the next move can fill it.
    sent = header_count(move(client_for(editor), claim, "request_changes", comment="Source?"))
    assert sent.get("hidden") is not None and sent.text_content() == ""
    assert sent.get("aria-label") is None


def test_the_review_count_a_move_sends_speaks_the_users_language(wire, factchecker) -> None:
    claim = claim_on(wire, factchecker)
    amira = client_for(factchecker)
    amira.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    count = header_count(move(amira, claim, "submit"))
    assert count.get("aria-label") == "1 pendiente de revisión"


def test_a_refused_move_leaves_the_header_alone(wire, factchecker) -> None:
    claim = claim_on(wire, factchecker)
    refused = move(client_for(factchecker), claim, "approve")
    assert card(refused).cssselect(".card-notice.refused")
    assert not card(refused).cssselect("#nav-review-count")


def test_a_plain_post_goes_back_to_the_workspace_with_a_message(wire, factchecker) -> None:
    claim = claim_on(wire, factchecker)
    client = client_for(factchecker)
    response = client.post(
        f"/annotations/{claim.pk}/move/", {"action": "submit", "revision": claim.revision}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/articles/{wire[0].pk}/#annotation-{claim.pk}"
    [message] = list(get_messages(response.wsgi_request))
    assert "Submitted for review" in str(message)
    # A refused plain move goes back the same way, with the reason.
    refused = client.post(f"/annotations/{claim.pk}/move/", {"action": "approve"})
    assert refused.status_code == 302
    texts = [str(m) for m in get_messages(refused.wsgi_request)]
    assert any("Only editors can approve" in t for t in texts)
    claim.refresh_from_db()
    assert claim.state == State.IN_REVIEW


def test_an_editor_requests_changes_with_a_comment_and_the_author_resubmits(
    wire, factchecker, editor
) -> None:
    claim = claim_on(wire, factchecker)
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    jonas = client_for(editor)
    doc = card(jonas.get(f"/annotations/{claim.pk}/", **HTMX))
    assert buttons(doc) == ["approve", "request_changes"]
    assert doc.cssselect(f"textarea#changes-{claim.pk}[name=comment]")

    empty = move(jonas, claim, "request_changes", comment="  ")
    assert empty.status_code == 200
    assert (
        "Say what needs to change"
        in card(empty).cssselect(".card-notice.refused")[0].text_content()
    )
    claim.refresh_from_db()
    assert claim.state == State.IN_REVIEW

    sent = move(jonas, claim, "request_changes", comment="Name the directorate as the source.")
    assert card(sent).cssselect(".ann-state")[0].text_content() == "Changes requested"
    assert Comment.objects.get(annotation=claim).body == "Name the directorate as the source."
    assert Notification.objects.filter(
        recipient=factchecker, kind=Notification.Kind.CHANGES_REQUESTED
    ).exists()

    amira = client_for(factchecker)
    doc = card(amira.get(f"/annotations/{claim.pk}/", **HTMX))
    assert buttons(doc) == ["submit"]
    [why] = doc.cssselect(".card-sent-back")
    assert f"Sent back by {editor.get_full_name()}" in why.text_content()
    assert "Name the directorate as the source." in why.text_content()
    again = move(amira, claim, "submit")
    assert card(again).cssselect(".ann-state")[0].text_content() == "In review"


def test_the_author_never_approves_her_own_verdict_even_with_a_crafted_post(
    wire, editor, second_editor
) -> None:
    claim = claim_on(wire, editor)
    review.claim_move(annotation_id=claim.pk, user=editor, action="submit")
    client = client_for(editor)
    doc = card(client.get(f"/annotations/{claim.pk}/", **HTMX))
    assert "approve" not in buttons(doc) and "publish" not in buttons(doc)
    response = move(client, claim, "approve")
    assert response.status_code == 200
    assert (
        "a different editor must approve it"
        in card(response).cssselect(".card-notice")[0].text_content()
    )
    assert "annotation-changed" not in events(response)
    assert not Transition.objects.filter(annotation=claim, action="approve").exists()


def test_an_editor_who_changed_the_verdict_in_review_may_not_approve_it(
    wire, factchecker, editor, second_editor
) -> None:
    claim = claim_on(wire, factchecker)
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    claim.refresh_from_db()
    workspace.annotation_update(
        annotation_id=claim.pk,
        editor=editor,
        revision=claim.revision,
        data=workspace.AnnotationInput(
            rating=claim.rating, claim="Customs: " + SUMMARY, claimant=MARROW
        ),
    )
    jonas = client_for(editor)
    doc = card(jonas.get(f"/annotations/{claim.pk}/", **HTMX))
    assert buttons(doc) == ["request_changes"]
    assert "You changed this verdict during review" in doc.text_content()
    refused = move(jonas, claim, "approve")
    assert "a different editor must approve it" in card(refused).text_content()
    # Another editor may.
    approved = move(client_for(second_editor), claim, "approve")
    assert card(approved).cssselect(".ann-state")[0].text_content() == "Approved"


def test_a_fact_checker_of_the_desk_is_refused_approval_with_the_reason(
    wire, factchecker, team
) -> None:
    colleague = _user_with_role("noor", roles.FACT_CHECKER)
    team.members.add(colleague)
    claim = claim_on(wire, factchecker)
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    client = client_for(colleague)
    assert buttons(card(client.get(f"/annotations/{claim.pk}/", **HTMX))) == []
    response = move(client, claim, "approve")
    assert response.status_code == 200
    assert (
        "Only editors can approve"
        in card(response).cssselect(".card-notice.refused")[0].text_content()
    )
    claim.refresh_from_db()
    assert claim.state == State.IN_REVIEW


def test_another_desk_gets_404_for_the_card_and_its_moves(wire, factchecker) -> None:
    claim = claim_on(wire, factchecker)
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    other_desk = TeamFactory(name="Sports desk", slug="sports-desk")
    outsider = _user_with_role("otto", roles.EDITOR)
    other_desk.members.add(outsider)
    client = client_for(outsider)
    assert client.get(f"/annotations/{claim.pk}/", **HTMX).status_code == 404
    assert move(client, claim, "approve").status_code == 404
    assert client.post(f"/annotations/{claim.pk}/move/", {"action": "approve"}).status_code == 404
    claim.refresh_from_db()
    assert claim.state == State.IN_REVIEW


def test_another_desks_editor_cannot_move_a_published_claim_they_may_read(
    wire, factchecker, editor, second_editor
) -> None:
    claim = claim_on(wire, factchecker)
    for user, action in ((factchecker, "submit"), (editor, "approve"), (second_editor, "publish")):
        review.claim_move(annotation_id=claim.pk, user=user, action=action)
    other_desk = TeamFactory(name="Sports desk", slug="sports-desk")
    outsider = _user_with_role("otto", roles.EDITOR)
    other_desk.members.add(outsider)
    client = client_for(outsider)
    doc = card(client.get(f"/annotations/{claim.pk}/", **HTMX))
    assert not doc.cssselect(".card-review") and buttons(doc) == []
    assert doc.cssselect(f'a[href="/checks/{wire[0].slug}/claims/{claim.pk}/"]')
    response = move(client, claim, "request_changes", comment="Looks off.")
    assert response.status_code == 200
    [notice] = card(response).cssselect(".card-notice.refused")
    assert "not possible for a claim that is “Published”" in notice.text_content()
    claim.refresh_from_db()
    assert claim.state == State.PUBLISHED


def test_publishing_from_the_card_says_what_is_missing_and_works_once_it_is_added(
    pasted, factchecker, editor, second_editor
) -> None:
    article, _version = pasted
    claim = claim_on(pasted, factchecker)
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    review.claim_move(annotation_id=claim.pk, user=editor, action="approve")
    lena = client_for(second_editor)
    doc = card(lena.get(f"/annotations/{claim.pk}/", **HTMX))
    assert buttons(doc) == ["publish", "request_changes"]
    assert checklist(doc)["original_url"] == "missing"

    refused = move(lena, claim, "publish")
    notice = card(refused).cssselect(".card-notice.refused")[0].text_content()
    assert "the article's original URL" in notice and "Article details" in notice
    assert "admin" not in notice
    claim.refresh_from_db()
    assert claim.state == State.APPROVED

    saved = lena.post(
        f"/articles/{article.pk}/details/",
        {"original_url": ORIGINAL, "outlet": "Wire service", "published": "2025-03-04"},
        **HTMX,
    )
    assert saved.status_code == 200
    assert "article-details-changed" in events(saved)
    doc = card(lena.get(f"/annotations/{claim.pk}/?part=review", **HTMX))
    assert doc.cssselect(f"section#review-{claim.pk}") and set(checklist(doc).values()) == {"done"}

    published = move(lena, claim, "publish")
    doc = card(published)
    assert doc.cssselect(".ann-state")[0].text_content() == "Published"
    assert not doc.cssselect(".ready-list")  # published: nothing left to check
    public = doc.cssselect(".card-links a")[-1].get("href")
    assert public == f"/checks/{article.slug}/claims/{claim.pk}/"
    assert Client().get(public).status_code == 200


def test_a_stale_or_damaged_form_is_refused_with_a_message_and_nothing_moves(
    wire, factchecker
) -> None:
    claim = claim_on(wire, factchecker)
    client = client_for(factchecker)
    stale = client.post(
        f"/annotations/{claim.pk}/move/",
        {"action": "submit", "revision": claim.revision + 5},
        **HTMX,
    )
    assert stale.status_code == 200
    assert "changed since you opened it" in card(stale).text_content()
    for data in (
        {"action": "submit", "revision": "abc"},
        {"action": "correct", "revision": claim.revision},
        {"action": "<script>", "revision": claim.revision},
        {},
    ):
        response = client.post(f"/annotations/{claim.pk}/move/", data, **HTMX)
        assert response.status_code == 200, data
        assert card(response).cssselect(".card-notice.refused"), data
        assert b"<script>" not in response.content
    claim.refresh_from_db()
    assert claim.state == State.DRAFT
    assert not Transition.objects.filter(annotation=claim).exists()


def test_two_approvals_are_counted_on_the_card(
    wire, factchecker, editor, second_editor, team
) -> None:
    team.required_approvals = 2
    team.save(update_fields=["required_approvals"])
    claim = claim_on(wire, factchecker)
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    first = move(client_for(editor), claim, "approve")
    doc = card(first)
    assert "One more editor must approve" in doc.cssselect(".card-notice.ok")[0].text_content()
    assert "You approved it" in doc.text_content()
    assert "Approvals: 1 of 2." in doc.text_content()
    second = move(client_for(second_editor), claim, "approve")
    assert card(second).cssselect(".ann-state")[0].text_content() == "Approved"


def test_anonymous_moves_go_to_the_login_page(wire, factchecker) -> None:
    claim = claim_on(wire, factchecker)
    response = Client().post(f"/annotations/{claim.pk}/move/", {"action": "submit"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
