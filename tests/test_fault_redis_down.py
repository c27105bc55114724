"""Redis down while the desk is in use: degrade, don't fall. Through real processes: a Redis
of this test's own on a spare port (never the shared one), gunicorn in front of the app
with it as cache and broker, and the test's database.

Reproduction: with Redis stopped, every page answered 500, public pages included, while
/healthz stayed green."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from django.conf import global_settings

from annotations.models import ImportJob
from annotations.review import services as review
from tests.conftest import free_port, gunicorn_server, test_database_url
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"
LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"


class OwnRedis:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def web(own_redis: OwnRedis) -> Iterator[str]:
    """gunicorn on the test database, with the test's own Redis as cache and broker."""
    with gunicorn_server(
        threads=4,
        DATABASE_URL=test_database_url(),
        REDIS_URL=own_redis.url,
        CELERY_BROKER_URL=own_redis.url,
    ) as base:
        yield base


def log_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=10, follow_redirects=False)
    page = client.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    answer = client.post(
        "/accounts/login/",
        data={"username": "amira", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base}/accounts/login/"},
    )
    assert answer.status_code == 302, re.findall(r"(?s)errorlist.{0,200}", answer.text)
    return client


def test_with_redis_down_pages_are_served_work_waits_and_health_says_so(
    web: str, own_redis: OwnRedis, settings, article_text, team, factchecker, editor, second_editor
) -> None:  # type: ignore[no-untyped-def]
    # gunicorn checks passwords with the production hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
    factchecker.set_password(PASSWORD)
    factchecker.save()
    article, version = import_text(article_text, team=team, url="https://wire.example/story")
    claim = annotate(
        version, LORRIES, factchecker, claim="1,140 fuel lorries crossed", claimant="Customs"
    )
    review.claim_move(annotation_id=claim.pk, user=factchecker, action="submit")
    review.claim_move(annotation_id=claim.pk, user=editor, action="approve")
    review.claim_move(annotation_id=claim.pk, user=second_editor, action="publish")
    public = f"/checks/{article.slug}/claims/{claim.pk}/"

    # Redis up: the page is served (and cached), a fact-checker logs in.
    assert httpx.get(web + public, timeout=10).status_code == 200
    desk = log_in(web)
    assert desk.get("/articles/").status_code == 200
    assert httpx.get(f"{web}/healthz", timeout=10).text.startswith("database: ok\ncache: ok\n")

    own_redis.stop()

    # Public pages come from the database, quickly (no timeout per cache call).
    started = time.monotonic()
    for _ in range(3):
        answer = httpx.get(web + public, timeout=10)
        assert answer.status_code == 200 and "1,140 fuel lorries crossed" in answer.text
    assert time.monotonic() - started < 5
    # The session outlives the cache (it is in the database); a new login works as well.
    assert desk.get("/articles/").status_code == 200
    again = log_in(web)
    assert again.get(f"/articles/{article.pk}/").status_code == 200

    # Background work is stored and waits; the page says the worker is unavailable.
    page = again.get("/articles/import/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token
    answer = again.post(
        "/articles/import/",
        data={"url": "https://news.example/later", "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{web}/articles/import/"},
    )
    assert answer.status_code == 302, answer.text[:1000]
    job = ImportJob.objects.get(url="https://news.example/later")
    assert job.state == ImportJob.State.QUEUED
    waiting = again.get(answer.headers["Location"])
    assert waiting.status_code == 200
    assert "the worker is unavailable right now" in waiting.text

    # The health report says what is down, with a non-200.
    report = httpx.get(f"{web}/healthz", timeout=10)
    assert report.status_code == 503
    lines = report.text.splitlines()
    assert lines[0] == "database: ok"
    assert lines[1].startswith("cache: DOWN") and lines[2].startswith("broker: DOWN")
    assert httpx.get(f"{web}/healthz/web", timeout=10).status_code == 200

    # Redis back: the cache and the broker are used again.
    own_redis.start()
    deadline = time.monotonic() + 15
    while "broker: ok" not in httpx.get(f"{web}/healthz", timeout=10).text:
        assert time.monotonic() < deadline, "the broker did not come back"
        time.sleep(0.5)
