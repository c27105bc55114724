"""Related coverage through the real broker and a real worker process: the whole chain, a
pool child SIGKILLed in the middle of the fetch step (acks_late + reject_on_worker_lost must
put the message back and another child finish the job), and a step that crashes."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from django.db.models import Count

from annotations.coverage import pipeline
from annotations.coverage import selectors as coverage_selectors
from annotations.coverage import services as coverage
from annotations.models import CoverageJob, CoverageMatch, RelatedArticle
from tests.conftest import CeleryWorker, LocalWebServer, run_celery_worker
from tests.coverage.conftest import FIXTURES, OFF_TOPIC, ON_TOPIC, CoverageSite, serve_coverage
from tests.factories import annotate

pytestmark = pytest.mark.celery_worker

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"
Status = RelatedArticle.Status


Worker = CeleryWorker


@pytest.fixture
def worker(transactional_db, tmp_path: Path) -> Iterator[Worker]:  # type: ignore[no-untyped-def]
    """A real worker, yielded whole: the SIGKILL test needs its PID to find the pool."""
    # All five fixture pages fetched at once, so which ones are in flight when a test kills
    # the fetch step does not depend on which thread won a per-host slot.
    with run_celery_worker(tmp_path, COVERAGE_PER_HOST="10") as running:
        yield running


def wait_until_finished(job: CoverageJob, worker: Worker, timeout: float = 60) -> CoverageJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.1)
    raise AssertionError(
        f"job still {job.state!r} after {timeout}s; worker log:\n{worker.log_tail()}"
    )


def start_job(version, user, site: CoverageSite, *, start: bool = True) -> CoverageJob:  # type: ignore[no-untyped-def]
    return coverage.coverage_job_create(
        version=version,
        user=user,
        query=coverage_selectors.suggested_query(version),
        providers=[],
        feed_urls=[site.feed_url],
        start=start,
    )


def name_of(url: str) -> str:
    return url.rsplit("/", 1)[-1].removesuffix(".html")


def relations(job: CoverageJob) -> set[tuple[str, int, str]]:
    return {
        (name_of(m.related.url), m.sentence_index, m.relation)
        for m in CoverageMatch.objects.filter(job=job).select_related("related")
    }


def snapshot(job: CoverageJob) -> tuple[int, int, int, int, int]:
    return (job.found, job.fetched, job.extracted, job.failed, job.matched)


def test_the_pipeline_runs_on_the_worker(
    worker: Worker, web_server: LocalWebServer, allow_local_fetch, wire_article, factchecker
) -> None:  # type: ignore[no-untyped-def]
    _article, version = wire_article
    annotate(version, LORRIES, factchecker, claim="1,140 full fuel lorries crossed Harrow Pass")
    site = serve_coverage(web_server)

    # transactional_db: autocommit, so job_create's on_commit queues the chain at once.
    job = wait_until_finished(start_job(version, factchecker, site), worker)

    assert job.state == CoverageJob.State.DONE, (job.errors, worker.log_tail())
    assert (job.found, job.fetched, job.extracted, job.failed) == (5, 5, 5, 0)
    assert job.matched > 0 and job.errors == []
    found = {(name, relation) for name, _index, relation in relations(job)}
    assert {("lorries", "repeats"), ("income", "differs"), ("denial", "contradicts")} <= found
    assert all(rel == "not_mentioned" for name, rel in found if name in OFF_TOPIC)
    relevance = {name_of(r.url): r.relevance for r in job.related.all()}
    assert min(relevance[n] for n in ON_TOPIC) > max(relevance[n] for n in OFF_TOPIC)
    ranked = [name_of(u) for u in job.related.order_by("-relevance").values_list("url", flat=True)]
    assert set(ranked[:3]) == set(ON_TOPIC)
    assert sorted(web_server.hits) == sorted(
        ["/feed.xml", *(f"/news/{n}.html" for n in ON_TOPIC + OFF_TOPIC)]
    )


def pool_child_fetching_from(worker: Worker, port: int, timeout: float = 10) -> psutil.Process:
    """The worker's pool child that holds connections to the test server: the one running
    the fetch step (its threads are waiting on the delayed pages)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = []
        for child in psutil.Process(worker.pid).children():
            try:
                connections = child.net_connections(kind="tcp")
            except psutil.NoSuchProcess:
                continue
            if any(c.raddr and c.raddr.port == port for c in connections):
                busy.append(child)
        if len(busy) == 1:
            return busy[0]
        assert len(busy) < 2, "two pool children fetching for one job"
        time.sleep(0.02)
    raise AssertionError(f"no pool child is fetching from port {port}:\n{worker.log_tail()}")


