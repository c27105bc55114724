"""The desk without a mouse. A fact-checker pastes an article, makes a claim from one of its
sentences and submits it; an editor, in a login of his own, approves and publishes it: after
each page.goto only keys are pressed, and wherever the focus lands a ring shows it. Forms
that open take the focus and give it back to the control that opened them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from annotations.models import Annotation, Article
from tests.factories import annotate, import_text

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
URL = "https://wire.example/velmora-diesel-racket"
MARROW = "Chief Inspector Ilse Marrow"
LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
SUMMARY = "Cameras logged 1,140 fuel lorries crossing Harrow Pass"

# What has the focus: enough to recognise a control, and whether a ring shows around it that
# nothing covers (WCAG 2.4.7 focus visible, 2.4.11 focus not obscured).
FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    const x = Math.min(Math.max(box.left + 2, 0), innerWidth - 1);
    const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
    const top = document.elementFromPoint(x, y);
    const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
    return {
        tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute('name') || '',
        text: (el.innerText || '').trim(), label: label.trim(),
        aria: el.getAttribute('aria-label') || '',
        ring: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
              || (style.boxShadow !== 'none'),
        inView: box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth,
        uncovered: top !== null && (el === top || el.contains(top) || top.contains(el)),
    };
}"""


def focused(page: Page) -> dict[str, object]:
    return page.evaluate(FOCUSED) or {}


def matches(state: dict[str, object], tag: str, text: str | None) -> bool:
    if state.get("tag") != tag:
        return False
    if text is None:
        return True
    said = " ".join(str(state.get(key, "")) for key in ("text", "label", "aria", "name"))
    return text in said


def tab_to(page: Page, tag: str, text: str | None = None, *, limit: int = 120) -> None:
    """Press Tab until a `tag` element whose text, label or name holds `text` has the focus,
    as a keyboard user does; fails if it is not reached within `limit` presses."""
    for _ in range(limit):
        if matches(focused(page), tag, text):
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached <{tag}> {text!r}; the focus is on {focused(page)}")


def assert_ring(page: Page, shot: Callable[[str], Path], name: str) -> None:
    """The focused control shows a ring, is on screen and is not hidden under anything;
    a screenshot keeps what it looked like."""
    state = focused(page)
    assert state, "the focus fell back to the page"
    assert state["ring"], f"no visible focus indicator on {state}"
    assert state["inView"] and state["uncovered"], f"the focused control is hidden: {state}"
    page.screenshot(path=shot(f"keyboard-{name}.png"))


def log_in_with_keys(page: Page, base: str, username: str, landing: str = "/articles/") -> None:
    page.goto(f"{base}/accounts/login/")
    expect(page.get_by_label("Username")).to_be_focused()  # autofocus
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}{landing}")


