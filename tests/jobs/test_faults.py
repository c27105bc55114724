"""Faults through real processes: a Celery worker (and beat) as subprocesses, a Redis of each
test's own on a spare port, a local web server. Each test kills something mid-job and checks
the job finishes exactly once, within the time the sweep and the broker promise.

The production timings (README, "No job left behind") are scaled down here so that each test
takes seconds: heartbeat every 1 s, stale after 3 s, a sweep every second, a 3 s grace for
jobs nobody holds, and, where the broker is the one to bring the task back, an 8 s visibility
timeout instead of 95 s. JOB_FAULT_TIMINGS=production runs them with the production timings
instead (minutes). What is measured is printed (pytest -s shows it)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from annotations.ingest.tasks import import_job_create
from annotations.models import Article, ArticleVersion, ImportJob
from tests.conftest import ARTICLE_HTML, CeleryWorker, LocalWebServer, run_celery_worker
from tests.jobs.conftest import OwnRedis, queued_tasks, use_broker

pytestmark = pytest.mark.celery_worker

PRODUCTION = os.environ.get("JOB_FAULT_TIMINGS") == "production"
FAST_JOBS = {
    "JOB_HEARTBEAT_SECONDS": "1",
    "JOB_HEARTBEAT_STALE_SECONDS": "3",
    "JOB_SWEEP_EVERY_SECONDS": "1",
    "JOB_QUEUED_GRACE_SECONDS": "3",
}
# Only the test of the broker's own recovery shortens the visibility timeout (else 95 s).
FAST_VISIBILITY = {"CELERY_VISIBILITY_TIMEOUT": "8"}
if PRODUCTION:
    FAST_JOBS, FAST_VISIBILITY = {}, {}


def timing(name: str) -> int:
    """The value of setting `name` the workers of these tests run with."""
    if name in FAST_JOBS | FAST_VISIBILITY:
        return int((FAST_JOBS | FAST_VISIBILITY)[name])
    if name == "CELERY_VISIBILITY_TIMEOUT":
        return int(settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"])
    return int(getattr(settings, name))


WORKER_START = 15  # a worker and beat to start, with room for a loaded machine
FETCH = 4.0  # the slow page's delay


def on(server: OwnRedis, **env: str) -> dict[str, str]:
    """Worker environment: `server` as the broker (and cache), fast job timings."""
    return {"CELERY_BROKER_URL": server.url, "REDIS_URL": server.url, **FAST_JOBS, **env}


def wait_for(
    condition: Callable[[], bool], what: str, worker: CeleryWorker | None, timeout: float = 40
) -> float:
    """Wait until `condition()`; return the seconds it took."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            tail = worker.log_tail() if worker else ""
            raise AssertionError(f"{what}: not after {timeout}s\n{tail}")
        time.sleep(0.05)
    return time.monotonic() - start


def state_of(job: ImportJob) -> str:
    job.refresh_from_db()
    return job.state


def finished(job: ImportJob) -> bool:
    """Done and its lease given back: the worker writes the outcome, then lets go of the job."""
    job.refresh_from_db()
    return job.state == ImportJob.State.DONE and not job.runner


def imported_once(job: ImportJob, web_server: LocalWebServer, path: str, fetches: int) -> None:
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE, job.error
    assert (job.runner, job.heartbeat_at) == ("", None)
    assert Article.objects.count() == 1 and ArticleVersion.objects.count() == 1
    assert job.article.title == "Ferry fares frozen for a year"
    assert web_server.hits.count(path) == fetches


@pytest.fixture
def slow_page(web_server: LocalWebServer) -> tuple[str, str]:
    """An article page that takes 4 s to answer: a worker is certainly mid-fetch for a while."""
    path = "/news/ferry-fares"
    return path, web_server.add(path, ARTICLE_HTML, delay=FETCH)


@pytest.fixture
def broker(own_redis: OwnRedis) -> Iterator[OwnRedis]:
    with use_broker(own_redis.url):
        yield own_redis


def kill_process_group(worker: CeleryWorker) -> None:
    """SIGKILL the worker's main process and its pool processes at once: a container killed,
    a machine lost. Nothing gets to acknowledge, reject or clean up."""
    os.killpg(worker.pid, signal.SIGKILL)
    worker.process.wait(timeout=10)


