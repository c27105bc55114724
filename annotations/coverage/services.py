"""Starting a related-coverage job: the suggested query, the desk's feeds, and the checked
request that becomes a job and is queued on the workers."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext

from annotations import permissions
from annotations.coverage import tasks
from annotations.fetching import BlockedURL, check_url
from annotations.models import ArticleVersion, CoverageJob
from annotations.text import TextError, one_line


class CoverageError(ValueError):
    """Input that cannot start a job; the message is shown as is."""


MAX_QUERY_CHARS = 500


def coverage_job_create(
    *,
    version: ArticleVersion,
    user: User | None,
    query: str,
    providers: list[str],
    feed_urls: list[str] | None = None,
    start: bool = True,
) -> CoverageJob:
    if user is not None and not (
        permissions.can_annotate(user) and permissions.in_desk(user, version.article.team_id)
    ):
        raise CoverageError(
            gettext("Only the desk's fact-checkers and editors can search for coverage.")
        )
    try:
        query = one_line(query, name="search", limit=MAX_QUERY_CHARS)
    except TextError as exc:
        raise CoverageError(str(exc)) from exc
    if not query:
        raise CoverageError(gettext("Give the search some words: names, places, figures."))
    feed_urls = [u.strip() for u in feed_urls or [] if u.strip()]
    for url in feed_urls:
        try:
            check_url(url)
        except BlockedURL as exc:
            reason = str(exc).removeprefix("refused: ")
            raise CoverageError(
                gettext("That feed address is not allowed: %(reason)s.") % {"reason": reason}
            ) from exc
    if not providers and not feed_urls:
        raise CoverageError(gettext("Choose at least one place to search."))
    job = CoverageJob.objects.create(
        version=version,
        query=query,
        providers=sorted(set(providers)),
        feed_urls=feed_urls,
        created_by=user,
    )
    if start:
        transaction.on_commit(lambda: tasks.coverage_job_start(job.pk))
    return job
