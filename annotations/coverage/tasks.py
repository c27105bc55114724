"""Related coverage on the workers: one task per step, chained."""

from __future__ import annotations

from collections.abc import Callable

from celery import Task, chain, shared_task
from celery.exceptions import Ignore, SoftTimeLimitExceeded
from django.db import OperationalError

from annotations import queueing
from annotations.coverage import pipeline
from annotations.jobs.lease import job_lease
from annotations.models import CoverageJob
from newsroom import task_limits

# --- Related coverage: one task per step, chained. Each step is idempotent (see
# annotations.coverage.pipeline), so a redelivered message after a lost worker is harmless.


class CoverageTask(Task):
    """A step that fails for good (not a time limit, not a retry) fails its job, so the
    page says why instead of showing a job that runs for ever."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:  # type: ignore[no-untyped-def]
        if args:
            pipeline.coverage_job_fail(args[0], f"{type(exc).__name__}: {exc}")


_COVERAGE = {
    "base": CoverageTask,
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),  # the database went away: transient
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 3,
    **task_limits.LONG.options(),
}


def _coverage_step(task: Task, step: Callable[[int], None], job_id: int) -> int:
    with job_lease(CoverageJob, job_id) as ours:
        if not ours:
            # Another process runs a step of this job (a second delivery of a message): it
            # carries the chain on; this copy of the chain ends here.
            raise Ignore()
        try:
            step(job_id)
        except SoftTimeLimitExceeded:
            pipeline.coverage_job_fail(
                job_id, f"the {task.name.rsplit('_', 1)[-1]} step took too long"
            )
            raise Ignore() from None
    return job_id


@shared_task(name="annotations.coverage_discover", **_COVERAGE)
def coverage_discover(self: Task, job_id: int) -> int:
    return _coverage_step(self, pipeline.coverage_job_discover, job_id)


@shared_task(name="annotations.coverage_fetch", **_COVERAGE)
def coverage_fetch(self: Task, job_id: int) -> int:
    return _coverage_step(self, pipeline.coverage_job_fetch, job_id)


@shared_task(name="annotations.coverage_extract", **_COVERAGE)
def coverage_extract(self: Task, job_id: int) -> int:
    return _coverage_step(self, pipeline.coverage_job_extract, job_id)


@shared_task(name="annotations.coverage_match", **_COVERAGE)
def coverage_match(self: Task, job_id: int) -> int:
    return _coverage_step(self, pipeline.coverage_job_match, job_id)


STEPS = (coverage_discover, coverage_fetch, coverage_extract, coverage_match)


def coverage_job_start(job_id: int) -> None:
    """discover -> fetch -> extract -> match, on the workers."""
    queueing.send(chain(*(step.si(job_id) for step in STEPS)))


# The step a job in each state is at (a step sets its state when it starts).
STEP_OF_STATE = {
    CoverageJob.State.QUEUED: 0,
    CoverageJob.State.DISCOVERING: 0,
    CoverageJob.State.FETCHING: 1,
    CoverageJob.State.EXTRACTING: 2,
    CoverageJob.State.MATCHING: 3,
}


def coverage_job_resume(job_id: int, state: str) -> None:
    """The chain again from the step a job in `state` was at (the sweep, after its worker or
    its message was lost). That step runs again from its start: every step is idempotent."""
    steps = STEPS[STEP_OF_STATE[CoverageJob.State(state)] :]
    queueing.send(chain(*(step.si(job_id) for step in steps)))
