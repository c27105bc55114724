"""An approval approves content, not a claim: an edit after approval sends the claim back
to review (through the workspace form, the Web Annotation API and the sources), the
editors who changed it do not approve it, and publishing refuses content nobody approved.

The reproduction: an editor who wrote a claim changes its verdict (False -> True) after
another editor approved it. Before, the edit was accepted, the approval stood, and the claim
was published with a verdict nobody approved."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.test import Client

from annotations.models import Annotation, Notification, Rating, Source, Transition
from annotations.review import services as review
from annotations.workspace import services as workspace
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db

State = Annotation.State
TEXT = """Bridge toll to rise in spring

The council voted 9 to 4 on Tuesday to raise the bridge toll to £5.00 per crossing.

Residents will get a discount of 40 percent, the council's transport chair said.
"""
CLAIM = "raise the bridge toll to £5.00 per crossing"


@pytest.fixture
def approved(team, editor: User, second_editor: User) -> Annotation:
    """A claim the editor Jonas wrote ("False") and Lena, another editor, approved."""
    _article, version = import_text(TEXT, team=team, url="https://wire.example/bridge-toll")
    claim = annotate(
        version,
        CLAIM,
        editor,
        verdict="false",
        claim="The toll rises to £5",
        claimant="Bridge council",
        rationale="The minutes say £4.50.",
    )
    review.claim_move(annotation_id=claim.pk, user=editor, action="submit")
    claim, _ = review.claim_move(annotation_id=claim.pk, user=second_editor, action="approve")
    assert claim.state == State.APPROVED
    return claim


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def edit_form(claim: Annotation, **changes: str) -> dict[str, object]:
    fresh = Annotation.objects.select_related("rating").get(pk=claim.pk)
    return {
        "revision": fresh.revision,
        "verdict": fresh.rating.slug if fresh.rating else "",
        "claim": fresh.claim,
        "claimant": fresh.claimant,
        "rationale": fresh.rationale,
        "tags": "",
        **changes,
    }


def assert_back_in_review(claim: Annotation, by: User, what: str) -> Transition:
    fresh = Annotation.objects.get(pk=claim.pk)
    assert fresh.state == State.IN_REVIEW
    assert review.approvals_this_round(fresh) == []
    reopened = fresh.transitions.order_by("-created_at", "-id").first()
    assert reopened is not None
    assert (reopened.action, reopened.actor, reopened.from_state, reopened.to_state) == (
        "reopen",
        by,
        State.APPROVED,
        State.IN_REVIEW,
    )
    assert what in reopened.comment and "needs approval again" in reopened.comment
    return reopened


def test_the_editor_author_changes_the_verdict_after_approval_through_the_form(
    approved: Annotation, editor: User, second_editor: User
) -> None:
    response = logged_in(editor).post(
        f"/annotations/{approved.pk}/edit/", edit_form(approved, verdict="true")
    )
    assert response.status_code in (200, 302)

    assert_back_in_review(approved, editor, "the verdict: False → True")
    told = Notification.objects.get(kind=Notification.Kind.REOPENED, recipient=second_editor)
    assert "False → True" in told.text
    # Jonas wrote it: no notification to himself.
    assert not Notification.objects.filter(kind="reopened", recipient=editor).exists()

    # Nobody can publish what nobody approved; Lena approves the new verdict, then publishes.
    with pytest.raises(PermissionDenied):
        review.claim_move(annotation_id=approved.pk, user=second_editor, action="publish")
    review.claim_move(annotation_id=approved.pk, user=second_editor, action="approve")
    published, _ = review.claim_move(
        annotation_id=approved.pk, user=second_editor, action="publish"
    )
    assert published.state == State.PUBLISHED
    assert Annotation.objects.get(pk=approved.pk).rating.slug == "true"  # type: ignore[union-attr]
    approvals = Transition.objects.filter(annotation=approved, action="approve")
    assert [bool(a.content_digest) for a in approvals] == [True, True]
    assert approvals[0].content_digest != approvals[1].content_digest


def test_an_edit_through_the_web_annotation_api_sends_it_back_too(
    approved: Annotation, editor: User
) -> None:
    client = logged_in(editor)
    url = f"/api/annotations/{approved.pk}"
    etag = client.get(url, headers={"Accept": "application/ld+json"})["ETag"]
    body = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "type": "Annotation",
        "body": [{"type": "TextualBody", "purpose": "assessing", "value": "True"}],
    }
    response = client.put(
        url, data=json.dumps(body), content_type="application/json", headers={"If-Match": etag}
    )
    assert response.status_code == 200, response.content
    assert_back_in_review(approved, editor, "the verdict: False → True")


def test_a_source_added_after_approval_sends_it_back(
    approved: Annotation, editor: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.CELERY_TASK_ALWAYS_EAGER = False
    workspace.source_add(
        annotation_id=approved.pk,
        user=editor,
        url="https://council.example/minutes/toll",
        title="Council minutes",
    )
    assert_back_in_review(approved, editor, "the sources")
    assert Source.objects.filter(annotation=approved).count() == 1


def test_a_source_edited_after_approval_through_the_card_sends_it_back(
    team, editor: User, second_editor: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _article, version = import_text(TEXT, team=team, url="https://wire.example/bridge-toll")
    claim = annotate(version, CLAIM, editor, verdict="false", claim="The toll rises to £5")
    source = workspace.source_add(
        annotation_id=claim.pk, user=editor, url="https://council.example/minutes/toll"
    )
    review.claim_move(annotation_id=claim.pk, user=editor, action="submit")
    review.claim_move(annotation_id=claim.pk, user=second_editor, action="approve")
    assert Annotation.objects.get(pk=claim.pk).state == State.APPROVED

    client = logged_in(editor)
    form = client.get(f"/sources/{source.pk}/edit/", HTTP_HX_REQUEST="true").content.decode()
    assert "saving a change to its sources sends it back to review" in form
    loaded = form.split('name="loaded" value="')[1].split('"')[0]
    response = client.post(
        f"/sources/{source.pk}/edit/",
        {
            "url": source.url,
            "title": "Council minutes",
            "publisher": "",
            "quote": "£4.50 per crossing",
            "stance": "contradicts",
            "loaded": loaded,
        },
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "annotation-changed" in response.headers["HX-Trigger-After-Settle"]
    assert 'class="ann-state state state-in_review"' in response.content.decode()
    reopened = assert_back_in_review(claim, editor, "the sources: one edited")
    assert "title, quoted passage, stance" in reopened.comment
    told = Notification.objects.filter(annotation=claim, kind=Notification.Kind.REOPENED)
    assert set(told.values_list("recipient__username", flat=True)) == {second_editor.username}


def test_retrying_a_source_s_archive_leaves_the_approval_standing(
    approved: Annotation, editor: User
) -> None:
    source = Source.objects.create(
        annotation=approved,
        url="https://council.example/minutes/toll",
        archive_status=Source.ArchiveStatus.FAILED,
        archive_failure=Source.ArchiveFailure.TIMEOUT,
    )
    response = logged_in(editor).post(f"/sources/{source.pk}/retry/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Source.objects.get(pk=source.pk).archive_status == Source.ArchiveStatus.PENDING
    assert Annotation.objects.get(pk=approved.pk).state == State.APPROVED


def test_tags_are_not_content_a_tag_leaves_the_approval_standing(
    approved: Annotation, editor: User
) -> None:
    response = logged_in(editor).post(
        f"/annotations/{approved.pk}/edit/", edit_form(approved, tags="tolls")
    )
    assert response.status_code in (200, 302)
    fresh = Annotation.objects.get(pk=approved.pk)
    assert fresh.state == State.APPROVED and fresh.tags == ["tolls"]


def test_an_editor_who_changed_the_claim_in_review_does_not_approve_it(
    team, factchecker: User, editor: User, second_editor: User
) -> None:
    _article, version = import_text(TEXT, team=team, url="https://wire.example/bridge-toll")
    claim = annotate(version, CLAIM, factchecker, verdict="false", claim="The toll rises to £5")
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    fresh = Annotation.objects.get(pk=claim.pk)
    workspace.annotation_update(
        annotation_id=claim.pk,
        editor=editor,
        revision=fresh.revision,
        data=workspace.AnnotationInput(
            rating=Rating.objects.get(slug="true"), claim=fresh.claim, rationale="Checked."
        ),
    )
    edited = Annotation.objects.get(pk=claim.pk)
    assert edited.state == State.IN_REVIEW
    assert edited.transitions.order_by("-id").first().action == "edit"  # type: ignore[union-attr]

    # Jonas now shares the verdict's authorship: no approve button, and the move is refused.
    assert "approve" not in [a.name for a in review.allowed_actions(editor, edited)]
    with pytest.raises(PermissionDenied, match="You changed this verdict during review"):
        review.claim_move(annotation_id=claim.pk, user=editor, action="approve")
    outcome = review.bulk_apply(user=editor, annotation_ids=[claim.pk], action="approve")
    assert not outcome[0].ok and "You changed this verdict" in outcome[0].message
    # Lena did not touch it: she approves.
    approved, _ = review.claim_move(annotation_id=claim.pk, user=second_editor, action="approve")
    assert approved.state == State.APPROVED


def test_a_fact_checker_author_still_cannot_edit_a_claim_in_review(team, factchecker: User) -> None:
    _article, version = import_text(TEXT, team=team, url="https://wire.example/bridge-toll")
    claim = annotate(version, CLAIM, factchecker, verdict="false")
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    response = logged_in(factchecker).post(
        f"/annotations/{claim.pk}/edit/", edit_form(claim, verdict="true")
    )
    assert response.status_code == 403
    assert Annotation.objects.get(pk=claim.pk).rating.slug == "false"  # type: ignore[union-attr]


def test_publishing_refuses_content_that_is_not_what_was_approved(
    approved: Annotation, second_editor: User
) -> None:
    # Changed behind the services' back (a data fix, a bug): the publish check still holds.
    Annotation.objects.filter(pk=approved.pk).update(rating=Rating.objects.get(slug="true"))
    with pytest.raises(review.ReviewError, match="changed after it was approved"):
        review.claim_move(annotation_id=approved.pk, user=second_editor, action="publish")
    assert Annotation.objects.get(pk=approved.pk).state == State.APPROVED
