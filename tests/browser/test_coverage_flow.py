"""Related coverage in a real browser: from the workspace a fact-checker starts a search with a
feed of her own, watches the progress update by itself, reads the claims-by-outlets matrix and
compares one article side by side; a private-network feed address is refused on the form.

The live server has no Celery worker. Submitting the form queues the real task chain on the
real broker, on a queue of this test's own that nothing consumes (so no other worker on the
machine picks it up, and the message is deleted afterwards); the test then runs the same steps
the worker would, in this process, through `pipeline.coverage_job_run`, and the open page follows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from annotations.coverage import pipeline
from annotations.models import CoverageJob, RelatedArticle
from tests.browser.conftest import log_in
from tests.conftest import LocalWebServer
from tests.coverage.conftest import OFF_TOPIC, ON_TOPIC, TITLES, CoverageSite, serve_coverage
from tests.factories import annotate, import_text

pytestmark = pytest.mark.browser

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
LORRIES_CLAIM = "1,140 full fuel lorries crossed Harrow Pass"
PASSWORD = "correct horse battery staple"
CURRENT = re.compile(r"\bcurrent\b")
# The on-topic articles (tests/coverage/fixtures): their outlet, and what they say of a claim.
OUTLETS = {
    "lorries": "Karsk Courier",
    "income": "Ledger Review",
    "denial": "Northern Province Gazette",
}
RELATION_OF = {"lorries": "repeats", "income": "differs", "denial": "contradicts"}

# An element wholly inside the visible part of its pane and of the window.
IN_VIEW = """(id) => {
    const box = document.getElementById(id).getBoundingClientRect();
    const pane = document.getElementById(id).closest('.pane').getBoundingClientRect();
    return box.top >= pane.top - 1 && box.bottom <= pane.bottom + 1
        && box.top >= 0 && box.bottom <= window.innerHeight;
}"""
# Both ends of a pair in view, once the smooth scrolling has stopped (the same positions two
# animation frames running).
SETTLED_IN_VIEW = f"""([left, right]) => {{
    const now = [...document.querySelectorAll('.pane')].map((p) => p.scrollTop)
        .concat(window.scrollY).join();
    const settled = window.__lastScroll === now;
    window.__lastScroll = now;
    return settled && ({IN_VIEW})(left) && ({IN_VIEW})(right);
}}"""


@pytest.fixture
def wire_article(article_text: str, team, factchecker):  # type: ignore[no-untyped-def]
    article, version = import_text(
        article_text, team=team, url="https://wire.example/velmora-diesel-racket"
    )
    annotate(version, LORRIES, factchecker, claim=LORRIES_CLAIM)
    return article


@pytest.fixture
def coverage_site(web_server: LocalWebServer, allow_local_fetch) -> CoverageSite:  # type: ignore[no-untyped-def]
    return serve_coverage(web_server)


def queued_messages(queue: str) -> int:
    from kombu.exceptions import ChannelError

    from newsroom.celery import app

    with app.connection_for_write() as connection:
        try:
            declared = connection.default_channel.queue_declare(queue=queue, passive=True)
        except ChannelError:  # never declared: nothing was sent to it
            return 0
        return declared.message_count


def open_search_form(page: Page, base_url: str, article_pk: int) -> None:
    log_in(page, base_url, "amira", PASSWORD)
    page.goto(f"{base_url}/articles/{article_pk}/")
    page.get_by_role("link", name="Find related coverage").click()
    page.wait_for_url(f"{base_url}/articles/{article_pk}/coverage/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find related coverage")


def only_this_feed(page: Page, feed_url: str) -> None:
    providers = page.get_by_role("group", name="Where to search").get_by_role("checkbox")
    assert providers.count() >= 1
    for checkbox in providers.all():
        checkbox.uncheck()
    page.get_by_label("Extra feeds for this search").fill(feed_url)


def column_articles(page: Page, site: CoverageSite) -> list[str]:
    """The matrix's columns, left to right, as fixture names (found by the article each
    column header links to, whatever the header says)."""
    by_url = {url: name for name, url in site.pages.items()}
    links = page.locator("table.matrix thead th a").evaluate_all(
        "links => links.map((a) => a.pathname)"
    )
    related = [int(path.rstrip("/").rsplit("/", 1)[1]) for path in links]
    urls = dict(RelatedArticle.objects.filter(pk__in=related).values_list("pk", "url"))
    return [by_url[urls[pk]] for pk in related]


def test_find_related_coverage_watch_it_run_and_compare(
    page: Page,
    live_server,
    factchecker,
    wire_article,
    coverage_site: CoverageSite,
    task_queue: str,
    artifacts,
) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url

    # 1. From the workspace to the form: a suggested query, her own feed, no other provider.
    open_search_form(page, base, wire_article.pk)
    query = page.get_by_label("Search for")
    expect(query).not_to_have_value("")
    suggested = query.input_value()
    only_this_feed(page, coverage_site.feed_url)
    page.screenshot(path=artifacts("coverage-form.png"), full_page=True)
    page.get_by_role("button", name="Find related coverage").click()

    # 2. The job exists, its task chain waits on the broker, and the page says so.
    page.wait_for_url(f"{base}/coverage/*/")
    job = CoverageJob.objects.get()
    assert page.url == f"{base}/coverage/{job.pk}/"
    assert (job.query, job.providers, job.feed_urls) == (
        " ".join(suggested.split()),
        [],
        [coverage_site.feed_url],
    )
    assert job.created_by == factchecker
    assert queued_messages(task_queue) == 1  # the chain's first step, for a worker to take
    progress = page.locator("#coverage-progress")
    expect(progress).to_contain_text("Queued")
    expect(page.locator("table.matrix")).to_have_count(0)
    page.evaluate("window.__noReload = true")

    # The worker's first step, run here: the polled region updates in place.
    pipeline.coverage_job_discover(job.pk)
    expect(progress).to_contain_text("Searching the sources")
    expect(progress.locator(".counts")).to_contain_text("5 found · 0 fetched")
    assert page.evaluate("window.__noReload") is True
    page.screenshot(path=artifacts("coverage-progress.png"), full_page=True)

    # Every step (the first again is harmless): once done, the page redraws with the matrix.
    job = pipeline.coverage_job_run(job.pk)
    assert job.state == CoverageJob.State.DONE
    matrix = page.locator("table.matrix")
    expect(matrix).to_be_visible()
    assert page.evaluate("window.__noReload") is None  # HX-Refresh drew the whole page
    expect(progress).to_contain_text("Done")
    expect(progress.locator("progress")).to_have_attribute("value", "100")
    expect(progress.locator(".counts")).to_contain_text("5 found · 5 fetched · 5 extracted")
    assert page.locator("#coverage-progress[hx-trigger]").count() == 0  # polling stopped

    headers = matrix.locator("thead th")
    expect(headers).to_have_count(1 + len(ON_TOPIC))
    expect(headers.first).to_have_text("Claim")
    columns = column_articles(page, coverage_site)
    assert sorted(columns) == sorted(ON_TOPIC)
    names = matrix.locator("thead th a").all_inner_texts()
    assert names == [OUTLETS[name] for name in columns]
    for number, name in enumerate(columns, start=2):  # a row's first cell is the claim
        relation = RELATION_OF[name]
        cells = matrix.locator(f"tbody td:nth-child({number})[data-relation='{relation}']")
        expect(cells).not_to_have_count(0)
    for relation in ("repeats", "differs", "contradicts"):
        cell = matrix.locator(f"td[data-relation='{relation}']").first
        expect(cell.get_by_role("link")).to_have_text(relation.capitalize())
    figures = matrix.locator("td[data-relation='differs'] .figures").first
    expect(figures).to_contain_text("They say about $20 million a month; the article says")
    annotated = matrix.locator("tbody th", has_text="(annotated)")
    expect(annotated).to_have_count(1)
    expect(annotated).to_contain_text(LORRIES_CLAIM)

    off_topic = page.locator("details.off-topic")
    expect(off_topic.locator("summary")).to_have_text("2 articles ranked out as off-topic")
    off_topic.locator("summary").click()
    for name in OFF_TOPIC:
        expect(off_topic.get_by_role("link", name=TITLES[name])).to_be_visible()
    expect(matrix).not_to_contain_text("Pitchside")
    expect(matrix).not_to_contain_text("Markets Wire")
    page.screenshot(path=artifacts("coverage-matrix.png"), full_page=True)

    # 3. Side by side with the outlet whose figures differ, in a short window (a laptop's):
    # both articles are longer than their panes, so showing a pair takes scrolling in each.
    page.set_viewport_size({"width": 1280, "height": 520})
    headers.nth(1 + columns.index("income")).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Side by side: Ledger Review")
    their_title = page.locator("#theirs-heading a")
    expect(their_title).to_have_text(TITLES["income"])
    expect(their_title).to_have_attribute("href", coverage_site.pages["income"])
    ours, theirs = page.locator("#pane-ours"), page.locator("#pane-theirs")
    expect(ours).to_be_visible()
    expect(theirs).to_be_visible()
    expect(ours.locator(".aligned.matched")).not_to_have_count(0)
    # Two of our figures line up with one of theirs: both comparisons are shown.
    their_figures = theirs.locator(".aligned.matched.relation-differs .figures")
    expect(their_figures).to_have_count(2)
    expect(their_figures.nth(0)).to_contain_text("the article says about $2.5 million a day")
    expect(their_figures.nth(1)).to_contain_text("the article says roughly $1.1 million a day")
    pairs = page.locator("nav.pairs a.pair")
    expect(pairs).not_to_have_count(0)
    expect(page.locator(".aligned.current")).to_have_count(0)

    link = pairs.last
    left, right = link.get_attribute("data-left"), link.get_attribute("data-right")
    assert not page.evaluate(f"(id) => ({IN_VIEW})(id)", left)
    assert not page.evaluate(f"(id) => ({IN_VIEW})(id)", right)
    link.click()
    page.wait_for_function(SETTLED_IN_VIEW, arg=[left, right])
    expect(page.locator(f"#{left}")).to_have_class(CURRENT)
    expect(page.locator(f"#{right}")).to_have_class(CURRENT)
    expect(page.locator(".aligned.current")).to_have_count(2)
    assert ours.evaluate("pane => pane.scrollTop") > 0
    assert theirs.evaluate("pane => pane.scrollTop") > 0
    assert page.url.endswith(f"#{link.get_attribute('id')}")
    page.screenshot(path=artifacts("coverage-compare.png"), full_page=True)

    # A cell of the matrix opens the view on its own pair, already shown.
    page.go_back()
    page.locator("table.matrix td[data-relation='contradicts'] a").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Side by side: Northern Province Gazette"
    )
    pair = page.locator("a.pair#" + page.url.split("#")[1])
    expect(pair).to_have_class(re.compile(r"\brelation-contradicts\b"))
    left, right = pair.get_attribute("data-left"), pair.get_attribute("data-right")
    page.wait_for_function(SETTLED_IN_VIEW, arg=[left, right])
    expect(page.locator(f"#{left}")).to_have_class(CURRENT)
    expect(page.locator(f"#{right}")).to_have_class(CURRENT)


def test_a_private_feed_address_is_refused_on_the_form(
    page: Page, live_server, factchecker, wire_article, task_queue: str, artifacts
) -> None:  # type: ignore[no-untyped-def]
    open_search_form(page, live_server.url, wire_article.pk)
    only_this_feed(page, "http://10.0.0.1/feed.xml")
    page.get_by_role("button", name="Find related coverage").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("That feed address is not allowed")
    expect(alert).to_contain_text("10.0.0.1")
    expect(page.get_by_label("Extra feeds for this search")).to_have_value(
        "http://10.0.0.1/feed.xml"
    )
    expect(page.get_by_label("Search for")).not_to_have_value("")
    page.screenshot(path=artifacts("coverage-bad-feed.png"), full_page=True)
    assert not CoverageJob.objects.exists()
    assert queued_messages(task_queue) == 0
