"""Related coverage of the example article, in a real browser with a real Celery worker:
a fact-checker searches two feeds of her own, one of which is down. The finished job page
says "Done with errors"; in the claims-by-outlets matrix an outlet that repeats the truck
sentence word for word reads "Repeats" and nowhere "Differs", an outlet that writes "more
than 1,000 fuel trucks" reads "Repeats" too, with both figures shown; a syndicated copy of
the article is listed in its own section and is not a column of the matrix.

The outlets' pages (all fictional, written for this test) are served from this machine."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from annotations.models import CoverageJob
from tests.browser.axe import axe_source
from tests.browser.test_coverage_flow import only_this_feed, open_search_form
from tests.browser.test_new_version_flow import assert_accessible
from tests.conftest import SEED_ARTICLE, LocalWebServer, shared_path
from tests.coverage.conftest import rss
from tests.factories import annotate, import_text

pytestmark = pytest.mark.browser

URL = "https://news.example/russia-isis-turkey-oil"
STRIKES = (
    "Russia’s airstrikes hit 32 oil complexes, 11 refineries, 23 oil pumping stations, "
    "Rudskoy said, adding that the Russian military had also destroyed 1,080 trucks "
    "carrying oil products"
)
STRIKES_CLAIM = "Russian bombing wrecked the militants’ oil sites and the lorries moving their oil"
# The example article's sentence, as Outlet A prints it among sentences of its own.
VERBATIM = (
    "For the past two months, Russia’s airstrikes hit 32 oil complexes, 11 refineries, "
    "23 oil pumping stations, Rudskoy said, adding that the Russian military had also "
    "destroyed 1,080 trucks carrying oil products."
)
OUTLET_A = "Meridian Dispatch"
OUTLET_B = "Northgate Observer"
OUTLET_COPY = "Crescent Syndication"
JOB_TIMEOUT = 60_000  # ms: a loaded machine, a worker that loads its model on the first job

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="canonical" href="{canonical}">
<meta property="og:site_name" content="{outlet}">
<meta property="article:published_time" content="2015-12-03T09:30:00Z"></head>
<body><header><nav><a href="/">Home</a> | <a href="/world">World</a></nav></header>
<article><h1>{title}</h1>
{paragraphs}
</article><footer>{outlet}, all rights reserved</footer></body></html>"""

A_TITLE = "Moscow shows reporters what it calls the trail of militant oil into Turkey"
A_PARAGRAPHS = [
    "Russian defence officials laid out satellite pictures, maps and aerial video at a "
    "briefing in Moscow on Wednesday, saying they showed oil from territory held by Islamic "
    "State being driven across the border into Turkey.",
    VERBATIM,
    "The officials said the convoys crossed the frontier at several points and that the cargo "
    "was then sold on through Turkish ports. Ankara had not responded to the briefing by late "
    "Wednesday evening.",
    "The accusations deepen a quarrel that began when a Turkish fighter jet shot down a "
    "Russian bomber near the Syrian border last week. Moscow has since suspended package "
    "holidays to Turkey and put several joint projects on hold.",
]
B_TITLE = "Russian generals say their air campaign has choked the militants’ oil convoys"
B_PARAGRAPHS = [
    "Russia’s military said on Wednesday that two months of bombing in Syria had destroyed "
    "more than 1,000 fuel trucks that Islamic State used to haul its oil towards Turkey.",
    "Speaking at a briefing in Moscow, Lieutenant-General Sergey Rudskoy played aerial footage "
    "of burning convoys and showed maps of the roads the tankers were said to take towards "
    "the border.",
    "Officers told reporters that depots held by the militants had been struck as well, "
    "though they gave few details of the damage on the ground.",
    "Turkey’s government had yet to answer the latest accusations, which follow the downing "
    "of a Russian warplane by Turkish jets near the Syrian border.",
]


def page_html(title: str, outlet: str, canonical: str, paragraphs: list[str]) -> str:
    return PAGE.format(
        title=escape(title),
        outlet=escape(outlet),
        canonical=escape(canonical),
        paragraphs="\n".join(f"<p>{escape(p)}</p>" for p in paragraphs),
    )