def fetching_child(worker: CeleryWorker, port: int) -> psutil.Process:
    """The pool process with a connection open to the test's web server."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for child in psutil.Process(worker.pid).children():
            try:
                if any(c.raddr and c.raddr.port == port for c in child.net_connections("tcp")):
                    return child
            except psutil.NoSuchProcess:
                continue
        time.sleep(0.02)
    raise AssertionError(f"no pool process is fetching:\n{worker.log_tail()}")


def test_a_worker_killed_outright_mid_import_is_swept_and_the_job_finishes_once(
    transactional_db,
    tmp_path: Path,
    broker: OwnRedis,
    web_server: LocalWebServer,
    allow_local_fetch,
    slow_page,
) -> None:  # type: ignore[no-untyped-def]
    """The whole worker is SIGKILLed while it fetches. Its message stays unacknowledged in
    Redis for the visibility timeout (95 s here: the default), so it is the sweep, in a new
    worker, that finds the job's heartbeat stopped and queues it again."""
    bound = (
        timing("JOB_HEARTBEAT_STALE_SECONDS") + timing("JOB_SWEEP_EVERY_SECONDS") + WORKER_START
    ) + FETCH
    path, url = slow_page
    env = on(broker)
    with run_celery_worker(tmp_path / "first", **env) as first:
        job = import_job_create(url=url, user=AnonymousUser())
        wait_for(lambda: web_server.hits.count(path) == 1, "the first fetch", first)
        assert state_of(job) == ImportJob.State.FETCHING
        kill_process_group(first)
        killed = time.monotonic()

    with run_celery_worker(tmp_path / "second", beat=True, **env) as second:
        wait_for(lambda: finished(job), "the import", second, bound)
        redone = time.monotonic() - killed
        time.sleep(2)  # a few more sweeps: nothing more happens

    print(f"\nworker killed outright: import done {redone:.1f} s later (sweep)")
    imported_once(job, web_server, path, fetches=2)
    assert job.requeued == 1
    # The heartbeat goes stale, a sweep finds it, a worker and beat to start, the fetch again.
    assert redone < bound


def test_a_worker_killed_outright_mid_import_comes_back_through_the_visibility_timeout(
    transactional_db,
    tmp_path: Path,
    broker: OwnRedis,
    web_server: LocalWebServer,
    allow_local_fetch,
    slow_page,
) -> None:  # type: ignore[no-untyped-def]
    """No beat this time: the broker alone hands the killed worker's message to the next
    worker on the queue once the visibility timeout (8 s here) has passed; it takes the job
    over from the dead process and finishes it once."""
    path, url = slow_page
    # The timeout, at most 10 s until a worker looks again, the fetch again.
    bound = timing("CELERY_VISIBILITY_TIMEOUT") + 10 + FETCH + WORKER_START
    # The production heartbeat timing: the dead pool process is known dead, not just stale.
    env = on(broker, JOB_HEARTBEAT_STALE_SECONDS="45", **FAST_VISIBILITY)
    with run_celery_worker(tmp_path / "first", **env) as first:
        job = import_job_create(url=url, user=AnonymousUser())
        wait_for(lambda: web_server.hits.count(path) == 1, "the first fetch", first)
        kill_process_group(first)
        killed = time.monotonic()
        queue = first.queue

    with run_celery_worker(tmp_path / "second", queue=queue, **env) as second:
        wait_for(lambda: finished(job), "the import", second, bound)
        redone = time.monotonic() - killed
        log = second.log.read_text()

    vt = timing("CELERY_VISIBILITY_TIMEOUT")
    print(f"\nworker killed outright: import done {redone:.1f} s later (visibility timeout {vt} s)")
    imported_once(job, web_server, path, fetches=2)
    assert job.requeued == 0  # no sweep ran
    # Within 8 s the dead holder's heartbeat is still fresh: only the check that its process
    # is gone lets the job be taken over. (With the production 95 s it has gone stale.)
    assert PRODUCTION or "has died; taking its job over" in log
    assert redone < bound


