"""Source archiving on a worker: load by id, archive, retry transient failures with backoff."""

from __future__ import annotations

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from annotations.fetching import FetchError, backoff_seconds
from annotations.workspace import archiving

SOURCE_MAX_RETRIES = 3


@shared_task(
    name="annotations.archive_source",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=60,
    time_limit=90,
)
def archive_source(self: Task, source_id: int) -> None:
    """Archive Source `source_id`: fetch, extract, hash, and look for the quoted passage."""
    try:
        archiving.source_archive(source_id)
    except FetchError as exc:
        if self.request.retries >= SOURCE_MAX_RETRIES:
            archiving.source_archive_gave_up(
                source_id, f"{exc} (gave up after {SOURCE_MAX_RETRIES + 1} tries)"
            )
            return
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    except SoftTimeLimitExceeded:
        archiving.source_archive_gave_up(source_id, "Archiving took too long and was stopped.")
