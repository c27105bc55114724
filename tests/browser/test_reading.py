"""A fact-checker logs in, imports our wire story and reads it sentence by sentence."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in
from tests.conftest import WIRE_STORY

pytestmark = pytest.mark.browser


def test_import_and_read_the_wire_story(
    page: Page, live_server, factchecker, artifacts, article_text: str
) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server.url, "amira", "correct horse battery staple")

    page.get_by_role("link", name="Import an article").click()
    page.get_by_label("…or upload a file").set_input_files(str(WIRE_STORY))
    page.get_by_label("Outlet").fill("Wire service")
    page.screenshot(path=artifacts("import-form.png"), full_page=True)
    page.get_by_role("button", name="Import").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Customs chief links Velmora governor to cross-border diesel racket"
    )
    expect(page.locator(".message-success")).to_contain_text("Imported")
    sentences = page.locator(".sentence[id^='s-']")
    expect(sentences).to_have_count(16)
    # Each sentence element carries offsets into the stored text: the file, less its final
    # newline.
    for element in sentences.all():
        start, end = (
            int(element.get_attribute("data-start")),
            int(element.get_attribute("data-end")),
        )
        assert element.inner_text() == article_text[start:end]
    expect(page.locator("#s-0")).to_have_class("sentence headline")
    expect(page.locator(".sentence.checkworthy")).to_have_count(5)
    page.screenshot(path=artifacts("article-reading.png"), full_page=True)

    page.get_by_role("button", name="Check-worthy first").click()
    expect(page.locator("ol.ranked li").first).to_contain_text("$1.1 million a day")
    expect(page).to_have_url(f"{page.url.split('?')[0]}?version=1&order=checkworthy")
    top_five = page.locator("ol.ranked li .sentence").all()[:5]
    assert all("checkworthy" in (item.get_attribute("class") or "") for item in top_five)
    page.screenshot(path=artifacts("article-checkworthy-first.png"), full_page=True)

    page.reload()  # the sorted view is a real URL, not only client state
    expect(page.locator("ol.ranked li").first).to_contain_text("$1.1 million a day")
    page.get_by_role("button", name="Check-worthy first ✓").click()
    expect(page.locator(".text p").first).to_contain_text("Customs chief links")


def test_search_the_article_list(page: Page, live_server, factchecker, artifacts) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import import_text

    import_text("Bridge toll doubles\n\nThe toll rises to £5.", outlet="Eastgate Post")
    import_text("School meals pilot\n\nIt fed 12,000 pupils.", outlet="Northern Ledger")
    log_in(page, live_server.url, "amira", "correct horse battery staple")

    page.get_by_label("Search by title or outlet").fill("ledger")
    expect(page.locator("#article-results tbody tr")).to_have_count(1)
    expect(page.locator("#article-results")).to_contain_text("School meals pilot")
    assert "q=ledger" in page.url
    page.screenshot(path=artifacts("article-list-search.png"), full_page=True)


def test_keyboard_user_can_reach_the_content(page: Page, live_server, factchecker) -> None:  # type: ignore[no-untyped-def]
    log_in(page, live_server.url, "amira", "correct horse battery staple")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
