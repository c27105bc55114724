"""Walk-through step 4 in real browsers: a fact-checker submits a verdict, an editor sends it
back with an @mention picked from the autocomplete, she fixes it and submits again, a second
editor approves and publishes it; an editor never approves his own verdict, not even with a
crafted POST."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from annotations import roles
from annotations.models import Annotation, Notification, Transition
from annotations.review import services as review
from tests.browser.conftest import log_in
from tests.conftest import _user_with_role
from tests.factories import annotate, import_text

pytestmark = pytest.mark.browser

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
RAIDS = "Inspectors have raided 27 depots since the spring and impounded 14 tanker trailers"
MARROW = "Chief Inspector Ilse Marrow"
PASSWORD = "correct horse battery staple"
FIRST_CLAIM = "Cameras logged 1,140 fuel lorries at Harrow Pass in six months"
FIXED_CLAIM = "Customs says cameras logged 1,140 fuel lorries at Harrow Pass in six months"


@pytest.fixture
def second_editor(team) -> User:  # type: ignore[no-untyped-def]
    user = _user_with_role(
        "katrin", roles.EDITOR, is_staff=True, first_name="Katrin", last_name="Berg"
    )
    team.members.add(user)
    return user


@pytest.fixture
def wire_article(article_text: str, team):  # type: ignore[no-untyped-def]
    team.required_approvals = 1
    team.save(update_fields=["required_approvals"])
    article, _version = import_text(
        article_text,
        team=team,
        outlet="Wire service",
        url="https://wire.example/velmora-diesel-racket",
    )
    return article


def open_as(browser: Browser, base_url: str, username: str) -> Page:
    """A browser context of its own (its own cookies), logged in as `username`."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, base_url, username, PASSWORD)
    return page