def test_a_pool_process_killed_mid_import_is_replaced_and_the_job_finishes_once(
    transactional_db,
    tmp_path: Path,
    broker: OwnRedis,
    web_server: LocalWebServer,
    allow_local_fetch,
    slow_page,
) -> None:  # type: ignore[no-untyped-def]
    """Only the pool process dies: the worker puts the message back at once and another pool
    process takes the job over from the dead one (its heartbeat is still fresh)."""
    path, url = slow_page
    # The production heartbeat timing: the worker notices a dead pool process within about
    # 5 s, when a 3 s heartbeat would already look stale; with 45 s, only the check that the
    # holder's process is gone can let the new delivery take the job.
    with run_celery_worker(tmp_path, **on(broker, JOB_HEARTBEAT_STALE_SECONDS="45")) as worker:
        job = import_job_create(url=url, user=AnonymousUser())
        wait_for(lambda: web_server.hits.count(path) == 1, "the first fetch", worker)
        victim = fetching_child(worker, web_server.port)
        victim.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        wait_for(lambda: finished(job), "the import", worker)
        redone = time.monotonic() - killed
        log = worker.log.read_text()

    print(f"\npool process killed: import done {redone:.1f} s later")
    imported_once(job, web_server, path, fetches=2)
    assert "WorkerLostError" in log and "has died; taking its job over" in log, log
    # The worker notices within about 5 s; the 4 s fetch again.
    assert redone < 5 + 4 + 5


def test_redis_killed_with_an_import_queued_keeps_it_in_its_append_only_file(
    transactional_db,
    tmp_path: Path,
    broker: OwnRedis,
    web_server: LocalWebServer,
    allow_local_fetch,
) -> None:  # type: ignore[no-untyped-def]
    path = "/news/ferry-fares"
    url = web_server.add(path, ARTICLE_HTML)
    job = import_job_create(url=url, user=AnonymousUser())  # no worker yet: it waits
    from newsroom.celery import app

    queue = app.conf.task_default_queue
    assert queued_tasks(queue, broker.client()) == [("annotations.import_article_url", [job.pk])]

    broker.kill()
    broker.start()  # same port, same folder: it reads its append-only file back
    assert queued_tasks(queue, broker.client()) == [("annotations.import_article_url", [job.pk])]

    with run_celery_worker(tmp_path, queue=queue, **on(broker)) as worker:
        wait_for(lambda: finished(job), "the import", worker)

    imported_once(job, web_server, path, fetches=1)
    assert job.requeued == 0


def test_redis_killed_without_its_append_only_file_loses_the_queue_and_the_sweep_recovers(
    transactional_db,
    tmp_path: Path,
    own_redis_without_aof: OwnRedis,
    web_server: LocalWebServer,
    allow_local_fetch,
) -> None:  # type: ignore[no-untyped-def]
    """The messages are gone with the server; the jobs stay queued in the database. The
    sweep queues one again (it runs) and fails the other, already out of tries, with the
    reason."""
    broker = own_redis_without_aof
    # The grace for a job nobody holds, a sweep finds it, a worker and beat to start.
    bound = timing("JOB_QUEUED_GRACE_SECONDS") + timing("JOB_SWEEP_EVERY_SECONDS") + WORKER_START
    path = "/news/ferry-fares"
    url = web_server.add(path, ARTICLE_HTML)
    with use_broker(broker.url):
        from newsroom.celery import app

        queue = app.conf.task_default_queue
        lost = import_job_create(url=url, user=AnonymousUser())
        hopeless = import_job_create(url=url + "?again", user=AnonymousUser())
        ImportJob.objects.filter(pk=hopeless.pk).update(requeued=3)
        assert len(queued_tasks(queue, broker.client())) == 2

        broker.kill()
        broker.start()
        assert queued_tasks(queue, broker.client()) == []
        restarted = time.monotonic()

        with run_celery_worker(tmp_path, beat=True, queue=queue, **on(broker)) as worker:
            wait_for(
                lambda: finished(lost) and state_of(hopeless) == ImportJob.State.FAILED,
                "the sweep",
                worker,
                bound,
            )
            swept = time.monotonic() - restarted

    print(f"\nRedis restarted without AOF: lost import swept and done {swept:.1f} s later")
    imported_once(lost, web_server, path, fetches=1)
    assert lost.requeued == 1
    hopeless.refresh_from_db()
    assert hopeless.error == (
        "No worker started the import. It was queued again 3 times without finishing. "
        "Try the import again later; if it fails the same way, the workers need a look."
    )
    assert swept < bound
