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

TRUCKS = "the Russian military had also destroyed 1,080 trucks carrying oil products"
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
def seed_article(seed_text: str, team):  # type: ignore[no-untyped-def]
    article, _version = import_text(seed_text, team=team, outlet="Wire service")
    return article


def test_annotate_with_the_mouse(
    page: Page, live_server, factchecker, seed_article, artifacts
) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server.url, "amira", PASSWORD)
    page.goto(f"{live_server.url}/articles/{seed_article.pk}/")
    page.evaluate("window.__noReload = true")

    page.locator("#s-11").scroll_into_view_if_needed()
    drag_select(page, TRUCKS)
    form = page.locator("#annotation-form form")
    expect(form).to_be_visible()
    expect(form.locator(".selected-quote")).to_have_text(f"“{TRUCKS}”")
    expect(form.get_by_label("Claimant")).to_have_value("Lieutenant-General Sergey Rudskoy")
    form.get_by_label("Verdict").select_option("unproven")
    claim = form.get_by_label("Claim summary")
    claim.fill(
        "Russian strikes destroyed 1,080 oil trucks in two months, says defence ministry briefing"
    )
    expect(form.locator(".counter")).to_have_class(
        re.compile(r"\bover\b")
    )  # past 75 characters: a warning
    form.get_by_label("Rationale").fill(
        "No **independent** confirmation; the ministry showed no imagery of the trucks."
    )
    form.get_by_label("Tags").fill("oil, Syria")
    page.screenshot(path=artifacts("workspace-mouse-form.png"), full_page=True)
    form.get_by_role("button", name="Save annotation").click()

    mark = page.locator("mark[data-annotation-id][data-verdict='unproven']")
    expect(mark).to_have_text(TRUCKS)
    annotation = Annotation.objects.get()
    expect(page.locator(f"#annotation-{annotation.pk}")).to_contain_text("Unproven")
    expect(page.locator(f"#annotation-{annotation.pk} .ann-rationale strong")).to_have_text(
        "independent"
    )
    assert page.evaluate("window.__noReload") is True  # no page load happened
    page.screenshot(path=artifacts("workspace-mouse-saved.png"), full_page=True)

    page.reload()
    expect(page.locator("mark[data-annotation-id][data-verdict='unproven']")).to_have_text(TRUCKS)
    # Clicking the highlight focuses its card.
    page.locator("mark.hl").first.click()
    expect(page.locator(f"#annotation-{annotation.pk}")).to_be_focused()
    assert (annotation.exact, annotation.claimant) == (TRUCKS, "Lieutenant-General Sergey Rudskoy")


def test_annotate_with_the_keyboard_only(
    page: Page, live_server, factchecker, seed_article, artifacts
) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server.url, "amira", PASSWORD)
    page.goto(f"{live_server.url}/articles/{seed_article.pk}/")
    page.evaluate("window.__noReload = true")

    page.keyboard.press("?")
    expect(page.locator("dialog#shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("dialog#shortcuts")).to_be_hidden()

    for _ in range(
        14
    ):  # to "The income of this terrorist organization was about $3 million per day."
        page.keyboard.press("j")
    expect(page.locator("#s-13")).to_have_class(re.compile(r"\bcursor\b"))
    page.keyboard.press("Shift+J")  # extend over "After two months … $1.5 million a day …"
    expect(page.locator("#s-14")).to_have_class(re.compile(r"\bin-span\b.*|.*\bin-span\b"))
    expect(page.locator("#s-13")).to_have_class(re.compile(r"\bin-span\b"))
    page.keyboard.press("a")

    verdict = page.locator("#annotation-form select[name=verdict]")
    expect(verdict).to_be_focused()
    page.keyboard.press("f")  # jumps to "False"
    page.keyboard.press("Tab")
    page.keyboard.type("ISIS oil income halved from $3m to $1.5m a day")
    page.keyboard.press("Tab")
    expect(page.locator("#annotation-form input[name=claimant]")).to_be_focused()
    expect(page.locator("#annotation-form input[name=claimant]")).to_have_value(
        "Lieutenant-General Sergey Rudskoy"
    )
    page.keyboard.press("Tab")
    page.keyboard.type("Estimates of the group's oil income vary widely.")
    page.keyboard.press("Tab")
    page.keyboard.type("oil, income")
    page.screenshot(path=artifacts("workspace-keyboard-form.png"), full_page=True)
    page.keyboard.press("Enter")  # submits the form

    marks = page.locator("mark[data-verdict='false']")
    expect(marks).to_have_count(2)  # one piece in each sentence
    annotation = Annotation.objects.get()
    assert annotation.exact.startswith("The income of this terrorist organization")
    assert annotation.exact.endswith("Lieutenant-General Sergey Rudskoy said.")
    assert annotation.rating.slug == "false" and annotation.tags == ["oil", "income"]
    assert page.evaluate("window.__noReload") is True
    page.screenshot(path=artifacts("workspace-keyboard-saved.png"), full_page=True)

    # n focuses the card, Escape clears the span, and everything survives a reload.
    page.keyboard.press("Escape")
    page.keyboard.press("n")
    expect(page.locator(f"#annotation-{annotation.pk}")).to_be_focused()
    page.reload()
    expect(page.locator("mark[data-verdict='false']")).to_have_count(2)


def test_two_editors_get_a_conflict_not_an_overwrite(
    browser: Browser, live_server, factchecker, editor, seed_article, artifacts
) -> None:  # type: ignore[no-untyped-def]
    annotation = annotate(
        seed_article.versions.get(), TRUCKS, factchecker, claim="Original summary"
    )
    pages = []
    for username in ("amira", "jonas"):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server.url, username, PASSWORD)
        page.goto(f"{live_server.url}/articles/{seed_article.pk}/")
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
    page: Page, live_server, factchecker, seed_article
) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server.url, "amira", PASSWORD)
    page.goto(f"{live_server.url}/articles/{seed_article.pk}/")
    page.locator("#s-11").scroll_into_view_if_needed()
    drag_select(page, TRUCKS)
    form = page.locator("#annotation-form form")
    form.get_by_label("Claim summary").fill("Typed before the session expired")
    page.context.clear_cookies()  # the session ends while she types
    form.get_by_role("button", name="Save annotation").click()

    expect(page.locator("#request-error")).to_contain_text("Not saved")
    expect(form.get_by_label("Claim summary")).to_have_value("Typed before the session expired")
    assert not Annotation.objects.exists()
