"""The job sweep on the real database: what it queues again (onto this test's own queue on
the broker), what it fails and why, what it leaves alone."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from annotations.jobs import sweep
from annotations.jobs.lease import runner_id
from annotations.models import CoverageJob, ImportJob, Source
from tests.factories import annotate, import_text
from tests.jobs.conftest import queued_tasks

pytestmark = pytest.mark.django_db

URL = "https://harbour-herald.example/news/ferry-fares-frozen"


def aged(job, seconds: float, **fields: object):  # type: ignore[no-untyped-def]
    """Make `job` look `seconds` old (its last change), with `fields` set."""
    type(job).objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - timedelta(seconds=seconds), **fields
    )
    job.refresh_from_db()
    return job


def ago(seconds: float):  # type: ignore[no-untyped-def]
    return timezone.now() - timedelta(seconds=seconds)


@pytest.fixture
def run_sweep(task_queue: str, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Sweep, and send what it queues (after its commit) to this test's queue."""

    def run() -> sweep.SweepReport:
        with django_capture_on_commit_callbacks(execute=True):
            return sweep.jobs_sweep()

    return run


def test_a_queued_import_that_no_worker_started_is_queued_again(run_sweep, task_queue: str) -> None:  # type: ignore[no-untyped-def]
    lost = aged(ImportJob.objects.create(url=URL), 200)
    fresh = aged(ImportJob.objects.create(url=URL), 60)  # within the 180 s grace

    report = run_sweep()

    assert report.requeued == [f"import {lost.pk}"] and report.failed == []
    assert queued_tasks(task_queue) == [("annotations.import_article_url", [lost.pk])]
    lost.refresh_from_db()
    assert lost.state == ImportJob.State.QUEUED and lost.requeued == 1
    assert lost.error == "No worker started the import. It was queued again (1 of 3)."
    assert lost.updated_at > ago(5)
    fresh.refresh_from_db()
    assert fresh.requeued == 0 and fresh.error == ""
    # The next sweep finds nothing: the job's clock started again.
    assert not run_sweep()


def test_an_import_whose_worker_stopped_beating_is_queued_again(run_sweep, task_queue: str) -> None:  # type: ignore[no-untyped-def]
    dead = aged(
        ImportJob.objects.create(url=URL),
        600,
        state=ImportJob.State.FETCHING,
        runner="worker-7:4242",
        heartbeat_at=ago(50),
    )
    alive = aged(
        ImportJob.objects.create(url=URL),
        600,  # a slow fetch: no progress for long, but its worker beats
        state=ImportJob.State.FETCHING,
        runner="worker-7:4343",
        heartbeat_at=ago(5),
    )

    report = run_sweep()

    assert report.requeued == [f"import {dead.pk}"]
    assert queued_tasks(task_queue) == [("annotations.import_article_url", [dead.pk])]
    dead.refresh_from_db()
    assert (dead.state, dead.runner, dead.heartbeat_at) == (ImportJob.State.QUEUED, "", None)
    assert dead.error == (
        "The worker running the import stopped while fetching the page. "
        "It was queued again (1 of 3)."
    )
    alive.refresh_from_db()
    assert alive.state == ImportJob.State.FETCHING and alive.runner == "worker-7:4343"


def test_fetching_an_article_again_is_queued_again_as_that_task(
    run_sweep, task_queue: str, team
) -> None:  # type: ignore[no-untyped-def]
    article, _version = import_text("The ferry fares stay at £3.20 for a year.", team=team)
    job = aged(ImportJob.objects.create(url=URL, article=article), 200)

    run_sweep()

    assert queued_tasks(task_queue) == [("annotations.refetch_article", [job.pk])]


def test_an_import_stuck_again_after_its_last_try_fails_with_the_reason(
    run_sweep, task_queue: str
) -> None:  # type: ignore[no-untyped-def]
    job = aged(
        ImportJob.objects.create(url=URL),
        600,
        state=ImportJob.State.EXTRACTING,
        requeued=3,
        runner="worker-7:4242",
        heartbeat_at=ago(46),
    )

    report = run_sweep()

    assert report.failed == [f"import {job.pk}"] and report.requeued == []
    assert queued_tasks(task_queue) == []
    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED and job.runner == ""
    assert job.error == (
        "The worker running the import stopped while extracting the text. It was queued "
        "again 3 times without finishing. Try the import again later; if it fails the same "
        "way, the workers need a look."
    )


