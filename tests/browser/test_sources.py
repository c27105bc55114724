"""Sources a journalist can use, in a real browser: a failed archive says what happened in
plain words with Retry beside it and the technical detail behind a toggle; Retry shows the
source pending at once and the card follows it until the copy is kept; a source is edited
in place."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from annotations.models import Source
from annotations.workspace import services
from annotations.workspace.tasks import archive_source
from tests.browser.conftest import log_in
from tests.conftest import ARTICLE_HTML, LocalWebServer
from tests.factories import annotate, import_text

pytestmark = pytest.mark.browser

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
PASSWORD = "correct horse battery staple"


def test_a_failed_source_explains_itself_and_comes_back_with_retry(
    page: Page,
    live_server,
    article_text: str,
    team,
    factchecker,
    web_server: LocalWebServer,
    allow_local_fetch,
    artifacts,
) -> None:  # type: ignore[no-untyped-def]
    article, version = import_text(article_text, team=team, outlet="Wire service")
    claim = annotate(version, LORRIES, factchecker, claim="1,140 fuel lorries crossed the pass")
    unknown = services.source_add(
        annotation_id=claim.pk,
        user=factchecker,
        url="https://www.velmora-customs.invalid/press/lorries",
        title="Customs directorate statement",
        quote="1,140 lorries",
    )
    moved = services.source_add(
        annotation_id=claim.pk,
        user=factchecker,
        url=web_server.add("/ferry", "<p>Not here</p>", status=404),
        title="Harbour Herald report",
        stance="context",
    )
    for source in (unknown, moved):  # what the worker would do
        archive_source.apply(args=[source.pk])

    log_in(page, live_server.url, "amira", PASSWORD)
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    failed = page.locator(f"#source-{unknown.pk}")
    expect(failed.locator(".archive-problem")).to_have_text(
        "Could not reach velmora-customs.invalid: the name was not found."
    )
    expect(failed.get_by_role("img", name="Archive failed")).to_be_visible()
    retry = failed.get_by_role("button", name="Retry")
    expect(retry).to_be_visible()
    # The raw error waits behind the toggle.
    raw = failed.get_by_text("could not resolve host")
    expect(raw).to_be_hidden()
    failed.get_by_text("Technical detail").click()
    expect(raw).to_be_visible()
    expect(page.locator(f"#source-{moved.pk} .archive-problem")).to_have_text(
        "127.0.0.1 answered 404: the page was not found."
    )
    page.locator(f"#annotation-{claim.pk}").scroll_into_view_if_needed()
    page.locator(f"#annotation-{claim.pk}").screenshot(path=artifacts("source-failed-card.png"))
    page.screenshot(path=artifacts("source-failed-page.png"), full_page=True)

    # The page is back; Retry shows the source pending at once, then the kept copy.
    web_server.add("/ferry", ARTICLE_HTML)
    again = page.locator(f"#source-{moved.pk}")
    again.get_by_role("button", name="Retry").click()
    expect(again.get_by_role("img", name="Archiving…")).to_be_visible()
    expect(again).to_contain_text("Keeping a copy of the page…")
    expect(again.get_by_role("button", name="Retry")).to_have_count(0)
    again.screenshot(path=artifacts("source-pending.png"))
    assert Source.objects.get(pk=moved.pk).archive_status == "pending"
    archive_source.apply(args=[moved.pk])  # the worker's turn
    expect(again.get_by_role("img", name="Archived")).to_be_visible(timeout=8000)
    expect(again).to_contain_text("Copy kept")
    expect(failed.locator(".archive-problem")).to_be_visible()  # the other one is untouched
    page.locator(f"#annotation-{claim.pk}").screenshot(path=artifacts("source-retried-card.png"))

    # Edit the failed one's address in place: it is archived again.
    failed.get_by_role("link", name="Edit source").click()
    form = page.locator(f"#source-{unknown.pk}-edit")
    expect(form).to_be_visible()
    form.get_by_label("Address").fill(web_server.url("/ferry"))
    form.get_by_label("Quoted passage").fill("ticket sales had risen 18 percent")
    page.locator(f"#annotation-{claim.pk}").screenshot(path=artifacts("source-edit-form.png"))
    form.get_by_role("button", name="Save source").click()
    edited = page.locator(f"#source-{unknown.pk}")
    expect(edited.get_by_role("img", name="Archiving…")).to_be_visible()
    archive_source.apply(args=[unknown.pk])
    expect(edited.get_by_role("img", name="Archived")).to_be_visible(timeout=8000)
    expect(edited).to_contain_text("Passage found in the archive")
    page.locator(f"#annotation-{claim.pk}").screenshot(path=artifacts("source-edited-card.png"))


def test_retry_on_the_claim_page_follows_the_source_until_the_copy_is_kept(
    page: Page,
    live_server,
    article_text: str,
    team,
    factchecker,
    web_server: LocalWebServer,
    allow_local_fetch,
    artifacts,
) -> None:  # type: ignore[no-untyped-def]
    _article, version = import_text(article_text, team=team, outlet="Wire service")
    claim = annotate(version, LORRIES, factchecker, claim="1,140 fuel lorries crossed the pass")
    moved = services.source_add(
        annotation_id=claim.pk,
        user=factchecker,
        url=web_server.add("/ferry", "<p>Not here</p>", status=404),
        title="Harbour Herald report",
    )
    archive_source.apply(args=[moved.pk])

    log_in(page, live_server.url, "amira", PASSWORD)
    page.goto(f"{live_server.url}/review/claims/{claim.pk}/")
    archive = page.locator(f"#source-{moved.pk}-archive")
    expect(archive.locator(".archive-problem")).to_have_text(
        "127.0.0.1 answered 404: the page was not found."
    )

    # Retry is a plain form here: the claim page comes back with the source pending...
    web_server.add("/ferry", ARTICLE_HTML)
    archive.get_by_role("button", name="Retry").click()
    page.wait_for_url(f"{live_server.url}/review/claims/{claim.pk}/")
    expect(archive).to_contain_text("Keeping a copy of the page…")
    expect(archive.get_by_role("button", name="Retry")).to_have_count(0)
    page.evaluate("window.__noReload = true")
    archive.screenshot(path=artifacts("source-claim-page-pending.png"))

    # ...and follows it, without a reload, until the worker has kept the copy.
    archive_source.apply(args=[moved.pk])
    expect(archive.get_by_role("img", name="Archived")).to_be_visible(timeout=8000)
    expect(archive).to_contain_text("Copy kept")
    assert page.evaluate("window.__noReload") is True
    page.locator(".source-list").screenshot(path=artifacts("source-claim-page-kept.png"))
