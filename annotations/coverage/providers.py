"""Where related coverage comes from. Each provider turns a query into candidate articles
(URL, title, outlet, date). Every request goes through the SSRF-guarded client; feeds are
parsed from the bytes we fetched, after defusedxml has refused DTDs and entities."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from time import struct_time
from typing import Protocol
from urllib.parse import quote_plus, urlencode, urlsplit
from xml.etree.ElementTree import ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import F
from django.utils.translation import gettext, gettext_noop

from annotations.coverage.query import keywords
from annotations.fetching import FetchError, fetch
from annotations.models import ArticleVersion

FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8"


class ProviderError(Exception):
    """A provider could not answer; the message is shown on the job as a source error."""


@dataclass(frozen=True)
class Candidate:
    url: str
    title: str = ""
    outlet: str = ""
    published: datetime | None = None
    text: str = ""  # filled by the archive provider, which needs no fetch


class Provider(Protocol):
    @property
    def key(self) -> str: ...
    @property
    def label(self) -> str: ...

    def discover(self, query: str) -> list[Candidate]: ...


def parse_feed(data: bytes) -> list[Candidate]:
    """RSS or Atom from bytes. A DTD, entity declarations or external references are refused
    before feedparser sees the document (billion laughs, XXE)."""
    try:
        defused_fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ProviderError(
            "refused a feed that declares a DTD or entities (entity expansion or external "
            f"entities are not allowed): {type(exc).__name__}"
        ) from exc
    except ParseError as exc:
        raise ProviderError(f"not a well-formed RSS or Atom feed ({exc})") from exc
    parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    outlet = parsed.feed.get("title", "")
    items = []
    for entry in parsed.entries:
        link = entry.get("link", "")
        if not link:
            continue
        items.append(
            Candidate(
                url=link,
                title=entry.get("title", "")[:500],
                outlet=(entry.get("source", {}) or {}).get("title", "") or outlet,
                published=_date(entry.get("published_parsed") or entry.get("updated_parsed")),
            )
        )
    return items


def _date(value: struct_time | None) -> datetime | None:
    if not value:
        return None
    return datetime(*value[:6], tzinfo=UTC)


def _fetch_feed(url: str) -> list[Candidate]:
    try:
        result = fetch(url, accept=FEED_ACCEPT, max_bytes=settings.COVERAGE_FEED_MAX_BYTES)
    except FetchError as exc:
        raise ProviderError(str(exc)) from exc
    if result.status >= 400:
        raise ProviderError(f"the feed answered HTTP {result.status}")
    return parse_feed(result.content)


def _fetch_json(url: str) -> dict[str, object]:
    try:
        result = fetch(url, accept="application/json", max_bytes=settings.COVERAGE_FEED_MAX_BYTES)
    except FetchError as exc:
        raise ProviderError(str(exc)) from exc
    if result.status >= 400:
        raise ProviderError(f"the API answered HTTP {result.status}")
    try:
        data = json.loads(result.content)
    except ValueError as exc:
        raise ProviderError("the API did not answer JSON") from exc
    if not isinstance(data, dict):
        raise ProviderError("the API answered JSON of an unexpected shape")
    return data


def _list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


@dataclass(frozen=True)
class FeedProvider:
    url: str
    label: str = "RSS/Atom feed"
    key: str = "feed"

    def discover(self, query: str) -> list[Candidate]:
        # A feed is an outlet's whole output, newest first: take the latest items and let
        # matching rank the off-topic ones out.
        return _fetch_feed(self.url)[: settings.COVERAGE_MAX_PER_PROVIDER]


@dataclass(frozen=True)
class SearchTemplateProvider:
    """A search page that answers RSS or Atom, e.g. https://news.example/search?q={query}&format=rss"""

    template: str
    label: str = "Search feed"
    key: str = "search"

    def discover(self, query: str) -> list[Candidate]:
        url = self.template.replace("{query}", quote_plus(query))
        return _fetch_feed(url)[: settings.COVERAGE_MAX_PER_PROVIDER]


