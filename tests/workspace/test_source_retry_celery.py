"""Retrying a failed source archive reaches a real worker through the real broker: the
source fails on the worker, the page comes back, Retry (twice, as a double click) queues one
archive, and the worker keeps the copy."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from annotations.models import Source
from annotations.workspace import services
from tests.conftest import ARTICLE_HTML, LocalWebServer
from tests.factories import annotate, import_text

pytestmark = pytest.mark.celery_worker

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"


def wait_for_status(source: Source, status: str, timeout: float = 30) -> Source:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        source.refresh_from_db()
        if source.archive_status == status:
            return source
        time.sleep(0.1)
    raise AssertionError(f"source still {source.archive_status} after {timeout}s")


def test_retry_runs_the_archive_again_on_the_worker(
    celery_worker_process: str,
    web_server: LocalWebServer,
    allow_local_fetch,
    article_text: str,
    team,
    factchecker,
) -> None:  # type: ignore[no-untyped-def]
    _article, version = import_text(article_text, team=team)
    claim = annotate(version, LORRIES, factchecker)
    url = web_server.add("/ferry", "<p>Moved</p>", status=404)
    source = services.source_add(annotation_id=claim.pk, user=factchecker, url=url)
    source = wait_for_status(source, "failed")
    assert source.archive_failure == "http" and source.http_status == 404

    web_server.add("/ferry", ARTICLE_HTML)  # the page is back
    client = Client()
    client.force_login(factchecker)
    for _click in range(2):
        response = client.post(f"/sources/{source.pk}/retry/", HTTP_HX_REQUEST="true")
        assert response.status_code == 200

    source = wait_for_status(source, "archived")
    assert source.title == "Ferry fares frozen for a year" and len(source.archived_hash) == 64
    time.sleep(1.5)  # room for a second archive, had the double click queued one
    assert web_server.hits.count("/ferry") == 2  # the failed try and one retry
