"""Related-coverage fixtures: other outlets' articles about the seed story (written for this
project, in our own words), two off-topic ones, and an RSS feed listing them, all served by
a local HTTP server."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tests.conftest import LocalWebServer
from tests.factories import import_text

FIXTURES = Path(__file__).parent / "fixtures"
ON_TOPIC = ("trucks", "income", "denial")
OFF_TOPIC = ("oil_prices", "football")
TITLES = {
    "trucks": "Moscow briefing: strikes destroyed more than 1,000 fuel trucks, generals say",
    "income": "How much does Islamic State really earn from oil?",
    "denial": "Erdoğan rejects Russian claims that his family profits from Islamic State oil",
    "oil_prices": "Brent crude slips as producers keep pumping",
    "football": "Late winner sends Galatasaray into the cup quarter-finals",
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
def seed_article(seed_text, team):  # type: ignore[no-untyped-def]
    return import_text(seed_text, team=team, url="https://wire.example/isis-oil-smuggling")
