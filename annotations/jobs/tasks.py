"""The job sweep on a worker, sent by beat (CELERY_BEAT_SCHEDULE["sweep-jobs"])."""

from __future__ import annotations

from celery import shared_task

from annotations.jobs import sweep
from newsroom import task_limits


@shared_task(name="annotations.sweep_jobs", **task_limits.SHORT.options())
def sweep_jobs() -> dict[str, list[str]]:
    """Queue again, or fail with a reason, the jobs whose worker or message was lost."""
    report = sweep.jobs_sweep()
    return {"requeued": report.requeued, "failed": report.failed}
