"""The related-coverage pipeline against hostile and broken input, in this process (no
worker): private addresses in feed items and redirects, entity-expansion and external-entity
feeds, slow, huge and failing pages, retries, and the overall and per-host fetch caps."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from annotations.coverage import pipeline
from annotations.coverage import services as coverage
from annotations.coverage.providers import ProviderError, parse_feed
from annotations.models import CoverageJob, RelatedArticle
from tests.conftest import ARTICLE_HTML, LocalWebServer
from tests.coverage.conftest import FIXTURES, TITLES, rss, serve_coverage

pytestmark = pytest.mark.django_db

Status = RelatedArticle.Status
FEED_HEADERS = {"Content-Type": "application/rss+xml; charset=utf-8"}
PASSWD = Path("/etc/passwd")


# --- Helpers ---------------------------------------------------------------------------------------


def new_job(version, user) -> CoverageJob:  # type: ignore[no-untyped-def]
    """A job that is not started: the test records what "discovery" found itself."""
    return coverage.coverage_job_create(
        version=version, user=user, query="Marrow diesel", providers=["feeds"], start=False
    )


def job_with_items(version, user, urls: list[str]) -> CoverageJob:  # type: ignore[no-untyped-def]
    """A job whose discovery found these URLs, as an RSS feed's items parsed from bytes."""
    job = new_job(version, user)
    feed = rss([(f"Item {i}", url) for i, url in enumerate(urls)]).encode()
    candidates = parse_feed(feed)
    assert [c.url for c in candidates] == urls
    pipeline.candidates_record(job, "feed", candidates)
    return job


def after_discovery(job: CoverageJob) -> CoverageJob:
    for step in (
        pipeline.coverage_job_fetch,
        pipeline.coverage_job_extract,
        pipeline.coverage_job_match,
    ):
        step(job.pk)
    return CoverageJob.objects.get(pk=job.pk)


def rows_by_url(job: CoverageJob) -> dict[str, RelatedArticle]:
    return {row.url: row for row in RelatedArticle.objects.filter(job=job)}


def counts(job: CoverageJob) -> tuple[int, int, int, int]:
    return (job.found, job.fetched, job.extracted, job.failed)


def fixture_page(name: str) -> bytes:
    return (FIXTURES / f"{name}.html").read_bytes()


@pytest.fixture
def version(wire_article):  # type: ignore[no-untyped-def]
    return wire_article[1]


# --- 3. SSRF: nothing private is contacted -------------------------------------------------------


