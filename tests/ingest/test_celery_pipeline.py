"""End to end through the real broker and a real worker process: nothing here is eager."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from annotations.models import ImportJob
from tests.conftest import ARTICLE_HTML, LocalWebServer

pytestmark = pytest.mark.celery_worker


def wait_for(job: ImportJob, timeout: float = 30) -> ImportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job still {job.state} after {timeout}s")


def test_url_import_runs_on_the_worker_and_the_page_follows_it(
    celery_worker_process: str, web_server: LocalWebServer, allow_local_fetch, factchecker, team
) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(factchecker)
    url = web_server.add("/news/ferry-fares", ARTICLE_HTML)

    response = client.post("/articles/import/", {"url": url, "team": team.pk})
    job = ImportJob.objects.get()
    assert response.url == f"/articles/import/jobs/{job.pk}/"

    job = wait_for(job)
    assert job.state == ImportJob.State.DONE, job.error
    assert job.article.title == "Ferry fares frozen for a year"
    assert job.article.team == team
    assert web_server.hits == ["/news/ferry-fares"]

    poll = client.get(response.url, HTTP_HX_REQUEST="true")
    assert poll["HX-Redirect"] == job.article.get_absolute_url()
    page = client.get(job.article.get_absolute_url()).content.decode()
    assert "£3.20" in page and 'id="s-0"' in page


def test_worker_refuses_a_private_redirect_and_reports_it(
    celery_worker_process: str, web_server: LocalWebServer, allow_local_fetch, factchecker
) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(factchecker)
    url = web_server.redirect("/sneaky", "http://10.0.0.1/internal")

    client.post("/articles/import/", {"url": url})
    job = wait_for(ImportJob.objects.get())

    assert job.state == ImportJob.State.FAILED
    assert "redirect refused: 10.0.0.1 is a private-network address" in job.error
    page = client.get(f"/articles/import/jobs/{job.pk}/").content.decode()
    assert "redirect refused" in page


def test_a_changed_page_imported_again_is_re_anchored_on_the_worker(
    celery_worker_process: str, web_server: LocalWebServer, allow_local_fetch, factchecker, team
) -> None:  # type: ignore[no-untyped-def]
    from annotations.models import Placement
    from tests.factories import annotate

    client = Client()
    client.force_login(factchecker)
    url = web_server.add("/news/ferry-fares", ARTICLE_HTML)
    client.post("/articles/import/", {"url": url, "team": team.pk})
    first = wait_for(ImportJob.objects.get())
    version = first.article.versions.get()
    fares = annotate(version, "ferry fares will stay at £3.20", factchecker)
    growth = annotate(version, "ticket sales had risen 18 percent", factchecker)

    # The outlet edits the page: a new first paragraph and a different fare.
    changed = ARTICLE_HTML.replace("£3.20", "£3.40").replace(
        "<h1>Ferry fares frozen for a year</h1>",
        "<h1>Ferry fares frozen for a year</h1>\n<p>Updated with the authority's figures.</p>",
    )
    web_server.add("/news/ferry-fares", changed)
    client.post("/articles/import/", {"url": url, "team": team.pk})
    second = wait_for(ImportJob.objects.exclude(pk=first.pk).get())
    assert second.state == ImportJob.State.DONE, second.error
    new_version = first.article.versions.get(number=2)

    deadline = time.monotonic() + 30
    while Placement.objects.filter(version=new_version).count() < 2:
        assert time.monotonic() < deadline, "the worker did not place the claims"
        time.sleep(0.1)
    placed = {p.annotation_id: p for p in Placement.objects.filter(version=new_version)}
    assert placed[growth.pk].status == Placement.Status.ANCHORED
    assert new_version.text[placed[growth.pk].start : placed[growth.pk].end] == growth.exact
    assert placed[fares.pk].status == Placement.Status.CHANGED
    assert placed[fares.pk].text == "ferry fares will stay at £3.40"
