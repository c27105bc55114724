"""Celery tasks: load by id, call a service, retry transient failures with backoff."""

from __future__ import annotations

import random
from collections.abc import Callable

from celery import Task, chain, shared_task
from celery.exceptions import Ignore, SoftTimeLimitExceeded
from django.db import OperationalError

from annotations import services
from annotations.fetching import FetchError

IMPORT_MAX_RETRIES = 3


def backoff_seconds(retries: int) -> float:
    """Exponential backoff with full jitter, capped at a minute."""
    return random.uniform(0, min(60.0, 2.0 ** (retries + 1)))


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90
)
def import_article_url(self: Task, job_id: int) -> None:
    """Fetch and import the URL of ImportJob `job_id`."""
    try:
        services.import_job_run(job_id)
    except FetchError as exc:
        if self.request.retries >= IMPORT_MAX_RETRIES:
            services.import_job_fail(
                job_id,
                f"Could not fetch the page: {exc} (gave up after {IMPORT_MAX_RETRIES + 1} tries)",
            )
            return
        services.import_job_retrying(job_id, f"{exc}; trying again")
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    except SoftTimeLimitExceeded:
        services.import_job_fail(job_id, "The import took too long and was stopped.")


SOURCE_MAX_RETRIES = 3


@shared_task(
    bind=True, acks_late=True, reject_on_worker_lost=True, soft_time_limit=60, time_limit=90
)
def archive_source(self: Task, source_id: int) -> None:
    """Archive Source `source_id`: fetch, extract, hash, and look for the quoted passage."""
    try:
        services.source_archive(source_id)
    except FetchError as exc:
        if self.request.retries >= SOURCE_MAX_RETRIES:
            services.source_archive_gave_up(
                source_id, f"{exc} (gave up after {SOURCE_MAX_RETRIES + 1} tries)"
            )
            return
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    except SoftTimeLimitExceeded:
        services.source_archive_gave_up(source_id, "Archiving took too long and was stopped.")


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail these notifications to their recipients (those with an address)."""
    return services.review.email_notifications(notification_ids)


# --- Related coverage: one task per step, chained. Each step is idempotent (see
# annotations.services.coverage), so a redelivered message after a lost worker is harmless.


class CoverageTask(Task):
    """A step that fails for good (not a time limit, not a retry) fails its job, so the
    page says why instead of showing a job that runs for ever."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:  # type: ignore[no-untyped-def]
        if args:
            services.coverage.fail(args[0], f"{type(exc).__name__}: {exc}")


_COVERAGE = {
    "base": CoverageTask,
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError,),  # the database went away: transient
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 3,
    "soft_time_limit": 120,
    "time_limit": 150,
}


def _coverage_step(task: Task, step: Callable[[int], None], job_id: int) -> int:
    try:
        step(job_id)
    except SoftTimeLimitExceeded:
        services.coverage.fail(job_id, f"the {task.name.rsplit('_', 1)[-1]} step took too long")
        raise Ignore() from None
    return job_id


@shared_task(**_COVERAGE)
def coverage_discover(self: Task, job_id: int) -> int:
    return _coverage_step(self, services.coverage.discover, job_id)


@shared_task(**_COVERAGE)
def coverage_fetch(self: Task, job_id: int) -> int:
    return _coverage_step(self, services.coverage.fetch_all, job_id)


@shared_task(**_COVERAGE)
def coverage_extract(self: Task, job_id: int) -> int:
    return _coverage_step(self, services.coverage.extract_all, job_id)


@shared_task(**_COVERAGE)
def coverage_match(self: Task, job_id: int) -> int:
    return _coverage_step(self, services.coverage.match, job_id)


def start_coverage(job_id: int) -> None:
    """discover -> fetch -> extract -> match, on the workers."""
    chain(
        coverage_discover.si(job_id),
        coverage_fetch.si(job_id),
        coverage_extract.si(job_id),
        coverage_match.si(job_id),
    ).delay()