def test_private_item_urls_are_refused_and_never_requested(
    settings, web_server: LocalWebServer, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    settings.FETCH_ALLOW_NETWORKS = []  # production: no exceptions to the address guard
    local = web_server.add("/x", ARTICLE_HTML)
    expected = {
        local: "127.0.0.1 is a loopback address",
        "http://10.0.0.1/": "10.0.0.1 is a private-network address",
        "http://169.254.169.254/latest/meta-data/": "169.254.169.254 is a link-local address",
        "http://[::1]/": "::1 is a loopback address",
        "http://2130706433/": "2130706433 (127.0.0.1) is a loopback address",
        "http://0x7f000001/": "0x7f000001 (127.0.0.1) is a loopback address",
        # A name, not a literal: refused at connect time, on the address it resolves to.
        f"http://localhost:{web_server.port}/x": "localhost resolves to",
    }
    job = job_with_items(version, factchecker, list(expected))

    job = after_discovery(job)

    assert job.state == CoverageJob.State.DONE
    rows = rows_by_url(job)
    assert set(rows) == set(expected)
    for url, message in expected.items():
        row = rows[url]
        assert row.status == Status.FAILED, url
        assert "refused" in row.error, (url, row.error)
        assert message in row.error, (url, row.error)
        assert not row.html and not row.text
    assert counts(job) == (7, 0, 0, 7)
    assert job.matched == 0 and not job.matches.exists()
    assert web_server.hits == []  # not one request reached this machine's server


def test_a_refusal_message_says_refused_once(settings, version, factchecker) -> None:  # type: ignore[no-untyped-def]
    """BlockedURL messages already start with "refused:"; _fetch_one prefixes it again."""
    settings.FETCH_ALLOW_NETWORKS = []
    job = after_discovery(job_with_items(version, factchecker, ["http://10.0.0.1/"]))
    error = RelatedArticle.objects.get(job=job).error
    assert error == "refused: 10.0.0.1 is a private-network address"


# --- 4. Redirects are checked hop by hop ---------------------------------------------------------


def test_redirects_to_private_addresses_are_refused(
    web_server: LocalWebServer, allow_local_fetch, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    targets = {
        "/go/private": ("http://10.0.0.1/admin", "10.0.0.1 is a private-network address"),
        "/go/metadata": (
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254 is a link-local address",
        ),
        "/go/ipv6": ("http://[::1]/", "::1 is a loopback address"),
        # 127.0.0.1/32 is allowed for the test server; the rest of 127/8 is not.
        "/go/loopback": (f"http://127.0.0.2:{web_server.port}/", "127.0.0.2 is a loopback"),
    }
    urls = {
        web_server.redirect(path, target): (path, message)
        for path, (target, message) in targets.items()
    }
    # A control: a redirect to an allowed page is followed and the article extracted.
    page = web_server.add("/news/lorries.html", fixture_page("lorries"))
    fine = web_server.redirect("/go/fine", page, status=301)
    job = job_with_items(version, factchecker, [*urls, fine])

    job = after_discovery(job)

    assert job.state == CoverageJob.State.DONE
    rows = rows_by_url(job)
    for url, (path, message) in urls.items():
        row = rows[url]
        assert row.status == Status.FAILED, path
        assert "redirect refused" in row.error, (path, row.error)
        assert message in row.error, (path, row.error)
    assert rows[fine].status == Status.EXTRACTED
    assert counts(job) == (5, 1, 1, 4)
    # Each redirect was requested once (not retried: a refusal is final), its target never.
    assert sorted(web_server.hits) == sorted([*targets, "/go/fine", "/news/lorries.html"])


def test_a_malformed_redirect_fails_that_source_not_the_job(
    web_server: LocalWebServer, allow_local_fetch, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    """httpx parses Location itself even when not following redirects; fetch() turns its
    complaint into a refusal, so one odd page fails alone."""
    bad = web_server.redirect("/go/broken", "http://[::1")
    good = web_server.add("/news/lorries.html", fixture_page("lorries"))
    job = job_with_items(version, factchecker, [bad, good])

    job = after_discovery(job)

    assert job.state == CoverageJob.State.DONE
    rows = rows_by_url(job)
    assert rows[bad].status == Status.FAILED
    assert "redirect refused: Invalid URL in location header" in rows[bad].error
    assert rows[good].status == Status.EXTRACTED


@pytest.mark.parametrize(
    "bad_url",
    ["http://127.0.0.1:99999/x", "http://127.0.0.1:port/x", "http://[::1/x"],
    ids=["port-out-of-range", "port-not-a-number", "unclosed-ipv6"],
)
def test_a_malformed_item_url_fails_that_item_not_the_job(
    web_server: LocalWebServer, allow_local_fetch, version, factchecker, bad_url: str
) -> None:  # type: ignore[no-untyped-def]
    """A feed is someone else's document: one bad <link> must not stop the job. host_of()
    (the per-host limit's key) reads urlsplit().port, which raises ValueError here."""
    good = web_server.add("/news/lorries.html", fixture_page("lorries"))
    job = job_with_items(version, factchecker, [bad_url, good])

    job = after_discovery(job)

    assert job.state == CoverageJob.State.DONE
    rows = rows_by_url(job)
    assert rows[bad_url].status == Status.FAILED
    assert rows[good].status == Status.EXTRACTED


def test_a_malformed_feed_address_is_a_coverage_error(version, factchecker) -> None:  # type: ignore[no-untyped-def]
    """check_url() lets urlsplit's ValueError out, so the start form answers 500."""
    with pytest.raises(coverage.CoverageError, match="not allowed"):
        coverage.coverage_job_create(
            version=version,
            user=factchecker,
            query="Marrow diesel",
            providers=[],
            feed_urls=["http://[::1/feed.xml"],
            start=False,
        )


# --- 5. Hostile feeds ----------------------------------------------------------------------------


def billion_laughs(link: str) -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [{"".join(entities)}]>'
        '<rss version="2.0"><channel><title>&lol9;</title><link>https://wire.example/</link>'
        f"<description>&lol9;</description><item><title>&lol9;</title><link>{link}</link>"
        "</item></channel></rss>"
    )


def external_entity(link: str) -> str:
    return (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        '<rss version="2.0"><channel><title>&xxe;</title><link>https://wire.example/</link>'
        f"<description>&xxe;</description><item><title>&xxe;</title><link>{link}</link>"
        "<description>&xxe;</description></item></channel></rss>"
    )


def external_dtd(link: str) -> str:
    return (
        '<?xml version="1.0"?><!DOCTYPE rss SYSTEM "file:///etc/passwd">'
        '<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>'
        f"<description>x</description><item><title>Item</title><link>{link}</link>"
        "</item></channel></rss>"
    )


def parameter_entity(link: str) -> str:
    return (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % ext SYSTEM "file:///etc/passwd"> %ext;]>'
        '<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>'
        f"<description>x</description><item><title>Item</title><link>{link}</link>"
        "</item></channel></rss>"
    )


HOSTILE_FEEDS = {
    "billion-laughs": billion_laughs,
    "external-entity": external_entity,
    "external-dtd": external_dtd,
    "parameter-entity": parameter_entity,
}


def passwd_markers() -> list[str]:
    if not PASSWD.exists():  # pragma: no cover - every Linux test machine has one
        return ["root:x:0:0"]
    return [line for line in PASSWD.read_text().splitlines() if line.count(":") >= 6][:3]


@pytest.mark.parametrize("name", list(HOSTILE_FEEDS))
def test_parse_feed_refuses_dtds_and_entities(name: str) -> None:
    started = time.monotonic()
    with pytest.raises(ProviderError, match="refused a feed that declares a DTD or entities"):
        parse_feed(HOSTILE_FEEDS[name]("https://wire.example/a").encode())
    assert time.monotonic() - started < 1  # refused up front, nothing expanded


def test_parse_feed_reads_a_plain_feed() -> None:
    items = parse_feed(rss([(TITLES["lorries"], "https://wire.example/a")]).encode())
    assert [(c.url, c.title, c.outlet) for c in items] == [
        ("https://wire.example/a", TITLES["lorries"], "World news wire")
    ]
    assert items[0].published is not None and items[0].published.year == 2015


@pytest.mark.parametrize("name", list(HOSTILE_FEEDS))
def test_a_hostile_feed_is_a_source_error_and_finds_nothing(
    web_server: LocalWebServer, allow_local_fetch, version, factchecker, name: str
) -> None:  # type: ignore[no-untyped-def]
    page = web_server.add("/news/lorries.html", fixture_page("lorries"))
    feed = web_server.add("/evil.xml", HOSTILE_FEEDS[name](page), headers=FEED_HEADERS)
    job = coverage.coverage_job_create(
        version=version,
        user=factchecker,
        query="Marrow diesel",
        providers=[],
        feed_urls=[feed],
        start=False,
    )

    started = time.monotonic()
    job = pipeline.coverage_job_run(job.pk)

    assert time.monotonic() - started < 10
    assert job.state == CoverageJob.State.DONE
    assert len(job.errors) == 1
    assert job.errors[0]["source"].startswith("Feed given for this run, http://")
    assert "refused a feed that declares a DTD or entities" in job.errors[0]["error"]
    assert counts(job) == (0, 0, 0, 0)
    assert not RelatedArticle.objects.filter(job=job).exists()
    assert web_server.hits == ["/evil.xml"]  # the item's link was never followed
    stored = json.dumps(
        list(CoverageJob.objects.filter(pk=job.pk).values()), default=str
    ) + json.dumps(list(RelatedArticle.objects.values("title", "outlet", "text", "error")))
    for marker in passwd_markers():
        assert marker not in stored


def test_feed_problems_are_source_errors_not_job_failures(
    settings, web_server: LocalWebServer, allow_local_fetch, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    settings.COVERAGE_FEED_MAX_BYTES = 2_000
    site = serve_coverage(web_server)
    huge = web_server.add(
        "/huge.xml",
        rss([(f"Item {i}", f"https://wire.example/{i}") for i in range(200)]),
        headers=FEED_HEADERS,
    )
    sneaky = web_server.redirect("/sneaky.xml", "http://169.254.169.254/latest/meta-data/")
    broken = web_server.add("/broken.xml", "<rss><channel><item>", headers=FEED_HEADERS)
    missing = web_server.url("/gone.xml")
    job = coverage.coverage_job_create(
        version=version,
        user=factchecker,
        query="Marrow diesel",
        providers=[],
        feed_urls=[huge, sneaky, broken, missing, site.feed_url],
        start=False,
    )

    job = pipeline.coverage_job_run(job.pk)

    assert job.state == CoverageJob.State.DONE
    errors = [e["error"] for e in job.errors]
    assert len(errors) == 4, errors
    assert "response too large" in errors[0]
    assert "redirect refused: 169.254.169.254 is a link-local address" in errors[1]
    assert "not a well-formed RSS or Atom feed" in errors[2]
    assert errors[3] == "the feed answered HTTP 404"
    assert counts(job) == (5, 5, 5, 0)  # the good feed still counts


# --- 6. Slow, huge and failing pages; retries ----------------------------------------------------


def test_slow_and_oversized_pages_fail_alone_and_the_rest_extract(
    settings, web_server: LocalWebServer, allow_local_fetch, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    settings.FETCH_READ_TIMEOUT = 0.5
    settings.FETCH_TOTAL_TIMEOUT = 1.0
    settings.FETCH_MAX_BYTES = 20_000  # the fixture pages are about 1 kB
    settings.COVERAGE_FETCH_RETRIES = 1
    site = serve_coverage(web_server)
    slow = web_server.add("/slow.html", fixture_page("lorries"), delay=3.0)
    big_body = b"<html><body><article><p>" + b"padding " * 10_000 + b"</p></article></body></html>"
    big = web_server.add("/big.html", big_body)
    job = job_with_items(version, factchecker, [slow, *site.pages.values(), big])

    started = time.monotonic()
    job = after_discovery(job)
    elapsed = time.monotonic() - started

    assert job.state == CoverageJob.State.DONE
    rows = rows_by_url(job)
    assert rows[slow].status == Status.FAILED
    assert rows[slow].error == "timed out fetching 127.0.0.1"
    assert rows[big].status == Status.FAILED
    assert rows[big].error == f"response too large: {len(big_body):,} bytes (limit 20,000)"
    for url in site.pages.values():
        assert rows[url].status == Status.EXTRACTED, (url, rows[url].error)
    assert counts(job) == (7, 5, 5, 2)
    # A timeout is transient: tried twice. Too large is not: tried once.
    assert web_server.hits.count("/slow.html") == 2
    assert web_server.hits.count("/big.html") == 1
    # Bounded by the read timeout (2 x 0.5 s + backoff), not by the server's 3 s delay.
    assert elapsed < 3.0, elapsed


class StreamingServer:
    """Answers without Content-Length (HTTP/1.0, body until close): /trickle sends a few bytes
    every 0.2 s for 10 s; /flood sends 8 kB chunks up to 1 MB."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    if self.path == "/trickle":
                        self.wfile.write(b"<html><body><p>")
                        for _ in range(50):
                            self.wfile.write(b"slow ")
                            self.wfile.flush()
                            time.sleep(0.2)
                    else:
                        for _ in range(128):
                            self.wfile.write(b"x" * 8192)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def streaming_server() -> Iterator[StreamingServer]:
    server = StreamingServer()
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def test_a_trickling_or_endless_body_is_cut_off(
    settings, streaming_server: StreamingServer, web_server, allow_local_fetch, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    settings.FETCH_READ_TIMEOUT = 1.0  # each trickle arrives in time; the total does not
    settings.FETCH_TOTAL_TIMEOUT = 1.0
    settings.FETCH_MAX_BYTES = 50_000
    settings.COVERAGE_FETCH_RETRIES = 0
    good = web_server.add("/news/lorries.html", fixture_page("lorries"))
    trickle, flood = streaming_server.url("/trickle"), streaming_server.url("/flood")
    job = job_with_items(version, factchecker, [trickle, flood, good])

    started = time.monotonic()
    job = after_discovery(job)

    assert time.monotonic() - started < 5
    rows = rows_by_url(job)
    assert rows[trickle].status == Status.FAILED
    assert rows[trickle].error == "timed out: the server was too slow to send the page"
    assert rows[flood].status == Status.FAILED
    assert rows[flood].error == "response too large: over 50,000 bytes"
    assert rows[good].status == Status.EXTRACTED
    assert job.state == CoverageJob.State.DONE


def test_only_transient_errors_are_retried(
    settings, web_server: LocalWebServer, allow_local_fetch, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    settings.COVERAGE_FETCH_RETRIES = 2
    missing = web_server.add("/missing.html", "<h1>Not here</h1>", status=404)
    gone = web_server.add("/gone.html", "<h1>Gone</h1>", status=410)
    busy = web_server.add("/busy.html", "<h1>Try later</h1>", status=503)
    limited = web_server.add("/limited.html", "<h1>Slow down</h1>", status=429)
    feed_not_page = web_server.add("/data.json", "{}", headers={"Content-Type": "application/json"})
    good = web_server.add("/news/lorries.html", fixture_page("lorries"))
    job = job_with_items(version, factchecker, [missing, gone, busy, limited, feed_not_page, good])

    job = after_discovery(job)

    assert job.state == CoverageJob.State.DONE
    rows = rows_by_url(job)
    assert rows[missing].error == "the server answered HTTP 404"
    assert rows[gone].error == "the server answered HTTP 410"
    assert rows[busy].error == "the server answered HTTP 503"
    assert rows[limited].error == "the server answered HTTP 429"
    assert rows[feed_not_page].error == "not a web page (application/json)"
    assert rows[good].status == Status.EXTRACTED
    assert counts(job) == (6, 1, 1, 5)
    tries = settings.COVERAGE_FETCH_RETRIES + 1
    assert web_server.hits.count("/missing.html") == 1
    assert web_server.hits.count("/gone.html") == 1
    assert web_server.hits.count("/data.json") == 1
    assert web_server.hits.count("/busy.html") == tries
    assert web_server.hits.count("/limited.html") == tries
    assert web_server.hits.count("/news/lorries.html") == 1


def test_a_page_that_recovers_on_retry_is_extracted(
    settings, web_server: LocalWebServer, allow_local_fetch, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    settings.COVERAGE_FETCH_RETRIES = 1
    url = web_server.add("/flaky.html", "<h1>Try later</h1>", status=503)
    route = web_server.routes["/flaky.html"]
    original = web_server.httpd.RequestHandlerClass

    class RecoverAfterFirst(original):  # type: ignore[misc,valid-type]
        def do_GET(self) -> None:  # noqa: N802
            super().do_GET()
            route.status, route.body = 200, fixture_page("lorries")

    web_server.httpd.RequestHandlerClass = RecoverAfterFirst
    job = after_discovery(job_with_items(version, factchecker, [url]))

    row = RelatedArticle.objects.get(job=job)
    assert (row.status, row.error) == (Status.EXTRACTED, "")
    assert web_server.hits == ["/flaky.html", "/flaky.html"]


# --- 7. Concurrency and the per-host cap ---------------------------------------------------------


class InFlight:
    """Counts requests a server is holding (inside the delay, before answering): a request
    counted here has a client still waiting on it, so the peak is a lower bound of the
    client's real concurrency and can check a cap."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def __enter__(self) -> None:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def __exit__(self, *exc: object) -> None:
        with self.lock:
            self.now -= 1


def hold_requests(server: LocalWebServer, delay: float, *meters: InFlight) -> None:
    """Every request to `server` waits `delay` seconds, counted by each meter."""
    base = server.httpd.RequestHandlerClass

    class Held(base):  # type: ignore[misc,valid-type]
        def do_GET(self) -> None:  # noqa: N802
            with contextlib.ExitStack() as stack:
                for meter in meters:
                    stack.enter_context(meter)
                time.sleep(delay)
            super().do_GET()

    server.httpd.RequestHandlerClass = Held
    server.httpd.socket.listen(128)  # socketserver's backlog of 5 would drop a burst of SYNs


@pytest.fixture
def four_servers(web_server: LocalWebServer) -> Iterator[list[LocalWebServer]]:
    extra = [LocalWebServer() for _ in range(3)]
    for server in extra:
        server.thread.start()
    yield [web_server, *extra]
    for server in extra:
        server.httpd.shutdown()
        server.httpd.server_close()


def test_fetches_run_concurrently_within_the_overall_and_per_host_caps(
    settings, four_servers: list[LocalWebServer], allow_local_fetch, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    """20 pages of 0.3 s each over four servers (host:port is what the per-host cap counts)."""
    settings.COVERAGE_CONCURRENCY = 8
    settings.COVERAGE_PER_HOST = 3
    overall = InFlight()
    per_server = [InFlight() for _ in four_servers]
    for server, meter in zip(four_servers, per_server, strict=True):
        hold_requests(server, 0.3, overall, meter)
    urls = [
        four_servers[i % 4].add(f"/news/{i}.html", ARTICLE_HTML.replace("Ferry", f"Ferry {i}"))
        for i in range(20)
    ]
    job = job_with_items(version, factchecker, urls)

    started = time.monotonic()
    pipeline.coverage_job_fetch(job.pk)
    elapsed = time.monotonic() - started

    assert set(RelatedArticle.objects.filter(job=job).values_list("status", flat=True)) == {
        Status.FETCHED
    }
    assert elapsed < 3.0, elapsed  # one at a time would be 6 s; the caps allow ~0.9 s
    assert overall.peak <= 8
    assert all(meter.peak <= 3 for meter in per_server), [m.peak for m in per_server]
    assert overall.peak > 3  # more than one host's worth at once
    assert sum(len(server.hits) for server in four_servers) == 20


def test_the_per_host_cap_holds_on_one_host(
    settings, web_server: LocalWebServer, allow_local_fetch, version, factchecker
) -> None:  # type: ignore[no-untyped-def]
    settings.COVERAGE_CONCURRENCY = 12
    settings.COVERAGE_PER_HOST = 2
    meter = InFlight()
    hold_requests(web_server, 0.3, meter)
    urls = [web_server.add(f"/news/{i}.html", ARTICLE_HTML) for i in range(20)]
    job = job_with_items(version, factchecker, urls)

    started = time.monotonic()
    pipeline.coverage_job_fetch(job.pk)
    elapsed = time.monotonic() - started

    assert RelatedArticle.objects.filter(job=job, status=Status.FETCHED).count() == 20
    assert meter.peak == 2  # the cap, and used
    assert elapsed >= 2.7, elapsed  # 20 / 2 x 0.3 s: the cap cannot be beaten
    assert elapsed < 8.0, elapsed
