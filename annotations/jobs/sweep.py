"""The job sweep: beat runs it every JOB_SWEEP_EVERY_SECONDS (annotations.sweep_jobs).

A job is stuck when it is unfinished and either

- a worker held it and its heartbeat stopped JOB_HEARTBEAT_STALE_SECONDS ago: the process
  running it is gone (a worker killed outright, a machine lost);
- no worker holds it and nothing happened to it for JOB_QUEUED_GRACE_SECONDS: its message
  was lost (Redis restarted without its append-only file), or a step crashed between steps.

A stuck job is queued again, from where it was (a coverage job from its step), at most
JOB_MAX_REQUEUES times; the next time it is stuck it fails with the reason, so its page says
what happened instead of "Queued" for ever. Every task is idempotent and takes the job's lease
before working, so a message that comes back later anyway runs nothing twice.

A source's archiving has no lease: a source still "Archiving…" JOB_QUEUED_GRACE_SECONDS after
its last change is archived again (idempotent: an extra fetch at worst), until its current
attempt (added, retried, or its address changed) is (JOB_MAX_REQUEUES + 1) x
JOB_QUEUED_GRACE_SECONDS old; then it is marked failed.

Sweeps that overlap skip each other's rows (SELECT ... FOR UPDATE SKIP LOCKED), and a swept
row's new times keep it out of the next sweeps until it is stuck again.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pghistory
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.template.defaultfilters import pluralize
from django.utils import timezone

from annotations import queueing
from annotations.coverage import pipeline as coverage_pipeline
from annotations.coverage import tasks as coverage_tasks
from annotations.ingest import tasks as ingest_tasks
from annotations.jobs.lease import FINISHED
from annotations.models import CoverageJob, ImportJob, Source
from annotations.workspace import archiving
from annotations.workspace import tasks as workspace_tasks

logger = logging.getLogger(__name__)

BATCH = 100  # rows per kind and sweep: a backlog is worked through over a few sweeps


@dataclass
class SweepReport:
    requeued: list[str] = field(default_factory=list)  # "import 12", "coverage 3", "source 9"
    failed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.requeued or self.failed)


def _stuck(model: type[models.Model], now: datetime) -> models.QuerySet:
    stale = now - timedelta(seconds=settings.JOB_HEARTBEAT_STALE_SECONDS)
    waited = now - timedelta(seconds=settings.JOB_QUEUED_GRACE_SECONDS)
    return (
        model._default_manager.exclude(state__in=FINISHED)
        .filter(Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, updated_at__lt=waited))
        .order_by("updated_at")
    )


def _what_happened(job: ImportJob | CoverageJob, noun: str, doing: str) -> str:
    """What went wrong, for people: `doing` is what the job was at (" while ...")."""
    if job.heartbeat_at is not None:
        return f"The worker running the {noun} stopped{doing}"
    if job.state == "queued":
        return f"No worker started the {noun}"
    return f"The {noun} stopped{doing} and no worker took it up again"


def _tries(n: int) -> str:
    return f"{n} time{pluralize(n)}"


# --- URL imports and fetching an article again -----------------------------------------------------

_IMPORT_DOING = {
    ImportJob.State.QUEUED: "",
    ImportJob.State.FETCHING: " while fetching the page",
    ImportJob.State.EXTRACTING: " while extracting the text",
}


def _sweep_imports(now: datetime, report: SweepReport) -> None:
    with transaction.atomic():
        for job in _stuck(ImportJob, now).select_for_update(skip_locked=True)[:BATCH]:
            what = _what_happened(job, "import", _IMPORT_DOING.get(job.state, ""))
            if job.requeued >= settings.JOB_MAX_REQUEUES:
                job.state = ImportJob.State.FAILED
                job.error = (
                    f"{what}, and it was queued again {_tries(job.requeued)} without finishing. "
                    "Try the import again later; if it fails the same way, the workers need a "
                    "look."
                )
                report.failed.append(f"import {job.pk}")
            else:
                job.state = ImportJob.State.QUEUED
                job.requeued += 1
                job.error = f"{what}; queued again ({job.requeued} of {settings.JOB_MAX_REQUEUES})."
                task = (
                    ingest_tasks.refetch_article
                    if job.article_id is not None
                    else ingest_tasks.import_article_url
                )
                transaction.on_commit(functools.partial(queueing.send, task.s(job.pk)))
                report.requeued.append(f"import {job.pk}")
            job.runner, job.heartbeat_at = "", None
            job.save(
                update_fields=["state", "error", "requeued", "runner", "heartbeat_at", "updated_at"]
            )


# --- Related coverage -----------------------------------------------------------------------------------

_COVERAGE_DOING = {
    CoverageJob.State.QUEUED: "",
    CoverageJob.State.DISCOVERING: " while searching the sources",
    CoverageJob.State.FETCHING: " while fetching articles",
    CoverageJob.State.EXTRACTING: " while extracting their text",
    CoverageJob.State.MATCHING: " while matching claims",
}


def _sweep_coverage(now: datetime, report: SweepReport) -> None:
    with transaction.atomic():
        for job in _stuck(CoverageJob, now).select_for_update(skip_locked=True)[:BATCH]:
            what = _what_happened(job, "search", _COVERAGE_DOING.get(job.state, ""))
            if job.requeued >= settings.JOB_MAX_REQUEUES:
                coverage_pipeline.coverage_job_fail(
                    job.pk,
                    f"{what}, and it was queued again {_tries(job.requeued)} without finishing",
                )
                CoverageJob.objects.filter(pk=job.pk).update(runner="", heartbeat_at=None)
                report.failed.append(f"coverage {job.pk}")
                continue
            CoverageJob.objects.filter(pk=job.pk).update(
                requeued=job.requeued + 1, runner="", heartbeat_at=None, updated_at=now
            )
            transaction.on_commit(
                functools.partial(coverage_tasks.coverage_job_resume, job.pk, job.state)
            )
            report.requeued.append(f"coverage {job.pk}")


# --- Archiving sources ----------------------------------------------------------------------------------


def _sweep_sources(now: datetime, report: SweepReport) -> None:
    grace = timedelta(seconds=settings.JOB_QUEUED_GRACE_SECONDS)
    give_up = now - grace * (settings.JOB_MAX_REQUEUES + 1)
    stuck = Source.objects.filter(
        archive_status=Source.ArchiveStatus.PENDING, updated_at__lt=now - grace
    ).order_by("updated_at")
    with transaction.atomic(), pghistory.context(task="sweep_jobs"):
        for source in stuck.select_for_update(skip_locked=True)[:BATCH]:
            # Counted from the current attempt: a retry or a new address starts afresh.
            asked = source.archive_requested_at or source.created_at
            if asked < give_up:
                minutes = round((now - asked).total_seconds() / 60)
                archiving.source_archive_gave_up(
                    source.pk,
                    f"Archiving never finished: the worker was lost (tried for {minutes} minutes).",
                    Source.ArchiveFailure.LOST,
                )
                report.failed.append(f"source {source.pk}")
                continue
            Source.objects.filter(pk=source.pk).update(updated_at=now)
            transaction.on_commit(
                functools.partial(queueing.send, workspace_tasks.archive_source.s(source.pk))
            )
            report.requeued.append(f"source {source.pk}")


def jobs_sweep(now: datetime | None = None) -> SweepReport:
    """Queue again, or fail with a reason, every stuck job (see the module's docstring)."""
    now = now or timezone.now()
    report = SweepReport()
    _sweep_imports(now, report)
    _sweep_coverage(now, report)
    _sweep_sources(now, report)
    if report:
        logger.warning(
            "job sweep: queued again %s; failed %s",
            ", ".join(report.requeued) or "none",
            ", ".join(report.failed) or "none",
        )
    return report
