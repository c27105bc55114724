"""The walk-through, steps 1 to 5, on a pasted article, acting from the claim cards and never
opening the admin: a fact-checker pastes an article with its original address, annotates a
claim and fixes what its checklist says is missing, submits it from the card; an editor
sends it back from the card with a comment; she fixes and resubmits; a different editor
approves and publishes from the card; the public page shows the verdict."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from annotations.models import Annotation, Article, Comment
from tests.browser.conftest import log_in
from tests.browser.test_workspace import drag_select

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
ORIGINAL = "https://kestrel-gazette.example/2025/03/ferry-fares-frozen"
# Our own short story, pasted as a fact-checker would.
ARTICLE = (
    "Kestrel Bay ferry fares frozen until next autumn\n\n"
    "The Kestrel Bay harbour authority said on Thursday that ferry fares will stay at 3.20 "
    "pounds until next October, the first freeze in 14 years.\n\n"
    "Chair Ruth Malley told the board that ticket sales had risen 18 percent since the spring "
    "timetable change. “We can hold the price because more people are travelling,” Malley said.\n\n"
    "Passenger groups welcomed the decision but said the northern route was still cancelled "
    "too often."
)
PHRASE = "ticket sales had risen 18 percent since the spring timetable change"
FIRST_SUMMARY = "Ferry ticket sales rose 18 percent after the timetable change"
FIXED_SUMMARY = "Harbour chair says ferry ticket sales rose 18 percent since spring"
CLAIMANT = "Ruth Malley, chair of the harbour authority"


def open_as(browser: Browser, base: str, username: str, seen: list[str]) -> Page:
    """A browser context of its own, logged in; every address it asks for is kept."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("request", lambda request: seen.append(request.url))
    log_in(page, base, username, PASSWORD)
    return page


