"""A failed source archive says what happened in words a journalist understands, one
sentence per kind of failure, each produced by the real archive task against a local HTTP
server on 127.0.0.1 or a name under .invalid (never a public address). The technical
message stays, behind the card's "Technical detail" toggle."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import pytest
from django.test import Client
from lxml import html as lxml_html

from annotations.models import Source
from annotations.workspace import archiving, services
from annotations.workspace.tasks import archive_source
from tests.conftest import ARTICLE_HTML, LocalWebServer, free_port
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def annotation(article_text: str, team, factchecker):  # type: ignore[no-untyped-def]
    _article, version = import_text(article_text, team=team)
    return annotate(version, LORRIES, factchecker)


def archived(annotation, user, url: str) -> Source:  # type: ignore[no-untyped-def]
    """Add the source through the service and run the archive task as a worker would
    (Celery's eager apply runs the retries of transient failures too)."""
    source = services.source_add(annotation_id=annotation.pk, user=user, url=url)
    archive_source.apply(args=[source.pk])
    source.refresh_from_db()
    return source


def assert_failed(source: Source, sentence: str, failure: str) -> None:
    assert source.archive_status == Source.ArchiveStatus.FAILED, source.archive_error
    assert source.archive_failure == failure
    assert archiving.failure_sentence(source) == sentence


@contextlib.contextmanager
def garbling_server() -> Iterator[int]:
    """A TCP server on 127.0.0.1 that answers every connection with bytes that are not HTTP."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _address = listener.accept()
            except OSError:
                return
            with connection, contextlib.suppress(OSError):
                connection.recv(4096)
                connection.sendall(b"HELLO THERE, THIS IS NOT HTTP\r\n\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()


def test_a_name_that_does_not_exist(annotation, factchecker) -> None:  # type: ignore[no-untyped-def]
    source = archived(annotation, factchecker, "https://www.no-such-newsroom.invalid/story")
    assert_failed(
        source,
        "Could not reach no-such-newsroom.invalid: the name was not found.",
        Source.ArchiveFailure.NAME,
    )
    assert "could not resolve host" in source.archive_error


def test_a_server_that_does_not_answer(annotation, factchecker, allow_local_fetch) -> None:  # type: ignore[no-untyped-def]
    source = archived(annotation, factchecker, f"http://127.0.0.1:{free_port()}/gone")
    assert_failed(source, "Could not reach 127.0.0.1: no connection could be made.", "connect")
    assert "gave up after 4 tries" in source.archive_error


def test_a_server_that_is_too_slow(
    annotation, factchecker, web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    allow_local_fetch.FETCH_READ_TIMEOUT = 0.2
    url = web_server.add("/slow", ARTICLE_HTML, delay=1.0)
    source = archived(annotation, factchecker, url)
    assert_failed(source, "127.0.0.1 took too long to answer.", "timeout")
    assert "timed out" in source.archive_error


def test_a_name_that_points_inside_our_network(annotation, factchecker) -> None:  # type: ignore[no-untyped-def]
    # "localhost" passes the check made when the source is added (it is a name, not an
    # address); the fetcher refuses it when it connects. No FETCH_ALLOW_NETWORKS here.
    source = archived(annotation, factchecker, f"http://localhost:{free_port()}/admin")
    assert_failed(
        source, "That address points inside our network, so we do not fetch it.", "blocked"
    )
    assert "loopback" in source.archive_error


def test_a_redirect_inside_our_network(
    annotation, factchecker, web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    source = archived(annotation, factchecker, web_server.redirect("/go", "http://10.0.0.1/secret"))
    assert_failed(
        source,
        "127.0.0.1 sent us on to an address inside our network, so we did not follow it.",
        "redirect_blocked",
    )


def test_a_redirect_to_something_that_is_not_a_web_page(
    annotation, factchecker, web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    source = archived(
        annotation, factchecker, web_server.redirect("/ftp", "ftp://files.example/report.pdf")
    )
    assert_failed(
        source,
        "That is not an address we can fetch: only web pages (http and https) are archived.",
        "invalid",
    )


def test_a_page_too_large_to_keep(
    annotation, factchecker, web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    allow_local_fetch.FETCH_MAX_BYTES = 1000
    source = archived(annotation, factchecker, web_server.add("/huge", "x" * 5000))
    assert_failed(
        source,
        "The page at 127.0.0.1 is too large to keep (the limit is 1000\xa0bytes).",
        "too_large",
    )


def test_too_many_redirects(
    annotation, factchecker, web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    web_server.redirect("/loop", web_server.url("/loop"))
    source = archived(annotation, factchecker, web_server.url("/loop"))
    assert_failed(source, "127.0.0.1 sent us from address to address too many times.", "redirects")


def test_an_answer_that_is_not_http(annotation, factchecker, allow_local_fetch) -> None:  # type: ignore[no-untyped-def]
    with garbling_server() as port:
        source = archived(annotation, factchecker, f"http://127.0.0.1:{port}/story")
    assert_failed(source, "127.0.0.1 sent an answer we could not read.", "protocol")


@pytest.mark.parametrize(
    ("status", "sentence"),
    [
        (404, "127.0.0.1 answered 404: the page was not found."),
        (410, "127.0.0.1 answered 410: the page has been removed."),
        (
            403,
            "127.0.0.1 answered 403: it would not show us the page (it may need a login, "
            "or turn away automatic visitors).",
        ),
        (429, "127.0.0.1 answered 429: it asked us to come back later."),
        (418, "127.0.0.1 answered 418: it did not give us the page."),
        (503, "127.0.0.1 answered 503: the site had a problem on its side."),
    ],
)
def test_an_error_status(
    annotation,
    factchecker,
    web_server: LocalWebServer,
    allow_local_fetch,
    status: int,
    sentence: str,
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.add("/page", "<p>Error</p>", status=status)
    source = archived(annotation, factchecker, url)
    assert_failed(source, sentence, "http")
    assert source.http_status == status
    # A server error is tried again before it counts; a page that is not there is not.
    assert web_server.hits.count("/page") == (4 if status >= 500 else 1)


def test_a_page_with_no_article_text(
    annotation, factchecker, web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.add("/empty", "<!doctype html><html><body><nav></nav></body></html>")
    source = archived(annotation, factchecker, url)
    assert_failed(
        source, "127.0.0.1 answered, but we found no article text on the page.", "no_text"
    )
    assert source.http_status == 200


def test_archiving_stopped_or_lost(annotation, factchecker) -> None:  # type: ignore[no-untyped-def]
    stopped = services.source_add(
        annotation_id=annotation.pk, user=factchecker, url="https://www.bbc.com/news/a"
    )
    lost = services.source_add(
        annotation_id=annotation.pk, user=factchecker, url="https://bbc.com/news/b"
    )
    archiving.source_archive_gave_up(stopped.pk, "took too long", Source.ArchiveFailure.STOPPED)
    archiving.source_archive_gave_up(lost.pk, "worker lost", Source.ArchiveFailure.LOST)
    stopped.refresh_from_db()
    lost.refresh_from_db()
    assert_failed(stopped, "Archiving bbc.com took too long and was stopped.", "stopped")
    assert_failed(lost, "Archiving bbc.com never finished: our worker stopped on the way.", "lost")


def test_the_issue_s_example_reads_as_written() -> None:
    source = Source(url="https://www.bbc.com/news/world", archive_failure="name")
    assert archiving.failure_sentence(source) == "Could not reach bbc.com: the name was not found."
    source = Source(url="https://www.bbc.com/news/world", archive_failure="timeout")
    assert archiving.failure_sentence(source) == "bbc.com took too long to answer."
    source = Source(url="https://www.bbc.com/x", archive_failure="http", http_status=404)
    assert archiving.failure_sentence(source) == "bbc.com answered 404: the page was not found."
    # A failure recorded before failures had kinds still reads as a sentence.
    assert archiving.failure_sentence(Source(url="https://bbc.com/x")) == (
        "We could not keep a copy of bbc.com."
    )


def test_the_card_shows_the_sentence_and_retry_and_keeps_the_detail_behind_a_toggle(
    annotation, factchecker, factchecker_client: Client
) -> None:  # type: ignore[no-untyped-def]
    source = archived(annotation, factchecker, "https://www.no-such-newsroom.invalid/story")
    html = factchecker_client.get(
        f"/annotations/{annotation.pk}/", {"part": "sources"}, **HTMX
    ).content.decode()
    item = lxml_html.fromstring(html).get_element_by_id(f"source-{source.pk}")

    problem = item.get_element_by_id(f"source-{source.pk}-problem")
    assert problem.text_content() == (
        "Could not reach no-such-newsroom.invalid: the name was not found."
    )
    retry = item.cssselect("form.archive-retry button")[0]
    assert retry.text_content().strip() == "Retry"
    assert retry.get("aria-describedby") == f"source-{source.pk}-problem"
    icon = item.cssselect(".archive svg")[0]
    assert (icon.get("role"), icon.get("aria-label")) == ("img", "Archive failed")
    # The raw error is only inside the closed "Technical detail" toggle.
    details = item.cssselect("details.archive-detail")[0]
    assert details.get("open") is None
    assert details.cssselect("summary")[0].text_content() == "Technical detail"
    assert "could not resolve host" in details.text_content()
    details.drop_tree()
    assert "could not resolve host" not in item.text_content()


def test_an_archived_source_keeps_hash_and_status_behind_the_toggle(
    annotation,
    factchecker,
    factchecker_client: Client,
    web_server: LocalWebServer,
    allow_local_fetch,
) -> None:  # type: ignore[no-untyped-def]
    source = archived(annotation, factchecker, web_server.add("/ferry", ARTICLE_HTML))
    html = factchecker_client.get(
        f"/annotations/{annotation.pk}/", {"part": "sources"}, **HTMX
    ).content.decode()
    item = lxml_html.fromstring(html).get_element_by_id(f"source-{source.pk}")
    icon = item.cssselect(".archive svg")[0]
    assert (icon.get("role"), icon.get("aria-label")) == ("img", "Archived")
    assert "Copy kept" in item.cssselect(".archive-line")[0].text_content()
    details = item.cssselect("details.archive-detail")[0]
    assert source.archived_hash in details.text_content()
    assert "200" in details.text_content()
    details.drop_tree()
    assert source.archived_hash[:12] not in item.text_content()
    assert "sha256" not in item.text_content().lower()
    assert not item.cssselect("form.archive-retry")  # nothing to retry
