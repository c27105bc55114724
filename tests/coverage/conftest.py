"""Related-coverage fixtures: other outlets' articles about our wire story
(tests/fixtures/wire-story.txt; all fictional, written for this project), two off-topic
ones, and an RSS feed listing them, all served by a local HTTP server."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests.conftest import LocalWebServer
from tests.factories import import_text

FIXTURES = Path(__file__).parent / "fixtures"
ON_TOPIC = ("lorries", "income", "denial")
OFF_TOPIC = ("fuel_prices", "football")
TITLES = {
    "lorries": "Inspectors say cameras counted more than 1,100 fuel lorries at Harrow Pass",
    "income": "How much does the Harrow Pass diesel ring really make?",
    "denial": "Governor Brancu rejects customs claims that he profits from diesel smuggling",
    "fuel_prices": "Crude slips as refiners cut runs ahead of winter",
    "football": "Late winner sends Dorval Athletic into the cup semi-finals",
}


def rss(items: list[tuple[str, str]], title: str = "World news wire") -> str:
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(u)}</link>"
        "<pubDate>Thu, 03 Dec 2015 10:00:00 GMT</pubDate></item>"
        for t, u in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://wire.example/</link>"
        f"<description>Test feed</description>{entries}</channel></rss>"
    )


@dataclass
class CoverageSite:
    server: LocalWebServer
    feed_url: str
    pages: dict[str, str]


def serve_coverage(server: LocalWebServer, *, delay: float = 0.0) -> CoverageSite:
    pages = {}
    for name in ON_TOPIC + OFF_TOPIC:
        pages[name] = server.add(
            f"/news/{name}.html", (FIXTURES / f"{name}.html").read_bytes(), delay=delay
        )
    feed = server.add(
        "/feed.xml",
        rss([(TITLES[name], url) for name, url in pages.items()]),
        headers={"Content-Type": "application/rss+xml; charset=utf-8"},
    )
    return CoverageSite(server, feed, pages)


@pytest.fixture
def coverage_site(web_server, allow_local_fetch) -> CoverageSite:  # type: ignore[no-untyped-def]
    return serve_coverage(web_server)


@pytest.fixture
def wire_article(article_text, team):  # type: ignore[no-untyped-def]
    return import_text(article_text, team=team, url="https://wire.example/velmora-diesel-racket")