def test_submit_send_back_fix_approve_publish(
    browser: Browser,
    live_server,
    factchecker,
    editor,
    second_editor,
    wire_article,
    artifacts,
) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    claim = annotate(
        wire_article.versions.get(),
        LORRIES,
        factchecker,
        verdict="unproven",
        claim=FIRST_CLAIM,
        claimant=MARROW,
    )
    claim_url = f"{base}/review/claims/{claim.pk}/"
    pages: list[Page] = []
    try:
        # 1. Amira submits her verdict for review.
        amira = open_as(browser, base, "amira")
        pages.append(amira)
        amira.goto(claim_url)
        expect(amira.locator("#claim-state")).to_have_text("Draft")
        amira.get_by_role("button", name="Submit for review").click()
        expect(amira.locator("#claim-state")).to_have_text("In review")
        expect(amira.locator(".message-success")).to_contain_text("Submit for review: done")

        # 2. Jonas finds it in his queue and sends it back, mentioning Amira.
        jonas = open_as(browser, base, "jonas")
        pages.append(jonas)
        jonas.goto(f"{base}/review/")
        expect(jonas).to_have_url(f"{base}/review/needs-review/")
        expect(jonas.get_by_role("heading", level=1)).to_have_text("Needs review")
        row = jonas.locator(f"#queue-list table.queue tbody tr#claim-{claim.pk}")
        expect(row).to_be_visible()
        expect(row.locator("td.claim")).to_have_text(FIRST_CLAIM)
        expect(row.locator(".verdict-chip")).to_have_text("Unproven")
        expect(row.locator(".state")).to_have_text("In review")
        expect(row).to_contain_text(factchecker.get_full_name())
        expect(jonas.locator("#queue-list .summary")).to_have_text("1 claim.")
        expect(jonas.locator("#nav-review-count")).to_have_text("1")
        jonas.screenshot(path=artifacts("review-queue.png"), full_page=True)

        row.get_by_role("link", name=FIRST_CLAIM).click()
        expect(jonas).to_have_url(claim_url)
        expect(jonas.locator("#claim-state")).to_have_text("In review")
        comment = jonas.get_by_label("What needs to change?")
        comment.click()
        comment.press_sequentially("Say it is the directorate's figure, not a fact. ")
        comment.press_sequentially("@ami")
        options = jonas.locator("ul.mention-list [role=option]")
        # Team members sorted by username: amira first (others match only by a random name).
        expect(options.first).to_have_attribute("data-username", "amira")
        expect(options.first).to_have_attribute("aria-selected", "true")
        expect(options.first).to_contain_text("@amira")
        jonas.screenshot(path=artifacts("review-mention-autocomplete.png"), full_page=True)
        comment.press("Enter")  # inserts the mention; it does not submit the form
        expect(jonas.locator("ul.mention-list")).to_have_count(0)
        expect(comment).to_have_value("Say it is the directorate's figure, not a fact. @amira ")
        comment.press_sequentially("please reword the summary.")
        jonas.get_by_role("button", name="Request changes").click()
        expect(jonas.locator("#claim-state")).to_have_text("Changes requested")
        expect(jonas.locator(".conversation .comment-body .mention")).to_have_text("@amira")
        jonas.screenshot(path=artifacts("review-changes-requested.png"), full_page=True)

        # 3. Amira sees the notifications, fixes the claim and submits it again.
        amira.goto(f"{base}/articles/")
        # One notice for the event: the mention of the author is carried by "sent back".
        expect(amira.locator(".bell .count")).to_have_text("1")
        amira.locator(".bell").click()
        expect(amira).to_have_url(f"{base}/notifications/")
        unread = amira.locator("li.notification.unread")
        expect(unread).to_have_count(1)
        sent_back = amira.locator("li.notification[data-kind=changes_requested]")
        expect(sent_back).to_contain_text(f"{editor.get_full_name()}: sent back to you")
        expect(sent_back).to_contain_text(FIRST_CLAIM)
        expect(sent_back).to_contain_text("@amira please reword the summary.")
        amira.screenshot(path=artifacts("review-notifications.png"), full_page=True)

        sent_back.get_by_role("link").click()
        expect(amira).to_have_url(claim_url)
        expect(amira.locator(".bell .count")).to_have_count(0)  # opening the claim read it
        expect(amira.locator("#claim-state")).to_have_text("Changes requested")
        amira.get_by_role("link", name="Edit it in the workspace").click()
        expect(amira).to_have_url(re.compile(rf"/articles/{wire_article.pk}/"))
        card = amira.locator(f"#annotation-{claim.pk}")
        expect(card.locator(".ann-state")).to_have_text("Changes requested")
        card.get_by_role("button", name="Edit").click()
        card.locator("input[name=claim]").fill(FIXED_CLAIM)
        card.get_by_role("button", name="Save changes").click()
        expect(card.locator(".ann-claim")).to_have_text(FIXED_CLAIM)
        amira.goto(claim_url)
        expect(amira.get_by_role("heading", level=1)).to_have_text(FIXED_CLAIM)
        amira.get_by_role("button", name="Submit for review").click()
        expect(amira.locator("#claim-state")).to_have_text("In review")
        expect(amira.locator("button[data-action=approve]")).to_have_count(0)

        # 4. Jonas's own verdict: no approve button for him, and a crafted POST is refused.
        own = annotate(
            wire_article.versions.get(),
            RAIDS,
            editor,
            verdict="unproven",
            claim="27 depots raided",
        )
        review.claim_move(annotation_id=own.pk, user=editor, action="submit")
        jonas.goto(f"{base}/review/claims/{own.pk}/")
        expect(jonas.locator("#claim-state")).to_have_text("In review")
        expect(jonas.locator(".review-actions .notice")).to_have_text(
            "You wrote this verdict: a different editor approves and publishes it."
        )
        expect(jonas.locator("button[data-action=approve]")).to_have_count(0)
        expect(jonas.locator("button[data-action=publish]")).to_have_count(0)
        expect(jonas.get_by_role("button", name="Withdraw from review")).to_be_visible()
        jonas.screenshot(path=artifacts("review-own-claim-no-approve.png"), full_page=True)

        token = jonas.locator("input[name=csrfmiddlewaretoken]").first.input_value()
        response = jonas.context.request.post(
            f"{base}/review/claims/{own.pk}/move/",
            form={"csrfmiddlewaretoken": token, "action": "approve"},
            headers={"X-CSRFToken": token},
        )
        assert response.status == 403, response.status
        assert "a different editor must approve it" in response.text()
        own.refresh_from_db()
        assert own.state == Annotation.State.IN_REVIEW
        assert not own.transitions.filter(action="approve").exists()

        # 5. Katrin, a second editor, approves Amira's claim and publishes it.
        katrin = open_as(browser, base, "katrin")
        pages.append(katrin)
        katrin.goto(claim_url)
        expect(katrin.locator("#claim-state")).to_have_text("In review")
        katrin.locator("button[data-action=approve]").click()
        expect(katrin.locator("#claim-state")).to_have_text("Approved")
        katrin.locator("button[data-action=publish]").click()
        expect(katrin.locator("#claim-state")).to_have_text("Published")
        expect(katrin.locator(".message-success")).to_contain_text("Publish: done")
        expect(
            katrin.locator("button[data-action=approve], button[data-action=publish]")
        ).to_have_count(0)
        katrin.screenshot(path=artifacts("review-published.png"), full_page=True)
    finally:
        for page in pages:
            page.context.close()

    claim.refresh_from_db()
    assert claim.state == Annotation.State.PUBLISHED and claim.published_at is not None
    assert claim.claim == FIXED_CLAIM
    moves = list(
        Transition.objects.filter(annotation=claim)
        .order_by("created_at", "id")
        .values_list("action", "actor__username", "to_state")
    )
    assert moves == [
        ("submit", "amira", "in_review"),
        ("request_changes", "jonas", "changes_requested"),
        ("submit", "amira", "in_review"),
        ("approve", "katrin", "approved"),
        ("publish", "katrin", "published"),
    ]
    assert claim.transitions.get(action="request_changes").comment.endswith(
        "@amira please reword the summary."
    )
    kinds = set(
        Notification.objects.filter(recipient=factchecker, annotation=claim).values_list(
            "kind", flat=True
        )
    )
    assert {"changes_requested", "approved", "published"} <= kinds
    assert "mention" not in kinds  # never two notices for one event
