"""Walk-through step 2 in a real browser: annotate with the mouse, then with the keyboard
only; highlights appear without a reload and survive one; two editors get a conflict."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from annotations.models import Annotation
from tests.browser.conftest import log_in
from tests.factories import annotate, import_text

pytestmark = pytest.mark.browser

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
MARROW = "Chief Inspector Ilse Marrow"
PASSWORD = "correct horse battery staple"


def drag_select(page: Page, phrase: str) -> None:
    """Press the mouse at the phrase's first character and release it at its last, a little
    inside each end, as a person would; the server snaps the selection to whole words."""
    box = page.evaluate(
        """(phrase) => {
            const root = document.getElementById('article-text');
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            while (walker.nextNode()) {
                const node = walker.currentNode;
                const at = node.textContent.indexOf(phrase);
                if (at < 0) continue;
                const rect = (from, to) => {
                    const r = document.createRange(); r.setStart(node, from); r.setEnd(node, to);
                    return r.getBoundingClientRect();
                };
                const first = rect(at + 1, at + 2), last = rect(at + phrase.length - 2, at + phrase.length - 1);
                return {x1: first.left + 1, y1: first.top + first.height / 2, x2: last.right - 1, y2: last.top + last.height / 2};
            }
            return null;
        }""",
        phrase,
    )
    assert box, f"{phrase!r} not found in the text"
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, (box["y1"] + box["y2"]) / 2, steps=5)
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()


@pytest.fixture
def wire_article(article_text: str, team):  # type: ignore[no-untyped-def]
    article, _version = import_text(article_text, team=team, outlet="Wire service")
    return article


def test_annotate_with_the_mouse(
    page: Page, live_server, factchecker, wire_article, artifacts
) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server.url, "amira", PASSWORD)
    page.goto(f"{live_server.url}/articles/{wire_article.pk}/")
    page.evaluate("window.__noReload = true")

    page.locator("#s-12").scroll_into_view_if_needed()
    drag_select(page, LORRIES)
    form = page.locator("#annotation-form form")
    expect(form).to_be_visible()
    expect(form.locator(".selected-quote")).to_have_text(f"“{LORRIES}”")
    expect(form.get_by_label("Claimant")).to_have_value(MARROW)
    form.get_by_label("Verdict").select_option("unproven")
    claim = form.get_by_label("Claim summary")
    claim.fill(
        "Cameras logged 1,140 fuel lorries crossing Harrow Pass with full tanks, customs says"
    )
    expect(form.locator(".counter")).to_have_class(
        re.compile(r"\bover\b")
    )  # past 75 characters: a warning
    form.get_by_label("Rationale").fill(
        "No **independent** confirmation; the directorate released no camera footage."
    )
    form.get_by_label("Tags").fill("diesel, Velmora")
    page.screenshot(path=artifacts("workspace-mouse-form.png"), full_page=True)
    form.get_by_role("button", name="Save annotation").click()

    mark = page.locator("mark[data-annotation-id][data-verdict='unproven']")
    expect(mark).to_have_text(LORRIES)
    annotation = Annotation.objects.get()
    expect(page.locator(f"#annotation-{annotation.pk}")).to_contain_text("Unproven")
    expect(page.locator(f"#annotation-{annotation.pk} .ann-rationale strong")).to_have_text(
        "independent"
    )
    assert page.evaluate("window.__noReload") is True  # no page load happened
    page.screenshot(path=artifacts("workspace-mouse-saved.png"), full_page=True)

    page.reload()
    expect(page.locator("mark[data-annotation-id][data-verdict='unproven']")).to_have_text(LORRIES)
    # Clicking the highlight focuses its card.
    page.locator("mark.hl").first.click()
    expect(page.locator(f"#annotation-{annotation.pk}")).to_be_focused()
    assert (annotation.exact, annotation.claimant) == (LORRIES, MARROW)


def test_annotate_with_the_keyboard_only(
    page: Page, live_server, factchecker, wire_article, artifacts
) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server.url, "amira", PASSWORD)
    page.goto(f"{live_server.url}/articles/{wire_article.pk}/")
    page.evaluate("window.__noReload = true")

    page.keyboard.press("?")
    expect(page.locator("dialog#shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("dialog#shortcuts")).to_be_hidden()

    for _ in range(15):  # to "At its peak the trade was worth about $2.5 million a day …"
        page.keyboard.press("j")
    expect(page.locator("#s-14")).to_have_class(re.compile(r"\bcursor\b"))
    page.keyboard.press("Shift+J")  # extend over "The ring’s takings … $1.1 million a day …"
    expect(page.locator("#s-15")).to_have_class(re.compile(r"\bin-span\b.*|.*\bin-span\b"))
    expect(page.locator("#s-14")).to_have_class(re.compile(r"\bin-span\b"))
    page.keyboard.press("a")

    verdict = page.locator("#annotation-form select[name=verdict]")
    expect(verdict).to_be_focused()
    page.keyboard.press("f")  # jumps to "False"
    page.keyboard.press("Tab")
    page.keyboard.type("Diesel ring's takings fell from $2.5m to $1.1m a day")
    page.keyboard.press("Tab")
    expect(page.locator("#annotation-form input[name=claimant]")).to_be_focused()
    expect(page.locator("#annotation-form input[name=claimant]")).to_have_value(MARROW)
    page.keyboard.press("Tab")
    page.keyboard.type("Estimates of the ring's takings vary widely.")
    page.keyboard.press("Tab")
    page.keyboard.type("diesel, takings")
    page.screenshot(path=artifacts("workspace-keyboard-form.png"), full_page=True)
    page.keyboard.press("Enter")  # submits the form

    marks = page.locator("mark[data-verdict='false']")
    expect(marks).to_have_count(2)  # one piece in each sentence
    annotation = Annotation.objects.get()
    assert annotation.exact.startswith("At its peak the trade was worth")
    assert annotation.exact.endswith("Chief Inspector Ilse Marrow said.")
    assert annotation.rating.slug == "false" and annotation.tags == ["diesel", "takings"]
    assert page.evaluate("window.__noReload") is True
    page.screenshot(path=artifacts("workspace-keyboard-saved.png"), full_page=True)

    # n focuses the card, Escape clears the span, and everything survives a reload.
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    expect(page.locator(f"#annotation-{annotation.pk}")).to_be_focused()
    page.reload()
    expect(page.locator("mark[data-verdict='false']")).to_have_count(2)


def test_two_editors_get_a_conflict_not_an_overwrite(
    browser: Browser, live_server, factchecker, editor, wire_article, artifacts
) -> None:  # type: ignore[no-untyped-def]
    annotation = annotate(
        wire_article.versions.get(), LORRIES, factchecker, claim="Original summary"
    )
    pages = []
    for username in ("amira", "jonas"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server.url, username, PASSWORD)
        page.goto(f"{live_server.url}/articles/{wire_article.pk}/")
        page.locator(f"#annotation-{annotation.pk}").get_by_role("button", name="Edit").click()
        expect(page.locator(f"#annotation-{annotation.pk} form")).to_be_visible()
        pages.append(page)
    amira, jonas = pages

    jonas.locator(f"#annotation-{annotation.pk} input[name=claim]").fill("Editor's summary")
    jonas.locator(f"#annotation-{annotation.pk} select[name=verdict]").select_option("false")
    jonas.get_by_role("button", name="Save changes").click()
    expect(jonas.locator(f"#annotation-{annotation.pk} .ann-claim")).to_have_text(
        "Editor's summary"
    )

    amira.locator(f"#annotation-{annotation.pk} input[name=claim]").fill("Amira's summary")
    amira.get_by_role("button", name="Save changes").click()
    conflict = amira.locator(f"#annotation-{annotation.pk} .conflict")
    expect(conflict).to_contain_text(
        f"{editor.get_full_name()} changed this annotation while you were editing"
    )
    expect(conflict.locator("[data-field=claim]")).to_have_text("Editor's summary")
    expect(conflict.locator("[data-field=verdict]")).to_have_text("False")
    expect(amira.locator(f"#annotation-{annotation.pk} input[name=claim]")).to_have_value(
        "Amira's summary"
    )
    amira.screenshot(path=artifacts("workspace-conflict.png"), full_page=True)

    annotation.refresh_from_db()
    assert annotation.claim == "Editor's summary" and annotation.revision == 2

    amira.get_by_role("button", name="Save mine anyway").click()
    expect(amira.locator(f"#annotation-{annotation.pk} .ann-claim")).to_have_text("Amira's summary")
    annotation.refresh_from_db()
    assert annotation.claim == "Amira's summary" and annotation.revision == 3
    for page in pages:
        page.context.close()


def test_a_failed_save_keeps_the_form_and_says_why(
    page: Page, live_server, factchecker, wire_article
) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server.url, "amira", PASSWORD)
    page.goto(f"{live_server.url}/articles/{wire_article.pk}/")
    page.locator("#s-12").scroll_into_view_if_needed()
    drag_select(page, LORRIES)
    form = page.locator("#annotation-form form")
    form.get_by_label("Claim summary").fill("Typed before the session expired")
    page.context.clear_cookies()  # the session ends while she types
    form.get_by_role("button", name="Save annotation").click()

    expect(page.locator("#request-error")).to_contain_text("Not saved")
    expect(form.get_by_label("Claim summary")).to_have_value("Typed before the session expired")
    assert not Annotation.objects.exists()


def test_single_key_shortcuts_stay_off_links_and_can_be_turned_off(
    page: Page, live_server, factchecker, wire_article, artifacts
) -> None:  # type: ignore[no-untyped-def]
    """WCAG 2.1.4: a letter typed (or spoken) while a link or button has the focus is not a
    shortcut; and a journalist may turn the letters off, for good in this browser."""
    claim = annotate(wire_article.versions.get(), LORRIES, factchecker, claim="Lorries")
    log_in(page, live_server.url, "amira", PASSWORD)
    page.goto(f"{live_server.url}/articles/{wire_article.pk}/")
    cursor = page.locator("#article-text .sentence.cursor")
    card = page.locator(f"#annotation-{claim.pk}")

    # On a header link the letters do nothing: no cursor, no card, no dialog, no form.
    articles = page.locator("header").get_by_role("link", name="Articles", exact=True)
    articles.focus()
    for key in ("j", "J", "n", "a", "?"):
        page.keyboard.press(key)
    expect(articles).to_be_focused()
    expect(cursor).to_have_count(0)
    expect(card).not_to_have_class(re.compile(r"\bactive\b"))
    expect(page.locator("dialog#shortcuts")).to_be_hidden()
    expect(page.locator("#annotation-form form")).to_have_count(0)
    # The same on a button of a card.
    card.get_by_role("button", name="Edit").focus()
    page.keyboard.press("j")
    expect(cursor).to_have_count(0)

    # On the text, on a card, or with nothing focused, they work.
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("j")
    expect(page.locator("#s-0")).to_have_class(re.compile(r"\bcursor\b"))
    expect(page.locator("#s-0")).to_be_focused()
    page.keyboard.press("j")
    expect(page.locator("#s-1")).to_be_focused()
    page.keyboard.press("n")
    expect(card).to_be_focused()
    page.keyboard.press("?")
    dialog = page.locator("dialog#shortcuts")
    expect(dialog).to_be_visible()

    # Turned off in the dialog: the letters stop, the arrows and Enter on a sentence remain.
    switch = dialog.get_by_label("Use the single-key shortcuts")
    expect(switch).to_be_checked()
    switch.uncheck()
    dialog.screenshot(path=artifacts("workspace-shortcuts-off.png"))
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    page.locator("#s-1").focus()
    page.keyboard.press("j")
    page.keyboard.press("?")
    expect(page.locator("#s-1")).to_be_focused()
    expect(page.locator("#s-1")).to_have_class(re.compile(r"\bcursor\b"))
    expect(dialog).to_be_hidden()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#s-2")).to_be_focused()

    # The choice survives a reload; switching back on brings the letters back.
    page.reload()
    page.keyboard.press("j")
    expect(cursor).to_have_count(0)
    page.get_by_role("button", name="All shortcuts").click()
    expect(switch).not_to_be_checked()
    switch.check()
    dialog.get_by_role("button", name="Close").click()
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("j")
    expect(page.locator("#s-0")).to_be_focused()