@dataclass(frozen=True)
class GdeltProvider:
    """GDELT DOC 2.0 article list (no key)."""

    endpoint: str
    label: str = "GDELT"
    key: str = "gdelt"

    def discover(self, query: str) -> list[Candidate]:
        params = {
            "query": query,
            "mode": "ArtList",
            "format": "json",
            "maxrecords": settings.COVERAGE_MAX_PER_PROVIDER,
            "sort": "HybridRel",
        }
        data = _fetch_json(f"{self.endpoint}?{urlencode(params)}")
        items = []
        for article in _list(data.get("articles")):
            if isinstance(article, dict) and article.get("url"):
                items.append(
                    Candidate(
                        url=str(article["url"]),
                        title=str(article.get("title", ""))[:500],
                        outlet=str(article.get("domain", "")),
                        published=_gdelt_date(str(article.get("seendate", ""))),
                    )
                )
        return items


def _gdelt_date(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class NewsApiProvider:
    """A NewsAPI-style keyed search API (`/v2/everything`)."""

    endpoint: str
    api_key: str
    label: str = "News API"
    key: str = "newsapi"

    def discover(self, query: str) -> list[Candidate]:
        params = {
            "q": query,
            "pageSize": settings.COVERAGE_MAX_PER_PROVIDER,
            "sortBy": "relevancy",
            "apiKey": self.api_key,
        }
        data = _fetch_json(f"{self.endpoint}?{urlencode(params)}")
        if data.get("status") == "error":
            raise ProviderError(f"the API refused: {data.get('message', 'no reason given')}")
        items = []
        for article in _list(data.get("articles")):
            if isinstance(article, dict) and article.get("url"):
                published = None
                with contextlib.suppress(ValueError):
                    published = datetime.fromisoformat(
                        str(article.get("publishedAt", "")).replace("Z", "+00:00")
                    )
                source = article.get("source") or {}
                items.append(
                    Candidate(
                        url=str(article["url"]),
                        title=str(article.get("title", ""))[:500],
                        outlet=str(source.get("name", "")) if isinstance(source, dict) else "",
                        published=published,
                    )
                )
        return items


@dataclass(frozen=True)
class ArchiveProvider:
    """The newsroom's own imported articles, by PostgreSQL full-text search."""

    exclude_article_id: int
    label: str = "Our archive"
    key: str = "archive"

    def discover(self, query: str) -> list[Candidate]:
        words = keywords(query)
        if not words:
            return []
        search = SearchQuery(" OR ".join(words), search_type="websearch", config="simple")
        latest = (
            ArticleVersion.objects.exclude(article_id=self.exclude_article_id)
            .annotate(rank=SearchRank(SearchVector("text", config="simple"), search))
            .filter(rank__gt=0.01)
            .select_related("article")
            .order_by("-rank", F("article_id"), "-number")[: settings.COVERAGE_MAX_PER_PROVIDER]
        )
        seen, items = set(), []
        for version in latest:
            if version.article_id in seen:
                continue
            seen.add(version.article_id)
            article = version.article
            items.append(
                Candidate(
                    url=article.canonical_url
                    or article.url
                    or f"archive:article/{article.pk}/v{version.number}",
                    title=article.title,
                    outlet=article.outlet,
                    published=article.published_at,
                    text=version.text,
                )
            )
        return items


def host_of(url: str) -> str:
    """The server a URL names (host and port): what the per-host fetch limit counts."""
    try:
        parts = urlsplit(url)
        return f"{(parts.hostname or '').lower()}:{parts.port or ''}"
    except ValueError:  # a malformed address: the fetch refuses it with a message
        return url[:100]


PROVIDER_LABELS = {
    "feeds": gettext_noop("The desk's RSS/Atom feeds"),
    "search": gettext_noop("Search feeds"),
    "gdelt": "GDELT",
    "newsapi": "News API",
    "archive": gettext_noop("Our archive"),
}


def available() -> list[tuple[str, str]]:
    """The providers this installation can use, for the form's checkboxes."""
    keys = ["feeds", "archive"]
    if settings.COVERAGE_SEARCH_TEMPLATES:
        keys.insert(1, "search")
    if settings.COVERAGE_GDELT_URL:
        keys.append("gdelt")
    if settings.COVERAGE_NEWSAPI_KEY:
        keys.append("newsapi")
    return [(k, gettext(PROVIDER_LABELS[k])) for k in keys]