def test_import_annotate_submit_approve_publish_with_the_keyboard_only(
    browser: Browser, live_server, factchecker, editor, article_text: str, artifacts
) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    page.set_default_timeout(10_000)

    # 1. Import: from the navigation to the import page; the article pasted (Ctrl+V).
    log_in_with_keys(page, base, "amira")
    tab_to(page, "a", "Import")
    assert_ring(page, artifacts, "1-nav-import")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/articles/import/")
    tab_to(page, "textarea", "Paste the article")
    assert_ring(page, artifacts, "2-paste")
    page.evaluate("(text) => navigator.clipboard.writeText(text)", article_text)
    page.keyboard.press("Control+V")
    expect(page.get_by_label("Paste the article")).to_have_value(article_text)
    tab_to(page, "input", "Original address")
    page.keyboard.type(URL)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Outlet")).to_be_focused()
    page.keyboard.type("Wire service")
    tab_to(page, "button", "Import")
    assert_ring(page, artifacts, "3-import-button")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/articles/\d+/$"))
    article = Article.objects.get()
    assert (article.canonical_url or article.url, article.outlet) == (URL, "Wire service")

    # 2. Annotate: Tab reaches the text (one stop), the arrow keys walk its sentences,
    # Enter makes a claim from the one with the lorries.
    tab_to(page, "span", None)
    state = focused(page)
    assert state["id"] == "s-0", state  # the headline: the text's single Tab stop
    assert_ring(page, artifacts, "4-text")
    for _ in range(20):
        if LORRIES in str(focused(page).get("text")):
            break
        page.keyboard.press("ArrowDown")
    sentence = focused(page)
    assert LORRIES in str(sentence["text"]), sentence
    assert_ring(page, artifacts, "5-sentence")
    page.keyboard.press("Enter")
    form = page.locator("#annotation-form form")
    expect(form.get_by_label("Verdict")).to_be_focused()
    page.keyboard.type("u")  # Unproven
    expect(form.get_by_label("Verdict")).to_have_value("unproven")
    assert_ring(page, artifacts, "6-verdict")
    page.keyboard.press("Tab")
    page.keyboard.type(SUMMARY)
    page.keyboard.press("Tab")
    expect(form.get_by_label("Claimant")).to_be_focused()
    expect(form.get_by_label("Claimant")).to_have_value(MARROW)  # suggested
    page.keyboard.press("Tab")
    page.keyboard.type("The directorate released no camera footage.")
    page.keyboard.press("Tab")
    page.keyboard.type("diesel")
    page.keyboard.press("Enter")  # in a text field: submits the form
    claim_mark = page.locator("mark[data-verdict='unproven']")
    expect(claim_mark.first).to_be_visible()
    expect(page.locator("#annotation-form form")).to_have_count(0)
    # The form closed: the focus is back on the sentence it was made from.
    expect(page.locator(f"#{sentence['id']}")).to_be_focused()
    assert_ring(page, artifacts, "7-back-on-sentence")
    claim = Annotation.objects.get()
    assert (claim.exact, claim.claim, claim.claimant) == (
        sentence["text"],
        SUMMARY,
        MARROW,
    )

    # 3. Submit, from the claim's card (n jumps to it): nothing is missing on its checklist.
    page.keyboard.press("n")
    card = page.locator(f"#annotation-{claim.pk}")
    expect(card).to_be_focused()
    expect(card.locator(".ready-title")).to_have_text("Ready to publish: nothing missing")
    tab_to(page, "button", "Submit for review")
    assert_ring(page, artifacts, "8-submit")
    page.keyboard.press("Enter")
    expect(card.locator(".ann-state")).to_have_text("In review")
    # The button is gone from the redrawn card: the focus is on the card, not lost.
    expect(card).to_be_focused()
    assert_ring(page, artifacts, "9-submitted")
    tab_to(page, "button", "Log out")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    context.close()

    # 4. An editor, in a browser of his own, lands on his queue: the claim, Approve, Publish.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in_with_keys(page, base, "jonas", landing="/review/needs-review/")
    tab_to(page, "a", SUMMARY)
    assert_ring(page, artifacts, "10-queue")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/review/claims/{claim.pk}/")
    tab_to(page, "button", "Approve")
    assert_ring(page, artifacts, "11-approve")
    page.keyboard.press("Enter")
    expect(page.locator("#claim-state")).to_have_text("Approved")
    tab_to(page, "button", "Publish")
    assert_ring(page, artifacts, "12-publish")
    page.keyboard.press("Enter")
    expect(page.locator("#claim-state")).to_have_text("Published")
    claim.refresh_from_db()
    assert claim.state == Annotation.State.PUBLISHED
    tab_to(page, "a", "Public page")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(SUMMARY)
    context.close()


