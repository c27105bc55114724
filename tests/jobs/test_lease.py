"""The lease a task holds on its job: taken, beaten, given back; refused while another live
process holds it; taken over from a dead process of this machine or a stale heartbeat."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from annotations.jobs.lease import job_lease, process_gone, runner_id
from annotations.models import ImportJob

pytestmark = pytest.mark.django_db

URL = "https://harbour-herald.example/news/ferry-fares-frozen"
HOST = socket.gethostname()


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_lease_is_held_while_the_task_runs_and_given_back() -> None:
    job = ImportJob.objects.create(url=URL)
    with job_lease(ImportJob, job.pk) as ours:
        assert ours
        job.refresh_from_db()
        assert job.runner == runner_id() and job.heartbeat_at is not None
    job.refresh_from_db()
    assert (job.runner, job.heartbeat_at) == ("", None)


@pytest.mark.parametrize(
    "runner",
    [f"{HOST}:1", "another-machine:4242"],  # pid 1 is alive here; the other cannot be checked
)
def test_a_job_a_live_process_holds_is_left_alone(runner: str) -> None:
    job = ImportJob.objects.create(
        url=URL, state=ImportJob.State.FETCHING, runner=runner, heartbeat_at=timezone.now()
    )
    with job_lease(ImportJob, job.pk) as ours:
        assert not ours
    job.refresh_from_db()
    assert job.runner == runner  # untouched, not given back by the one that stood down


def test_a_dead_process_of_this_machine_is_taken_over_at_once() -> None:
    """A pool process killed mid-task: its message comes back at once (reject on worker
    lost), while its heartbeat is still fresh."""
    job = ImportJob.objects.create(
        url=URL,
        state=ImportJob.State.FETCHING,
        runner=f"{HOST}:{dead_pid()}",
        heartbeat_at=timezone.now(),
    )
    with job_lease(ImportJob, job.pk) as ours:
        assert ours
        job.refresh_from_db()
        assert job.runner == runner_id()


def test_a_stale_heartbeat_is_taken_over(settings) -> None:  # type: ignore[no-untyped-def]
    job = ImportJob.objects.create(
        url=URL,
        state=ImportJob.State.FETCHING,
        runner="another-machine:4242",
        heartbeat_at=timezone.now() - timedelta(seconds=settings.JOB_HEARTBEAT_STALE_SECONDS + 1),
    )
    with job_lease(ImportJob, job.pk) as ours:
        assert ours


def test_a_finished_job_runs_without_a_lease() -> None:
    job = ImportJob.objects.create(url=URL, state=ImportJob.State.DONE)
    with job_lease(ImportJob, job.pk) as ours:
        assert ours  # the job's own code sees it is done and does nothing
        job.refresh_from_db()
        assert job.runner == ""


def test_process_gone() -> None:
    assert not process_gone(runner_id())
    assert process_gone(f"{HOST}:{dead_pid()}")
    assert not process_gone(f"elsewhere:{dead_pid()}")
    assert not process_gone("garbage")


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_beats_while_the_task_runs(settings) -> None:  # type: ignore[no-untyped-def]
    settings.JOB_HEARTBEAT_SECONDS = 1
    job = ImportJob.objects.create(url=URL)
    with job_lease(ImportJob, job.pk):
        first = ImportJob.objects.get(pk=job.pk).heartbeat_at
        time.sleep(2.5)
        later = ImportJob.objects.get(pk=job.pk).heartbeat_at
    assert first is not None and later is not None
    assert later - first >= timedelta(seconds=1.5)
