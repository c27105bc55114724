"""URL imports on a worker: load the job by id, run the import, retry transient failures."""

from __future__ import annotations

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction

from annotations.fetching import FetchError, backoff_seconds
from annotations.ingest import services
from annotations.models import Article, ImportJob, Team

IMPORT_MAX_RETRIES = 3


@shared_task(
    name="annotations.import_article_url",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=60,
    time_limit=90,
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


def import_job_create(
    *,
    url: str,
    user: User | AnonymousUser,
    team: Team | None = None,
    title: str = "",
    outlet: str = "",
    article: Article | None = None,
) -> ImportJob:
    """Record a URL import and queue it once the transaction commits. With `article`, the
    page becomes a new version of that article (fetched again from its page)."""
    job = ImportJob.objects.create(
        url=url,
        title=title,
        outlet=outlet,
        team=team,
        article=article,
        created_by=user if isinstance(user, User) else None,
    )
    transaction.on_commit(lambda: import_article_url.delay(job.pk))
    return job
