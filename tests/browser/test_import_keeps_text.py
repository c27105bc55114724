"""A paste the server cannot read loses nothing: the import page says why and puts the
text back in the box (kept in the tab's session storage when the form was sent)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from annotations.models import Article
from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


def test_a_paste_too_large_to_read_is_refused_and_kept(
    page: Page, live_server, settings, factchecker, artifacts
) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000  # a small limit stands in for 8 MB
    settings.IMPORT_MAX_TEXT_CHARS = 4_000
    text = "Council hearing, full transcript\n\n" + " ".join(
        f"Councillor {n % 7} said the bridge carried {n * 10} vehicles on day {n}."
        for n in range(600)
    )
    log_in(page, live_server.url, "amira", PASSWORD)
    page.goto(f"{live_server.url}/articles/import/")
    page.get_by_label("Paste the article").fill(text)
    page.get_by_role("button", name="Import").click()

    expect(page.locator(".message-error")).to_contain_text("What you sent is too large to read")
    expect(page.locator(".kept-draft")).to_have_text(
        "Your pasted text was kept: it is back in the box."
    )
    assert page.get_by_label("Paste the article").input_value() == text
    assert not Article.objects.exists()
    page.screenshot(path=artifacts("import-too-large-kept.png"), full_page=True)

    # Opening the form afresh starts empty: the kept text does not haunt later imports.
    page.goto(f"{live_server.url}/articles/import/")
    assert page.get_by_label("Paste the article").input_value() == ""