def test_forms_take_the_focus_and_give_it_back(
    browser: Browser, live_server, factchecker, editor, article_text: str, artifacts
) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    _article, version = import_text(article_text, team=factchecker.teams.get(), url=URL)
    claim = annotate(version, LORRIES, factchecker, claim="Lorries at Harrow Pass")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in_with_keys(page, base, "amira")
    page.goto(f"{base}/articles/{version.article_id}/")
    card = page.locator(f"#annotation-{claim.pk}")

    # The edit form: opened with Enter on Edit, it takes the focus; Escape gives it back.
    tab_to(page, "button", "Edit")
    page.keyboard.press("Enter")
    verdict = card.locator("form.ann-form").get_by_label("Verdict")
    expect(verdict).to_be_focused()
    assert_ring(page, artifacts, "edit-open")
    page.keyboard.press("Escape")
    expect(card.locator("form.ann-form")).to_have_count(0)
    expect(card.get_by_role("button", name="Edit")).to_be_focused()

    # Saved: the focus is back on Edit, in the card redrawn with the change.
    page.keyboard.press("Enter")
    expect(verdict).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("Lorries crossing Harrow Pass, per customs")
    page.keyboard.press("Enter")
    expect(card.locator(".ann-claim")).to_have_text("Lorries crossing Harrow Pass, per customs")
    expect(card.get_by_role("button", name="Edit")).to_be_focused()
    assert_ring(page, artifacts, "edit-saved")

    # The add-source form: refused with an error, the focus is on the field to fix; Cancel
    # (here Escape) brings it back to "+ Add a source".
    tab_to(page, "a", "+ Add a source")
    page.keyboard.press("Enter")
    address = card.get_by_label("Address")
    expect(address).to_be_focused()
    page.keyboard.type("http://127.0.0.1/private")
    page.keyboard.press("Enter")
    expect(card.locator(".source-form .error")).to_be_visible()
    expect(card.get_by_label("Address")).to_be_focused()
    assert_ring(page, artifacts, "source-error")
    page.keyboard.press("Escape")
    expect(card.locator(".source-form")).to_have_count(0)
    expect(card.get_by_role("link", name="+ Add a source")).to_be_focused()

    # The article's details, opened from its page: the address field takes the focus;
    # Escape gives it back to "Edit details".
    tab_to(page, "a", "Edit details")
    page.keyboard.press("Enter")
    expect(page.locator("#article-details").get_by_label("Original address")).to_be_focused()
    assert_ring(page, artifacts, "details-open")
    page.keyboard.press("Escape")
    expect(page.locator("#article-details form")).to_have_count(0)
    expect(
        page.locator("#article-details").get_by_role("link", name="Edit details")
    ).to_be_focused()

    # A new claim from a sentence: Escape closes the form, the focus is back on the sentence.
    tab_to(page, "span")  # the text's Tab stop comes after the article's details
    start = focused(page)
    assert str(start.get("id", "")).startswith("s-"), start
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    new_form = page.locator("#annotation-form form")
    expect(new_form.get_by_label("Verdict")).to_be_focused()
    page.keyboard.press("Escape")
    expect(new_form).to_have_count(0)
    # The sentence below the one the Tab landed on: the arrow key moved there.
    expect(page.locator(f"#s-{int(str(start['id'])[2:]) + 1}")).to_be_focused()
    assert_ring(page, artifacts, "new-claim-cancelled")
    context.close()

    # The review page: Reply opens its form with the focus in the box; Escape closes it and
    # the focus is back on Reply.
    from annotations.review import services as review

    review.comment_add(annotation_id=claim.pk, user=factchecker, body="Footage asked for.")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in_with_keys(page, base, "jonas", landing="/review/needs-review/")
    page.goto(f"{base}/review/claims/{claim.pk}/")
    tab_to(page, "summary", "Reply")
    page.keyboard.press("Enter")
    expect(page.locator(".reply-form textarea")).to_be_focused()
    assert_ring(page, artifacts, "reply-open")
    page.keyboard.press("Escape")
    expect(page.locator(".reply-form")).not_to_have_attribute("open", "")
    expect(page.locator(".reply-form summary")).to_be_focused()
    context.close()