def test_a_pool_child_killed_mid_fetch_is_replaced_and_the_job_finishes_once(
    worker: Worker, web_server: LocalWebServer, allow_local_fetch, wire_article, factchecker
) -> None:  # type: ignore[no-untyped-def]
    _article, version = wire_article
    annotate(version, LORRIES, factchecker, claim="1,140 full fuel lorries crossed Harrow Pass")
    site = serve_coverage(web_server)

    # The reference: the same feed, every step in this process, nothing killed.
    clean = pipeline.coverage_job_run(start_job(version, factchecker, site, start=False).pk)
    assert clean.state == CoverageJob.State.DONE

    # Now lorries answers at once (so the step has written a result before the kill) and
    # every other page takes 6 s (so the step is certainly still running when we kill).
    for name in ("income", "denial", "fuel_prices", "football"):
        web_server.routes[f"/news/{name}.html"].delay = 6.0
    hits_before = len(web_server.hits)
    job = start_job(version, factchecker, site)
    lorries = site.pages["lorries"]

    deadline = time.monotonic() + 30
    while not (
        CoverageJob.objects.filter(pk=job.pk, state=CoverageJob.State.FETCHING).exists()
        and RelatedArticle.objects.filter(job=job, url=lorries, status=Status.FETCHED).exists()
    ):
        assert time.monotonic() < deadline, f"the fetch step never started:\n{worker.log_tail()}"
        time.sleep(0.02)
    victim = pool_child_fetching_from(worker, web_server.port)
    victim_pid = victim.pid
    job.refresh_from_db()
    assert job.state == CoverageJob.State.FETCHING
    # Mid-step: one result written, four pages still in flight.
    assert job.related.filter(status=Status.FETCHED).count() == 1
    os.kill(victim_pid, signal.SIGKILL)
    victim.wait(timeout=10)  # reaped by the worker's main process

    job = wait_until_finished(job, worker, timeout=60)

    log = worker.log.read_text()
    assert "WorkerLostError" in log and "signal 9" in log, worker.log_tail()
    assert job.state == CoverageJob.State.DONE, (job.errors, worker.log_tail())
    assert victim_pid not in [c.pid for c in psutil.Process(worker.pid).children()]
    # One row per URL, and the same rows, counts and matches as the clean run.
    urls = RelatedArticle.objects.filter(job=job).values("url").annotate(n=Count("id"))
    assert {row["url"]: row["n"] for row in urls} == dict.fromkeys(site.pages.values(), 1)
    duplicates = (
        CoverageMatch.objects.filter(job=job)
        .values("related", "sentence_index", "annotation")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
    assert snapshot(job) == snapshot(clean)
    assert relations(job) == relations(clean)
    assert CoverageMatch.objects.filter(job=job).count() == clean.matches.count()
    # The redelivered step resumed: lorries (already fetched) was not fetched again, and the
    # pages in flight when the child died were fetched a second time by the new run.
    # (A page whose fetch finished just before the kill is stored and not fetched again, so
    # on a loaded machine one of the four may be fetched once: each is fetched once or
    # twice, and the pages cut off mid-fetch, at least one, were fetched again.)
    hits = Counter(web_server.hits[hits_before:])
    assert hits["/news/lorries.html"] == 1
    in_flight = [
        hits[f"/news/{name}.html"] for name in ("income", "denial", "fuel_prices", "football")
    ]
    assert set(in_flight) <= {1, 2} and 2 in in_flight, hits
    assert hits["/feed.xml"] == 1  # discovery was not re-run


def test_a_crashing_step_does_not_leave_the_job_running_forever(
    worker: Worker, web_server: LocalWebServer, allow_local_fetch, wire_article, factchecker
) -> None:  # type: ignore[no-untyped-def]
    """A feed item with a port out of range makes host_of() raise ValueError inside the
    fetch step. The task is not retried (only OperationalError is) and nothing marks the
    job failed, so its page would say "Fetching articles" for ever."""
    _article, version = wire_article
    page = web_server.add("/news/lorries.html", (FIXTURES / "lorries.html").read_bytes())
    feed = web_server.add(
        "/feed.xml",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        "<link>https://wire.example/</link><description>x</description>"
        "<item><title>Bad</title><link>http://127.0.0.1:99999/x</link></item>"
        f"<item><title>Good</title><link>{page}</link></item></channel></rss>",
        headers={"Content-Type": "application/rss+xml"},
    )
    job = coverage.coverage_job_create(
        version=version, user=factchecker, query="Marrow diesel", providers=[], feed_urls=[feed]
    )

    job = wait_until_finished(job, worker, timeout=20)

    assert job.state in {CoverageJob.State.DONE, CoverageJob.State.FAILED}