def worker_log(tmp_path: Path) -> str:
    log = tmp_path / "worker.log"
    return "\n".join(log.read_text().splitlines()[-40:]) if log.exists() else "(no worker log)"


def column(matrix: Locator, outlet: str) -> int:
    """The matrix column (1-based, as nth-child counts; the claim is column 1) of an outlet."""
    names = matrix.locator("thead th").all_inner_texts()
    numbers = [n for n, name in enumerate(names, start=1) if name.startswith(outlet)]
    assert len(numbers) == 1, f"{outlet!r} should head one column of the matrix: {names}"
    return numbers[0]


def test_coverage_of_the_example_article_repeats_figures_copies_and_a_failed_feed(
    page: Page,
    live_server,
    celery_worker_process: str,
    web_server: LocalWebServer,
    allow_local_fetch,
    team,
    factchecker,
    artifacts,
    tmp_path: Path,
) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    seed = shared_path(SEED_ARTICLE).read_text(encoding="utf-8").removesuffix("\n")
    assert VERBATIM in seed
    article, version = import_text(seed, team=team, url=URL, outlet="Example News")
    claim = annotate(version, STRIKES, factchecker, claim=STRIKES_CLAIM)

    # The outlets' pages, one feed listing them, and a second feed that is down.
    outlet_a = web_server.add(
        "/meridian/world/moscow-oil-briefing.html",
        page_html(
            A_TITLE,
            OUTLET_A,
            "https://meridian-dispatch.example/world/moscow-oil-briefing",
            A_PARAGRAPHS,
        ),
    )
    outlet_b = web_server.add(
        "/northgate/news/oil-convoys-choked.html",
        page_html(
            B_TITLE,
            OUTLET_B,
            "https://northgate-observer.example/news/oil-convoys-choked",
            B_PARAGRAPHS,
        ),
    )
    headline, body = seed.split("\n\n", 1)
    syndicated = web_server.add(
        "/crescent/partners/russia-isis-turkey-oil.html",
        page_html(
            headline,
            OUTLET_COPY,
            "https://crescent-syndication.example/partners/russia-isis-turkey-oil",
            body.split("\n\n"),
        ),
    )
    feed = web_server.add(
        "/feeds/world.xml",
        rss(
            [
                (A_TITLE, outlet_a),
                (B_TITLE, outlet_b),
                (f"{headline} (partner copy)", syndicated),
            ],
            title="Regional wire roundup",
        ),
        headers={"Content-Type": "application/rss+xml; charset=utf-8"},
    )
    broken_feed = web_server.add(
        "/feeds/down.xml",
        "Service unavailable",
        status=500,
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )

    # 1. The fact-checker searches the two feeds and nothing else; a real worker runs the job.
    open_search_form(page, base, article.pk)
    only_this_feed(page, f"{feed}\n{broken_feed}")
    page.get_by_role("button", name="Find related coverage").click()
    page.wait_for_url(f"{base}/coverage/*/")
    job = CoverageJob.objects.get()
    assert job.feed_urls == [feed, broken_feed]

    progress = page.locator("#coverage-progress")
    state = progress.locator(".job-state")
    try:
        expect(state).to_have_text("Done with errors", timeout=JOB_TIMEOUT)
    except AssertionError as failure:
        job.refresh_from_db()
        raise AssertionError(
            f"the job page did not show a finished job: state {job.state!r}, errors "
            f"{job.errors!r}\nworker log:\n{worker_log(tmp_path)}"
        ) from failure
    matrix = page.locator("table.matrix")
    expect(matrix).to_be_visible()
    expect(progress.locator("progress")).to_have_attribute("value", "100")
    assert page.locator("#coverage-progress[hx-trigger]").count() == 0  # polling stopped
    expect(progress.locator(".counts")).to_contain_text("3 found · 3 fetched · 2 extracted")
    expect(progress.locator(".counts")).to_contain_text("0 pages failed · 1 source failed")
    # The failed feed is listed with the reason, beside the sources that were read.
    failure = progress.locator("p.error")
    expect(failure).to_have_count(1)
    expect(failure).to_have_text(
        f"✗ Feed given for this run, {broken_feed}: the feed answered HTTP 500"
    )
    expect(progress.locator("details.coverage-sources")).to_have_attribute("open", "")
    assert "/feeds/down.xml" in web_server.hits  # the worker did ask the feed that is down
    page.screenshot(path=artifacts("coverage-example-matrix.png"), full_page=True)

    # 2. The matrix: the two outlets are its columns, the copy is not.
    expect(matrix.locator("thead th")).to_have_count(3)
    a, b = column(matrix, OUTLET_A), column(matrix, OUTLET_B)
    expect(matrix).not_to_contain_text(OUTLET_COPY)
    # Each outlet's header says how many of the article's claims it mentions, in words.
    rows = matrix.locator("tbody tr").count()
    expect(matrix.locator("thead th").nth(a - 1)).to_contain_text(f"mentions 1 of {rows} claims")
    row = matrix.locator("tbody tr", has=page.locator("th", has_text="(annotated)"))
    expect(row).to_have_count(1)
    expect(row.locator("th")).to_contain_text(STRIKES_CLAIM)
    assert claim.pk in set(job.matches.values_list("annotation_id", flat=True))

    # Outlet A prints the sentence word for word: it repeats it, every figure agrees.
    cell_a = row.locator(f"td:nth-child({a})")
    expect(cell_a).to_have_attribute("data-relation", "repeats")
    expect(cell_a.get_by_role("link")).to_have_text("Repeats")
    expect(cell_a.locator(".figures")).to_have_text(
        "They say 32 oil complexes; the article says 32 oil complexes"
    )
    verdicts = cell_a.locator("ul.aligned-pairs li strong")
    expect(verdicts).to_have_text(["agrees"] * 4)
    column_a = matrix.locator(f"tbody td:nth-child({a})")
    expect(column_a.and_(page.locator("[data-relation='differs']"))).to_have_count(0)
    for text in column_a.all_inner_texts():
        assert "differs" not in text.lower(), f"{OUTLET_A}'s column says it differs: {text!r}"

    # Outlet B writes "more than 1,000 fuel trucks": that repeats the article's 1,080 trucks.
    cell_b = row.locator(f"td:nth-child({b})")
    expect(cell_b).to_have_attribute("data-relation", "repeats")
    expect(cell_b.get_by_role("link")).to_have_text("Repeats")
    expect(cell_b.locator(".figures")).to_have_text(
        "They say more than 1,000 fuel trucks; the article says 1,080 trucks"
    )
    expect(cell_b.locator("ul.aligned-pairs")).to_have_count(0)  # one figure compared

    # Outlet B's trucks are not the article's claim that Erdoğan's family is in the trade:
    # a sentence on the same story that leaves out whom the claim names does not repeat it.
    family = matrix.locator("tbody tr", has=page.locator("th", has_text="Erdoğan and his family"))
    expect(family).to_have_count(1)
    expect(family.locator(f"td:nth-child({b})")).to_have_attribute("data-relation", "not_mentioned")

    # 3. The syndicated copy sits in a section of its own, with its link.
    copies = page.locator("section.copies", has=page.locator("#copies-heading"))
    expect(copies.get_by_role("heading", level=2)).to_have_text("Copies of this article (1)")
    copy_link = copies.get_by_role("link")
    expect(copy_link).to_have_count(1)
    expect(copy_link).to_have_attribute("href", syndicated)
    expect(copy_link).to_have_text(f"{headline} (partner copy)")
    expect(copies.locator("li")).to_contain_text(f"({OUTLET_COPY})")
    expect(copies.locator("li")).to_contain_text("the same text as this article")
    expect(matrix.locator(f"a[href='{syndicated}']")).to_have_count(0)

    # 4. Nothing on the finished page bars a reader using assistive technology.
    copies.scroll_into_view_if_needed()
    page.screenshot(path=artifacts("coverage-example-copies.png"))
    assert_accessible(page, axe_source())
