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
from typing import TYPE_CHECKING

import pghistory
from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from annotations import queueing
from annotations.coverage import pipeline as coverage_pipeline
from annotations.coverage import tasks as coverage_tasks
from annotations.ingest import tasks as ingest_tasks
from annotations.jobs.lease import FINISHED
from annotations.models import CoverageJob, ImportJob, Source
from annotations.workspace import archiving
from annotations.workspace import tasks as workspace_tasks

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

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


# What happened, for people: one whole sentence per kind of job and the step it was at, so
# each translates as a whole (none is built from pieces). Written in the desk's language, as
# the job's page shows it to whoever opens it. STOPPED: its worker's heartbeat stopped; LEFT:
# no worker holds it (under QUEUED: none ever started it).
_IMPORT_STOPPED: dict[str, StrOrPromise] = {
    ImportJob.State.QUEUED: _("The worker running the import stopped."),
    ImportJob.State.FETCHING: _("The worker running the import stopped while fetching the page."),
    ImportJob.State.EXTRACTING: _(
        "The worker running the import stopped while extracting the text."
    ),
}
_IMPORT_LEFT: dict[str, StrOrPromise] = {
    ImportJob.State.QUEUED: _("No worker started the import."),
    ImportJob.State.FETCHING: _(
        "The import stopped while fetching the page and no worker took it up again."
    ),
    ImportJob.State.EXTRACTING: _(
        "The import stopped while extracting the text and no worker took it up again."
    ),
}
_COVERAGE_STOPPED: dict[str, StrOrPromise] = {
    CoverageJob.State.QUEUED: _("The worker running the search stopped."),
    CoverageJob.State.DISCOVERING: _(
        "The worker running the search stopped while searching the sources."
    ),
    CoverageJob.State.FETCHING: _("The worker running the search stopped while fetching articles."),
    CoverageJob.State.EXTRACTING: _(
        "The worker running the search stopped while extracting their text."
    ),
    CoverageJob.State.MATCHING: _("The worker running the search stopped while matching claims."),
}
_COVERAGE_LEFT: dict[str, StrOrPromise] = {
    CoverageJob.State.QUEUED: _("No worker started the search."),
    CoverageJob.State.DISCOVERING: _(
        "The search stopped while searching the sources and no worker took it up again."
    ),
    CoverageJob.State.FETCHING: _(
        "The search stopped while fetching articles and no worker took it up again."
    ),
    CoverageJob.State.EXTRACTING: _(
        "The search stopped while extracting their text and no worker took it up again."
    ),
    CoverageJob.State.MATCHING: _(
        "The search stopped while matching claims and no worker took it up again."
    ),
}


def _what_happened(
    job: ImportJob | CoverageJob,
    stopped: dict[str, StrOrPromise],
    left: dict[str, StrOrPromise],
) -> str:
    """Call in the desk's language."""
    sentences = stopped if job.heartbeat_at is not None else left
    return str(sentences.get(job.state, sentences["queued"]))


def _queued_again(tries: int) -> str:
    """Call in the desk's language."""
    return gettext("It was queued again (%(tries)d of %(most)d).") % {
        "tries": tries,
        "most": settings.JOB_MAX_REQUEUES,
    }


def _gave_up(tries: int) -> str:
    """Call in the desk's language."""
    return ngettext(
        "It was queued again %(tries)d time without finishing.",
        "It was queued again %(tries)d times without finishing.",
        tries,
    ) % {"tries": tries}


# --- URL imports and fetching an article again -----------------------------------------------------


def _sweep_imports(now: datetime, report: SweepReport) -> None:
    with transaction.atomic():
        for job in _stuck(ImportJob, now).select_for_update(skip_locked=True)[:BATCH]:
            give_up = job.requeued >= settings.JOB_MAX_REQUEUES
            with translation.override(settings.DESK_LANGUAGE):
                what = _what_happened(job, _IMPORT_STOPPED, _IMPORT_LEFT)
                if give_up:
                    advice = gettext(
                        "Try the import again later; if it fails the same way, the workers "
                        "need a look."
                    )
                    job.error = f"{what} {_gave_up(job.requeued)} {advice}"
                else:
                    job.error = f"{what} {_queued_again(job.requeued + 1)}"
            if give_up:
                job.state = ImportJob.State.FAILED
                report.failed.append(f"import {job.pk}")
            else:
                job.state = ImportJob.State.QUEUED
                job.requeued += 1
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


def _sweep_coverage(now: datetime, report: SweepReport) -> None:
    with transaction.atomic():
        for job in _stuck(CoverageJob, now).select_for_update(skip_locked=True)[:BATCH]:
            if job.requeued >= settings.JOB_MAX_REQUEUES:
                with translation.override(settings.DESK_LANGUAGE):
                    what = _what_happened(job, _COVERAGE_STOPPED, _COVERAGE_LEFT)
                    reason = f"{what} {_gave_up(job.requeued)}"
                coverage_pipeline.coverage_job_fail(job.pk, reason)
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
                with translation.override(settings.DESK_LANGUAGE):
                    why = ngettext(
                        "Archiving never finished: the worker was lost (tried for %(minutes)d "
                        "minute).",
                        "Archiving never finished: the worker was lost (tried for %(minutes)d "
                        "minutes).",
                        minutes,
                    ) % {"minutes": minutes}
                archiving.source_archive_gave_up(source.pk, why, Source.ArchiveFailure.LOST)
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
