"""Source archiving on a worker: load by id, archive, retry transient failures with backoff."""

from __future__ import annotations

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from annotations.fetching import FetchError, backoff_seconds
from annotations.models import Source
from annotations.workspace import archiving, placements
from newsroom import task_limits

SOURCE_MAX_RETRIES = 3


@shared_task(
    name="annotations.archive_source",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    **task_limits.SHORT.options(),
)
def archive_source(self: Task, source_id: int) -> None:
    """Archive Source `source_id`: fetch, extract, hash, and look for the quoted passage.
    Transient failures are tried again with backoff; the last try marks the source failed."""
    retries = self.request.retries
    try:
        archiving.source_archive(
            source_id, last_try=retries >= SOURCE_MAX_RETRIES, tries=retries + 1
        )
    except FetchError as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(retries)) from exc
    except SoftTimeLimitExceeded:
        archiving.source_archive_gave_up(
            source_id,
            "Archiving took too long and was stopped.",
            Source.ArchiveFailure.STOPPED,
        )


@shared_task(
    name="annotations.version_reanchor",
    acks_late=True,
    reject_on_worker_lost=True,
    **task_limits.SHORT.options(),
)
def version_reanchor(version_id: int) -> int:
    """Place the claims of the article's older versions on ArticleVersion `version_id`
    (idempotent: its placements are replaced). Returns how many were placed."""
    return len(placements.version_reanchor(version_id))
