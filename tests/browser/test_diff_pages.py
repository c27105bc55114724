"""The changes between two versions in a real browser: the public diff without JavaScript, the
desk's diff page; deletions struck through and insertions underlined (not colour alone), and
axe-core finds no serious or critical WCAG violation on them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from annotations import roles
from annotations.models import Annotation
from annotations.review import services as review
from annotations.workspace.placements import version_reanchor
from tests.browser.axe import axe_source, describe, run_axe
from tests.browser.conftest import log_in
from tests.conftest import _user_with_role
from tests.factories import annotate, import_text

pytestmark = pytest.mark.browser

URL = "https://wire.example/velmora-diesel-racket"
LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
NOTE = "Update: this story has been changed to correct the number of lorries."


@pytest.fixture
def changed(article_text: str, team, factchecker, editor) -> Annotation:  # type: ignore[no-untyped-def]
    """A published verdict on an article the outlet then edited (a new version)."""
    second = _user_with_role("katrin", roles.EDITOR)
    team.members.add(second)
    _article, version = import_text(article_text, team=team, url=URL, outlet="Wire service")
    claim = annotate(
        version, LORRIES, factchecker, claim="1,140 lorries crossed", claimant="Ilse Marrow"
    )
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    review.claim_move(annotation_id=claim.pk, user=editor, action="approve")
    review.claim_move(annotation_id=claim.pk, user=second, action="publish")
    edited = NOTE + "\n\n" + article_text.replace("1,140 lorries", "1,014 lorries")
    _article, new = import_text(edited, team=team, url=URL)
    version_reanchor(new.pk)
    return claim


def marks_are_not_colour_alone(page: Page) -> None:
    styles = page.locator(".diff-text").evaluate(
        """root => [...root.querySelectorAll('del, ins')].map(el => ({
            tag: el.tagName, line: getComputedStyle(el).textDecorationLine,
            hidden: el.querySelector('.visually-hidden')?.textContent}))"""
    )
    assert styles, "no marks drawn"
    for style in styles:
        expected = (
            ("line-through", "[deleted: ")
            if style["tag"] == "DEL"
            else ("underline", "[inserted: ")
        )
        assert (style["line"], style["hidden"]) == expected, style


def test_a_reader_follows_the_change_note_to_the_public_diff(
    browser: Browser, live_server, changed: Annotation, artifacts
) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        slug = changed.version.article.slug
        page.goto(f"{live_server.url}/checks/{slug}/")
        expect(page.locator("#change-note")).to_contain_text("after this verdict was published")
        page.screenshot(path=artifacts("public-article-changed.png"))
        page.goto(f"{live_server.url}/checks/{slug}/claims/{changed.pk}/")
        note = page.locator("#change-note")
        expect(note).to_contain_text("after this verdict was published")
        note.get_by_role("link", name="See what changed").click()
        expect(page).to_have_url(f"{live_server.url}/checks/{slug}/changes/1/2/")
        expect(page.get_by_role("heading", level=1)).to_have_text("What changed in the article")
        expect(page.locator("#diff-summary")).to_have_text(
            f"{len(NOTE.split()) + 1} words inserted, 1 deleted in 2 paragraphs"
        )
        expect(page.locator(".diff-text del")).to_have_text(["[deleted: 1,140]"])
        expect(page.locator(".diff-gap").first).to_contain_text("unchanged paragraph")
        marks_are_not_colour_alone(page)
        page.screenshot(path=artifacts("public-diff.png"), full_page=True)
    finally:
        context.close()


def test_the_desk_compares_two_versions(
    page: Page, live_server, changed: Annotation, factchecker: User, artifacts
) -> None:  # type: ignore[no-untyped-def]
    article = changed.version.article
    log_in(page, live_server.url, factchecker.username, "correct horse battery staple")
    page.goto(f"{live_server.url}/articles/{article.pk}/versions/")
    expect(page.locator("#version-2")).to_contain_text("0 anchored, 1 with words changed")
    page.screenshot(path=artifacts("desk-versions.png"), full_page=True)
    page.get_by_label("Compare version").select_option("2")
    page.get_by_label("with version").select_option("1")
    page.get_by_role("button", name="Show changes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What changed from version 2 to version 1"
    )
    expect(page.locator(".diff-text del").first).to_contain_text(NOTE)
    marks_are_not_colour_alone(page)
    page.screenshot(path=artifacts("desk-diff.png"), full_page=True)


def test_axe_finds_no_serious_violations_on_the_diff_pages(
    page: Page, live_server, changed: Annotation, factchecker: User
) -> None:  # type: ignore[no-untyped-def]
    axe_js = axe_source()
    article = changed.version.article
    blocking = []
    log_in(page, live_server.url, factchecker.username, "correct horse battery staple")
    for path in (
        f"/checks/{article.slug}/changes/1/2/",
        f"/checks/{article.slug}/",
        f"/articles/{article.pk}/versions/",
        f"/articles/{article.pk}/diff/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        violations = run_axe(page, axe_js)["violations"]
        serious = [v for v in violations if v["impact"] in ("serious", "critical")]
        if serious:
            blocking.append(f"{path}:\n{describe(serious)}")
    assert not blocking, "axe-core found serious or critical violations:\n" + "\n".join(blocking)
