"""The URL-import task body, run in-process against a local web server."""

from __future__ import annotations

import pytest

from annotations.ingest.tasks import import_article_url
from annotations.models import Article, ImportJob
from tests.conftest import ARTICLE_HTML, LocalWebServer

pytestmark = pytest.mark.django_db


def run_job(url: str, **fields: object) -> ImportJob:
    job = ImportJob.objects.create(url=url, **fields)
    import_article_url.apply(args=[job.pk])
    job.refresh_from_db()
    return job


def test_url_import_extracts_the_article_and_its_metadata(
    web_server: LocalWebServer, allow_local_fetch, factchecker
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.add("/news/ferry", ARTICLE_HTML)

    job = run_job(url, created_by=factchecker)

    assert job.state == ImportJob.State.DONE, job.error
    article = job.article
    assert article.title == "Ferry fares frozen for a year"
    assert article.outlet == "Harbour Herald"
    assert article.authors == "Lena Fischer"
    assert article.published_at.date().isoformat() == "2026-10-02"
    assert article.canonical_url == "https://harbour-herald.example/news/ferry-fares-frozen"
    assert article.url == url
    assert article.language == "en"
    assert article.created_by == factchecker
    version = article.versions.get()
    assert version.source == "url" and version.fetched_url == url
    assert version.sentences.count() == 4
    assert "injected" not in version.text and "Reader comment" not in version.text


def test_running_the_same_job_twice_imports_once(
    web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.add("/news/ferry", ARTICLE_HTML)
    job = run_job(url)
    import_article_url.apply(args=[job.pk])
    second = run_job(url)  # a second import of the same page: same article, no new version

    assert Article.objects.count() == 1
    assert second.article == job.article and not second.version_created
    assert web_server.hits.count("/news/ferry") == 2  # the finished job was not fetched again


def test_changed_page_becomes_a_new_version(web_server: LocalWebServer, allow_local_fetch) -> None:  # type: ignore[no-untyped-def]
    url = web_server.add("/news/ferry", ARTICLE_HTML)
    first = run_job(url)
    web_server.add("/news/ferry", ARTICLE_HTML.replace("18 percent", "21 percent"))
    second = run_job(url)

    assert second.article == first.article and second.version_created
    assert list(first.article.versions.values_list("number", flat=True)) == [2, 1]


def test_redirect_to_a_private_address_fails_the_job_with_the_reason(
    web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.redirect("/sneaky", "http://169.254.169.254/latest/meta-data/")
    job = run_job(url)
    assert job.state == ImportJob.State.FAILED
    assert "redirect refused" in job.error and "link-local" in job.error
    assert not Article.objects.exists()


def test_unreachable_url_fails_after_retries(allow_local_fetch) -> None:  # type: ignore[no-untyped-def]
    job = run_job("http://127.0.0.1:9/nothing-listens")
    assert job.state == ImportJob.State.FAILED
    assert "could not connect" in job.error and "gave up after 4 tries" in job.error


def test_http_error_fails_the_job(web_server: LocalWebServer, allow_local_fetch) -> None:  # type: ignore[no-untyped-def]
    url = web_server.add("/gone", "<p>not here</p>", status=404)
    job = run_job(url)
    assert job.state == ImportJob.State.FAILED
    assert "HTTP 404" in job.error


def test_a_page_that_is_not_html_fails_the_job(
    web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.add("/file.pdf", b"%PDF-1.7", headers={"Content-Type": "application/pdf"})
    job = run_job(url)
    assert job.state == ImportJob.State.FAILED
    assert "application/pdf, not a web page" in job.error


def test_oversized_page_fails_the_job(web_server: LocalWebServer, allow_local_fetch) -> None:  # type: ignore[no-untyped-def]
    allow_local_fetch.FETCH_MAX_BYTES = 50_000
    url = web_server.add("/huge", "<p>" + "word " * 20_000 + "</p>")
    job = run_job(url)
    assert job.state == ImportJob.State.FAILED
    assert "too large" in job.error
