"""URL imports and the change watch on a worker: load by id, call the service, retry
transient failures (the watch retries at its next check instead)."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils.translation import gettext

from annotations import queueing
from annotations.fetching import FetchError, backoff_seconds
from annotations.ingest import services, watch
from annotations.jobs.lease import job_lease
from annotations.models import Article, ImportJob, Team
from newsroom import task_limits

logger = logging.getLogger(__name__)

IMPORT_MAX_RETRIES = 3


@shared_task(
    name="annotations.import_article_url",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    **task_limits.SHORT.options(),
)
def import_article_url(self: Task, job_id: int) -> None:
    """Fetch and import the URL of ImportJob `job_id`, holding the job's lease (another
    process already running it makes this delivery stand down)."""
    with job_lease(ImportJob, job_id) as ours:
        if not ours:
            return
        try:
            services.import_job_run(job_id)
        except FetchError as exc:
            if self.request.retries >= IMPORT_MAX_RETRIES:
                services.import_job_fail(
                    job_id,
                    gettext("Could not fetch the page: %(error)s (gave up after %(tries)d tries)")
                    % {"error": exc, "tries": IMPORT_MAX_RETRIES + 1},
                )
                return
            services.import_job_retrying(
                job_id, gettext("%(error)s; trying again") % {"error": exc}
            )
            raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
        except SoftTimeLimitExceeded:
            services.import_job_fail(job_id, gettext("The import took too long and was stopped."))


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
    if article is not None:
        transaction.on_commit(lambda: queueing.send(refetch_article.s(job.pk)))
    else:
        transaction.on_commit(lambda: queueing.send(import_article_url.s(job.pk)))
    return job


@shared_task(
    name="annotations.refetch_article",
    acks_late=True,
    reject_on_worker_lost=True,
    **task_limits.SHORT.options(),
)
def refetch_article(job_id: int) -> None:
    """A person asked to fetch an article's page again (ImportJob `job_id`). Failures are
    reported on the job and the article, not retried: the person is waiting for an answer."""
    with job_lease(ImportJob, job_id) as ours:
        if not ours:
            return
        try:
            watch.refetch_job_run(job_id)
        except SoftTimeLimitExceeded:
            services.import_job_fail(
                job_id, gettext("Fetching the page took too long and was stopped.")
            )


# --- The change watch -------------------------------------------------------------------------


@shared_task(name="annotations.watch_articles", **task_limits.SHORT.options())
def watch_articles() -> int:
    """Beat's entry point: queue one `article_watch` per article that is due. Returns how
    many were queued.

    Each check runs as a task of its own rather than inline here: a fetch may take up to
    FETCH_TOTAL_TIMEOUT, so a few dozen slow pages in a row would outlive this task's time
    limit, while separate tasks run side by side on the workers, each within its own limit,
    and one bad page cannot stop the others. The due articles are leased first, so that the
    next beat does not queue them again while they wait.
    """

    def enqueue() -> None:
        for pk in due:
            queueing.send(article_watch.s(pk))

    with transaction.atomic():
        due = watch.watch_due()
        watch.watch_lease(due)
        transaction.on_commit(enqueue)
    if due:
        logger.info("change watch: %s articles due", len(due))
    return len(due)


@shared_task(
    name="annotations.article_watch",
    acks_late=True,
    reject_on_worker_lost=True,
    **task_limits.SHORT.options(),
)
def article_watch(article_id: int) -> str:
    """Fetch Article `article_id`'s page again, conditionally, and act on it (a new version,
    a held text, a status). Idempotent: a second run finds the text already stored. Fetch
    errors are not retried here: the article records them and is due again later."""
    try:
        return watch.article_refetch(article_id, conditional=True).outcome
    except SoftTimeLimitExceeded:
        # The lease runs out and a later beat tries again; nothing was half-stored (the
        # import is one transaction).
        logger.warning("change watch: checking article %s took too long", article_id)
        return "failed"