def test_paste_annotate_review_and_publish_from_the_cards(
    browser: Browser, live_server, team, factchecker, editor, second_editor, artifacts
) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    seen: list[str] = []
    pages: list[Page] = []
    try:
        # 1. Amira pastes the article with where it was published.
        amira = open_as(browser, base, factchecker.username, seen)
        pages.append(amira)
        expect(amira).to_have_url(f"{base}/articles/")
        amira.get_by_role("link", name="Import", exact=True).click()
        expect(amira.locator("#import-details-why")).to_contain_text(
            "Publishing a verdict needs the article's original address"
        )
        amira.get_by_label("Paste the article").fill(ARTICLE)
        amira.get_by_label("Original address").fill(ORIGINAL)
        amira.get_by_label("Outlet").fill("Kestrel Gazette")
        amira.get_by_label("Published on").fill("2025-03-06")
        amira.screenshot(path=artifacts("cards-1-import-form.png"), full_page=True)
        amira.get_by_role("button", name="Import").click()
        article = Article.objects.get()
        expect(amira).to_have_url(f"{base}/articles/{article.pk}/")
        expect(amira.locator("#article-details")).to_contain_text(ORIGINAL)
        expect(amira.locator(".kicker")).to_contain_text("Kestrel Gazette")
        amira.locator(".article-head").screenshot(path=artifacts("cards-1b-article-details.png"))

        # 2. She annotates a claim, leaving the claimant for later: the card says so.
        amira.evaluate("window.__noReload = true")
        drag_select(amira, PHRASE)
        form = amira.locator("#annotation-form form")
        form.get_by_label("Verdict").select_option("unproven")
        form.get_by_label("Claim summary").fill(FIRST_SUMMARY)
        form.get_by_label("Claimant").fill("")
        form.get_by_label("Rationale").fill("The authority has not published its ticket figures.")
        form.get_by_role("button", name="Save annotation").click()
        expect(amira.locator("#annotation-cards .ann-card")).to_have_count(1)
        claim = Annotation.objects.get()
        card = amira.locator(f"#annotation-{claim.pk}")
        expect(card.locator(".ann-state")).to_have_text("Draft")
        expect(card.locator(".ready-title")).to_have_text("Ready to publish: 1 thing missing")
        expect(card.locator('.ready-item[data-item="claimant"]')).to_have_class(
            "ready-item missing"
        )
        card.scroll_into_view_if_needed()
        card.screenshot(path=artifacts("cards-2-draft-missing-claimant.png"))

        card.get_by_role("link", name="Name the claimant").click()
        card.get_by_label("Claimant").fill(CLAIMANT)
        card.get_by_role("button", name="Save changes").click()
        expect(card.locator(".ready-title")).to_have_text("Ready to publish: nothing missing")
        expect(card.locator(".ready-item.missing")).to_have_count(0)
        card.screenshot(path=artifacts("cards-3-draft-ready.png"))

        # 4. She submits it from the card; the header's review count appears at once.
        review_count = amira.locator("#nav-review-count")
        expect(review_count).to_be_hidden()
        card.get_by_role("button", name="Submit for review").click()
        expect(card.locator(".ann-state")).to_have_text("In review")
        expect(review_count).to_have_text("1")
        expect(review_count).to_have_attribute("aria-label", "1 waiting for review")
        amira.locator(".site-header").screenshot(path=artifacts("cards-4b-header-count.png"))
        expect(card.locator(".card-notice")).to_contain_text("Submitted for review")
        expect(card.locator("button[data-action=approve]")).to_have_count(0)
        expect(card.locator(".card-note")).to_contain_text("a different editor approves")
        card.screenshot(path=artifacts("cards-4-in-review-author.png"))
        assert amira.evaluate("window.__noReload") is True  # all of it without a page load

        # Jonas lands on his queue, opens the article and sends the claim back from its card.
        jonas = open_as(browser, base, editor.username, seen)
        pages.append(jonas)
        expect(jonas).to_have_url(f"{base}/review/needs-review/")
        expect(jonas.locator(f"#claim-{claim.pk}")).to_contain_text(FIRST_SUMMARY)
        jonas.get_by_role("link", name="Articles", exact=True).click()
        jonas.get_by_role("link", name=article.title).click()
        card = jonas.locator(f"#annotation-{claim.pk}")
        expect(card.locator("button[data-action=approve]")).to_be_visible()
        card.locator("summary", has_text="Request changes").click()
        card.get_by_label("What needs to change?").fill(
            "Say it is the chair's figure, not a fact: she gave no source."
        )
        card.screenshot(path=artifacts("cards-5-request-changes-form.png"))
        card.get_by_role("button", name="Send back to the author").click()
        expect(card.locator(".ann-state")).to_have_text("Changes requested")
        expect(card.locator(".card-notice")).to_contain_text("Sent back to the author")
        expect(jonas.locator("#nav-review-count")).to_be_hidden()  # nothing waits any more
        card.screenshot(path=artifacts("cards-6-changes-requested-editor.png"))
        assert Comment.objects.get(annotation=claim).body.startswith("Say it is the chair's")

        # Amira fixes the summary and submits again, from the card.
        amira.reload()
        card = amira.locator(f"#annotation-{claim.pk}")
        expect(card.locator(".ann-state")).to_have_text("Changes requested")
        expect(card.locator(".card-sent-back")).to_contain_text(
            "Say it is the chair's figure, not a fact"
        )
        card.screenshot(path=artifacts("cards-6b-changes-requested-author.png"))
        card.get_by_role("button", name="Edit").click()
        card.get_by_label("Claim summary").fill(FIXED_SUMMARY)
        card.get_by_role("button", name="Save changes").click()
        expect(card.locator(".ann-claim")).to_have_text(FIXED_SUMMARY)
        card.get_by_role("button", name="Submit for review").click()
        expect(card.locator(".ann-state")).to_have_text("In review")

        # Lena, another editor, approves and publishes from the card.
        lena = open_as(browser, base, second_editor.username, seen)
        pages.append(lena)
        expect(lena).to_have_url(f"{base}/review/needs-review/")
        lena.goto(f"{base}/articles/{article.pk}/")
        card = lena.locator(f"#annotation-{claim.pk}")
        expect(card.locator(".ann-claim")).to_have_text(FIXED_SUMMARY)
        card.screenshot(path=artifacts("cards-7-in-review-second-editor.png"))
        expect(lena.locator("#nav-review-count")).to_have_text("1")
        card.get_by_role("button", name="Approve").click()
        expect(card.locator(".ann-state")).to_have_text("Approved")
        expect(lena.locator("#nav-review-count")).to_be_hidden()
        expect(card.locator(".ready-title")).to_have_text("Ready to publish: nothing missing")
        card.screenshot(path=artifacts("cards-8-approved.png"))
        card.get_by_role("button", name="Publish").click()
        expect(card.locator(".ann-state")).to_have_text("Published")
        expect(card.locator(".card-notice")).to_contain_text("Published")
        card.screenshot(path=artifacts("cards-9-published.png"))

        # 5. The public page shows the verdict, for anyone.
        card.get_by_role("link", name="Public page").click()
        expect(lena).to_have_url(f"{base}/checks/{article.slug}/claims/{claim.pk}/")
        reader = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        pages.append(reader)
        reader.on("request", lambda request: seen.append(request.url))
        reader.goto(f"{base}/checks/{article.slug}/")
        mark = reader.locator(f"mark[data-annotation-id='{claim.pk}']")
        expect(mark).to_have_attribute("data-verdict", "unproven")
        expect(mark).to_contain_text(PHRASE)
        expect(reader.locator("body")).to_contain_text(FIXED_SUMMARY)
        expect(reader.locator("body")).to_contain_text("Unproven")
        reader.screenshot(path=artifacts("cards-10-public-page.png"), full_page=True)
        claim.refresh_from_db()
        assert claim.state == Annotation.State.PUBLISHED
        assert [t.actor.username for t in claim.transitions.order_by("id")] == [
            factchecker.username,
            editor.username,
            factchecker.username,
            second_editor.username,
            second_editor.username,
        ]
        assert not [url for url in seen if "/admin/" in url], "the walk-through opened the admin"
    finally:
        for page in pages:
            page.context.close()