def test_a_spanish_desk_reads_what_the_sweep_did_in_spanish_whatever_the_readers_language(
    run_sweep, settings, factchecker
) -> None:  # type: ignore[no-untyped-def]
    """Stored notes are written once, in the desk's language (as its notifications are), in
    whole sentences: no English and no sentence glued from English pieces."""
    settings.DESK_LANGUAGE = "es"
    lost = aged(ImportJob.objects.create(url=URL, created_by=factchecker), 200)
    hopeless = aged(
        ImportJob.objects.create(url=URL, created_by=factchecker),
        600,
        state=ImportJob.State.FETCHING,
        requeued=3,
        runner="worker-7:4242",
        heartbeat_at=ago(46),
    )

    run_sweep()

    lost.refresh_from_db()
    assert lost.error == "Ningún proceso inició la importación. Se volvió a poner en cola (1 de 3)."
    hopeless.refresh_from_db()
    assert hopeless.error == (
        "El proceso que hacía la importación se detuvo mientras descargaba la página. "
        "Se volvió a poner en cola 3 veces sin terminar. Vuelva a intentar la importación más "
        "tarde; si falla de la misma manera, alguien debe revisar los procesos en segundo plano."
    )
    # The fact-checker reads the note on the import's page, whatever her own language.
    client = Client()
    client.force_login(factchecker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en-gb"
    page = client.get(f"/articles/import/jobs/{hopeless.pk}/")
    assert "Se volvió a poner en cola 3 veces sin terminar." in page.content.decode()


def test_a_lost_source_says_how_long_it_was_tried_in_the_desks_language(
    run_sweep, settings, team, factchecker
) -> None:  # type: ignore[no-untyped-def]
    settings.DESK_LANGUAGE = "es"
    _article, version = import_text("The ferry fares stay at £3.20 for a year.", team=team)
    claim = annotate(version, "fares stay at £3.20", factchecker)
    abandoned = Source.objects.create(annotation=claim, url="https://port.example/old")
    Source.objects.filter(pk=abandoned.pk).update(updated_at=ago(800), created_at=ago(800))

    run_sweep()

    abandoned.refresh_from_db()
    assert abandoned.archive_error == (
        "El archivado no terminó nunca: se perdió el proceso que lo hacía (se intentó durante "
        "13 minutos)."
    )


def test_finished_jobs_are_never_swept(run_sweep) -> None:  # type: ignore[no-untyped-def]
    for state in (ImportJob.State.DONE, ImportJob.State.FAILED):
        aged(ImportJob.objects.create(url=URL), 9999, state=state, heartbeat_at=ago(9999))

    assert not run_sweep()


def test_a_coverage_job_stuck_mid_chain_resumes_at_its_step(
    run_sweep, task_queue: str, team, factchecker
) -> None:  # type: ignore[no-untyped-def]
    _article, version = import_text("The ferry fares stay at £3.20 for a year.", team=team)
    annotate(version, "fares stay at £3.20", factchecker)
    extracting = aged(
        CoverageJob.objects.create(version=version, query="ferry fares"),
        300,
        state=CoverageJob.State.EXTRACTING,
        runner="worker-7:4242",
        heartbeat_at=ago(60),
        fetched=4,
    )
    between_steps = aged(  # a step ended, the next one's message was lost
        CoverageJob.objects.create(version=version, query="ferry fares"),
        200,
        state=CoverageJob.State.DISCOVERING,
        found=5,
    )

    report = run_sweep()

    assert sorted(report.requeued) == sorted(
        [f"coverage {extracting.pk}", f"coverage {between_steps.pk}"]
    )
    assert sorted(queued_tasks(task_queue)) == sorted(
        [
            ("annotations.coverage_extract", [extracting.pk]),
            ("then annotations.coverage_match", [extracting.pk]),
            ("annotations.coverage_discover", [between_steps.pk]),
            ("then annotations.coverage_fetch", [between_steps.pk]),
            ("then annotations.coverage_extract", [between_steps.pk]),
            ("then annotations.coverage_match", [between_steps.pk]),
        ]
    )
    extracting.refresh_from_db()
    # Its state and counts stay: the step starts over from them.
    assert extracting.state == CoverageJob.State.EXTRACTING and extracting.fetched == 4
    assert (extracting.requeued, extracting.runner, extracting.heartbeat_at) == (1, "", None)


def test_a_coverage_job_out_of_tries_fails_with_the_reason_among_its_errors(
    run_sweep, task_queue: str, team
) -> None:  # type: ignore[no-untyped-def]
    _article, version = import_text("The ferry fares stay at £3.20 for a year.", team=team)
    job = aged(
        CoverageJob.objects.create(
            version=version, query="ferry fares", errors=[{"source": "GDELT", "error": "HTTP 500"}]
        ),
        200,
        state=CoverageJob.State.QUEUED,
        requeued=3,
    )

    run_sweep()

    job.refresh_from_db()
    assert job.state == CoverageJob.State.FAILED and job.finished_at is not None
    assert job.errors == [
        {"source": "GDELT", "error": "HTTP 500"},
        {
            "source": "job",
            "error": (
                "No worker started the search. It was queued again 3 times without finishing."
            ),
        },
    ]
    assert queued_tasks(task_queue) == []


def test_a_source_still_archiving_is_archived_again_then_failed(
    run_sweep, task_queue: str, team, factchecker
) -> None:  # type: ignore[no-untyped-def]
    _article, version = import_text("The ferry fares stay at £3.20 for a year.", team=team)
    claim = annotate(version, "fares stay at £3.20", factchecker)
    stuck = Source.objects.create(annotation=claim, url="https://port.example/fares")
    Source.objects.filter(pk=stuck.pk).update(updated_at=ago(200), created_at=ago(200))
    fresh = Source.objects.create(annotation=claim, url="https://port.example/fresh")
    abandoned = Source.objects.create(annotation=claim, url="https://port.example/old")
    Source.objects.filter(pk=abandoned.pk).update(updated_at=ago(800), created_at=ago(800))
    archived = Source.objects.create(
        annotation=claim, url="https://port.example/done", archive_status="archived"
    )
    Source.objects.filter(pk=archived.pk).update(updated_at=ago(800), created_at=ago(800))

    report = run_sweep()

    assert report.requeued == [f"source {stuck.pk}"]
    assert report.failed == [f"source {abandoned.pk}"]
    assert queued_tasks(task_queue) == [("annotations.archive_source", [stuck.pk])]
    abandoned.refresh_from_db()
    assert abandoned.archive_status == Source.ArchiveStatus.FAILED
    assert abandoned.archive_error == (
        "Archiving never finished: the worker was lost (tried for 13 minutes)."
    )
    assert abandoned.archive_failure == Source.ArchiveFailure.LOST
    fresh.refresh_from_db()
    assert fresh.archive_status == Source.ArchiveStatus.PENDING


def test_a_retried_source_counts_its_tries_from_the_retry(
    run_sweep, task_queue: str, team, factchecker
) -> None:  # type: ignore[no-untyped-def]
    """A source added long ago and retried a few minutes ago is queued again, not failed at
    once for its age."""
    _article, version = import_text("The ferry fares stay at £3.20 for a year.", team=team)
    claim = annotate(version, "fares stay at £3.20", factchecker)
    retried = Source.objects.create(annotation=claim, url="https://port.example/fares")
    Source.objects.filter(pk=retried.pk).update(
        created_at=ago(7200), archive_requested_at=ago(200), updated_at=ago(200)
    )

    report = run_sweep()

    assert report.requeued == [f"source {retried.pk}"] and report.failed == []
    assert queued_tasks(task_queue) == [("annotations.archive_source", [retried.pk])]


@pytest.mark.django_db(transaction=True)
def test_overlapping_sweeps_skip_the_rows_the_other_holds(task_queue: str) -> None:
    """A second sweep while the first still holds a job's row leaves that job alone (SKIP
    LOCKED) instead of waiting for it or queueing it twice."""
    job = aged(ImportJob.objects.create(url=URL), 200)
    locked, release = threading.Event(), threading.Event()

    def first_sweep_holding_the_row() -> None:
        try:
            with transaction.atomic():
                ImportJob.objects.select_for_update().get(pk=job.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=first_sweep_holding_the_row)
    holder.start()
    try:
        assert locked.wait(10)
        assert not sweep.jobs_sweep()
    finally:
        release.set()
        holder.join()
    assert sweep.jobs_sweep().requeued == [f"import {job.pk}"]
    assert queued_tasks(task_queue) == [("annotations.import_article_url", [job.pk])]


def test_the_sweep_runs_as_a_task_beat_sends(settings) -> None:  # type: ignore[no-untyped-def]
    from newsroom.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscovery
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-jobs"]
    assert entry["task"] == "annotations.sweep_jobs" in app.tasks
    assert entry["schedule"] == settings.JOB_SWEEP_EVERY_SECONDS == 30
    assert app.tasks["annotations.sweep_jobs"].apply().get() == {"requeued": [], "failed": []}


def test_runner_id_names_this_process() -> None:
    import os
    import socket

    assert runner_id() == f"{socket.gethostname()}:{os.getpid()}"
