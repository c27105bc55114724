"""Walk-through step 6 in a real browser, on the example article: the outlet edits it after
three claims were made (a first paragraph added, "1,080" changed to "1,008", the Erdoğan
sentence deleted). Re-imported through the UI, one claim is anchored, one changed and one
orphaned; an editor re-places the orphan from the repair queue; the public page says the
article changed and links to the diff."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from annotations.models import Annotation, ArticleVersion, Placement
from tests.browser.axe import axe_source, describe, run_axe
from tests.browser.conftest import log_in
from tests.browser.test_workspace import drag_select
from tests.conftest import SEED_ARTICLE, shared_path
from tests.factories import annotate, import_text

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
URL = "https://news.example/russia-isis-turkey-oil"
HALVED = "helped reduce the trade of the oil illegally extracted on the Syrian territory by almost 50 percent"
TRUCKS = "destroyed 1,080 trucks carrying oil products"
ERDOGAN = "Turkish President Recep Tayyip Erdoğan and his family is directly involved in illegal oil trade with Islamic State militants"
NOTE = "Editor’s note: this article was updated on Friday to correct the number of trucks."
REPLACED_ON = "whole team of bandits and Turkish elites stealing oil from their neighbors"


def edited(text: str) -> str:
    headline, body = text.split("\n\n", 1)
    body = body.replace("1,080 trucks", "1,008 trucks")
    sentence = next(p for p in body.split("\n\n") if "Erdoğan" in p)
    body = body.replace(sentence + "\n\n", "")
    return f"{headline}\n\n{NOTE}\n\n{body}"


def wait_for(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the worker"
        time.sleep(0.2)


def assert_accessible(page: Page, axe_js: str) -> None:
    violations = run_axe(page, axe_js)["violations"]
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"{page.url}:\n{describe(serious)}"


def test_the_outlet_edits_the_example_article(
    page: Page, live_server, celery_worker_process: str, team, factchecker, editor, artifacts
) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    seed = shared_path(SEED_ARTICLE).read_text(encoding="utf-8").removesuffix("\n")
    article, first = import_text(seed, team=team, url=URL, outlet="Example News")
    claims = {
        phrase: annotate(first, phrase, factchecker, claim=label)
        for phrase, label in (
            (HALVED, "Airstrikes halved the illegal oil trade"),
            (TRUCKS, "Russia destroyed 1,080 oil trucks"),
            (ERDOGAN, "Erdoğan's family is in the ISIS oil trade"),
        )
    }
    # The truck count was published before the outlet changed it.
    Annotation.objects.filter(pk=claims[TRUCKS].pk).update(
        state=Annotation.State.PUBLISHED, published_at=timezone.now()
    )

    # 1. The editor imports the outlet's edited text from the article's page.
    log_in(page, base, editor.username, PASSWORD)
    page.goto(f"{base}/articles/{article.pk}/")
    page.get_by_role("link", name="Import a new version").click()
    page.get_by_label("Paste the new text").fill(edited(first.text))
    page.screenshot(path=artifacts("new-version-form.png"), full_page=True)
    page.get_by_role("button", name="Import as version 2").click()
    expect(page.locator(".messages")).to_contain_text("Added version 2.")
    second = ArticleVersion.objects.get(article=article, number=2)

    # 2. A real worker places the claims on the new text.
    wait_for(lambda: Placement.objects.filter(version=second).count() == 3)
    status = dict(Placement.objects.filter(version=second).values_list("annotation_id", "status"))
    assert status == {
        claims[HALVED].pk: "anchored",
        claims[TRUCKS].pk: "changed",
        claims[ERDOGAN].pk: "orphaned",
    }
    page.reload()
    text = page.locator("#article-text")
    expect(text.locator(f'mark[data-annotation-id="{claims[HALVED].pk}"]').first).to_be_visible()
    changed = text.locator(f'mark.hl-changed[data-annotation-id="{claims[TRUCKS].pk}"]').first
    expect(changed).to_contain_text("1,008 trucks")
    card = page.locator(f"#annotation-{claims[TRUCKS].pk}")
    expect(card.locator(".placement del")).to_contain_text("1,080")
    expect(card.locator(".placement ins")).to_contain_text("1,008")
    expect(page.locator("#orphans")).to_contain_text("Recep Tayyip Erdoğan")
    page.screenshot(path=artifacts("new-version-workspace.png"), full_page=True)
    axe_js = axe_source()
    assert_accessible(page, axe_js)

    # 3. The repair queue, counted in the navigation, lists the changed and orphaned claims.
    expect(page.locator("#nav-repair-count")).to_have_text("2")
    page.get_by_role("link", name="Repair").first.click()
    orphan = Placement.objects.get(version=second, annotation=claims[ERDOGAN])
    item = page.locator(f"#repair-{orphan.pk}")
    expect(item).to_contain_text("Not found")
    page.screenshot(path=artifacts("repair-queue.png"), full_page=True)
    assert_accessible(page, axe_js)

    # 4. The editor re-places the orphan by selecting its words in the new text.
    item.get_by_role("link", name="Re-place in the text").click()
    expect(page.locator("#repair-banner")).to_contain_text("Re-placing a claim.")
    sentence = page.locator("#article-text .sentence", has_text=REPLACED_ON)
    sentence.evaluate("el => el.scrollIntoView({block: 'center'})")
    drag_select(page, REPLACED_ON)
    form = page.locator("#annotation-form form")
    expect(form.locator(".selected-quote")).to_have_text(REPLACED_ON)
    page.screenshot(path=artifacts("repair-place.png"), full_page=True)
    form.get_by_role("button", name="Place the claim here").click()
    page.wait_for_url(f"{base}/review/repair/")
    expect(page.locator(".messages")).to_contain_text("placed on the words you selected")
    expect(page.locator(f"#repair-{orphan.pk}")).to_have_count(0)
    orphan.refresh_from_db()
    assert (orphan.status, orphan.resolution) == ("anchored", "replaced")
    assert second.text[orphan.start : orphan.end] == REPLACED_ON

    # 5. The public page of the published claim says the article changed, with the diff.
    page.goto(f"{base}/checks/{article.slug}/")
    note = page.locator("#change-note")
    expect(note).to_contain_text("The outlet changed this article on")
    expect(note).to_contain_text("after this verdict was published")
    page.screenshot(path=artifacts("public-change-note.png"), full_page=True)
    note.get_by_role("link", name="See what changed").click()
    page.wait_for_url(f"{base}/checks/{article.slug}/changes/1/2/")
    expect(page.locator("del").first).to_be_visible()
    expect(page.locator("ins", has_text="1,008")).to_be_visible()
    expect(page.locator("del", has_text="1,080")).to_be_visible()
    page.screenshot(path=artifacts("public-diff.png"), full_page=True)
