"""The change watch: an article's page at the outlet fetched again, and what it tells us.

`article_refetch` is the one re-fetch, used by the beat-driven watch (conditionally, with the
validators the server gave last time) and by a person asking for it. Whatever the page
answers, nothing already stored is lost: a changed text becomes a new version (and its
claims are re-anchored), and everything that is not plainly a new edition of the same
story (a teaser, a redirect elsewhere, a 404, a page too large to read) is recorded on the
article as its page status, with a note for people, and no version is made.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from http import HTTPStatus
from typing import Literal
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from annotations import permissions, queueing, roles
from annotations.fetching import FetchError, FetchResult, ResponseTooLarge, fetch
from annotations.ingest import services, sql
from annotations.ingest.documents import DocumentError, ExtractedDocument
from annotations.models import (
    Annotation,
    Article,
    ArticleVersion,
    ImportJob,
    Notification,
    Placement,
)
from annotations.review import tasks as review_tasks
from annotations.workspace import placements as workspace_placements

logger = logging.getLogger(__name__)

Outcome = Literal["unchanged", "version", "held", "gone", "moved", "failed"]
PageStatus = Article.PageStatus

# Claims in these states are work the desk stands behind (or is about to): their article is
# watched. Drafts are not: nobody has committed to them yet.
WATCHED_STATES = (
    Annotation.State.IN_REVIEW,
    Annotation.State.APPROVED,
    Annotation.State.PUBLISHED,
    Annotation.State.CORRECTED,
)
# A new text shorter than this share of the current version is probably a paywall teaser or
# a half-loaded page, not an edit: held for a person to decide.
TRUNCATED_BELOW = 0.5
# Below this share of common words (and with every claim orphaned) the address serves
# another story. Edits of one story keep most of its words; two stories from one outlet
# share little beyond the common vocabulary.
REPLACED_BELOW = 0.25
# How long an article handed to a worker is not handed out again (the task sets the real
# next time when it runs; if the worker dies, the article is due again after this).
WATCH_LEASE = timedelta(hours=1)
GONE_STATUSES = frozenset({404, 410})


@dataclass(frozen=True)
class Refetch:
    """What one re-fetch found. `message` is a sentence for people."""

    outcome: Outcome
    message: str
    version: ArticleVersion | None = None


# --- Scheduling ---------------------------------------------------------------------------


def watch_interval(unchanged: int) -> timedelta:
    """Time to the next check after `unchanged` checks in a row found nothing new: the base
    interval, doubled per such check, capped. Pages that never change cost little."""
    base = timedelta(hours=settings.WATCH_INTERVAL_HOURS)
    cap = timedelta(days=settings.WATCH_MAX_INTERVAL_DAYS)
    # The exponent is bounded so that a page unchanged for years cannot overflow timedelta.
    return min(base * 2 ** min(unchanged, 20), cap)


def watch_due(now: datetime | None = None) -> list[int]:
    """Ids of the articles the watch should check now: with a URL, with a live claim the desk
    stands behind, not removed by the outlet, and whose next check has come."""
    now = now or timezone.now()
    watched_claims = Annotation.objects.alive().filter(
        version__article=OuterRef("pk"), state__in=WATCHED_STATES
    )
    due = (
        Article.objects.exclude(url="", canonical_url="")
        .exclude(page_status=PageStatus.GONE)
        .filter(Q(watch_next_at__isnull=True) | Q(watch_next_at__lte=now))
        .filter(Exists(watched_claims))
        .order_by(F("watch_next_at").asc(nulls_first=True), "id")  # never checked first
    )
    return list(due.values_list("id", flat=True))


def watch_lease(article_ids: list[int], now: datetime | None = None) -> int:
    """Push the next check of these articles a lease ahead, so that the next beat does not
    hand them out again while their checks wait in the queue."""
    now = now or timezone.now()
    return Article.objects.filter(pk__in=article_ids).update(watch_next_at=now + WATCH_LEASE)


# --- Comparing texts and addresses ----------------------------------------------------------

_WORD = re.compile(r"\w{4,}")


def shared_words(old: str, new: str) -> float:
    """The share of distinct words (four letters or more) the two texts have in common, 0-1."""
    a = {word.lower() for word in _WORD.findall(old)}
    b = {word.lower() for word in _WORD.findall(new)}
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _page_key(url: str) -> tuple[str, str, str]:
    """What identifies a page: host (without www.), path (without a trailing slash), query.
    The scheme does not: an outlet moving to HTTPS keeps its articles."""
    split = urlsplit(url.strip())
    host = (split.hostname or "").lower().removeprefix("www.")
    return host, split.path.rstrip("/") or "/", split.query


def _same_page(url: str, *others: str) -> bool:
    key = _page_key(url)
    return any(other and _page_key(other) == key for other in others)


def _article_url(article: Article) -> str:
    return article.url or article.canonical_url


def _status_phrase(status: int) -> str:
    try:
        return f"HTTP {status} ({HTTPStatus(status).phrase})"
    except ValueError:
        return f"HTTP {status}"


# --- Telling the desk -------------------------------------------------------------------------


def desk_watchers(article: Article) -> list[User]:
    """Who hears about the article's page: the authors of its live claims and the editors of
    its desk (every editor when the article belongs to no desk)."""
    authors = Annotation.objects.alive().filter(version__article=article).values("author_id")
    editors = User.objects.filter(groups__name__in=[roles.EDITOR, roles.ADMIN])
    if article.team_id is not None:
        editors = editors.filter(teams=article.team_id)
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(pk__in=authors) | Q(pk__in=editors.values("pk")))
        .distinct()
        .order_by("pk")
    )


def _notify_desk(article: Article, text: str, actor: User | None) -> list[Notification]:
    """An ARTICLE_CHANGED notification for each watcher but the actor, e-mailed on a worker
    once the transaction commits."""
    created = Notification.objects.bulk_create(
        Notification(
            recipient=recipient,
            actor=actor,
            kind=Notification.Kind.ARTICLE_CHANGED,
            article=article,
            annotation=None,
            text=f"“{article.title[:120]}”: {text}"[:300],
        )
        for recipient in desk_watchers(article)
        if actor is None or recipient.pk != actor.pk
    )
    if created:
        ids = [notification.pk for notification in created]
        transaction.on_commit(lambda: queueing.send(review_tasks.email_notifications.s(ids)))
    return created


# --- Recording what the page said ---------------------------------------------------------------


@dataclass
class _Check:
    """The changes one check makes to the article, written together by `_record`."""

    article: Article
    now: datetime
    status: str = ""  # defaults to the article's current status and note
    note: str = ""
    http_status: int | None = None
    # "reset" after a new text, "increment" after nothing new, "keep" otherwise.
    unchanged: Literal["reset", "increment", "keep"] = "keep"
    # The server's validators, when they describe a text we store; None keeps the old ones.
    validators: tuple[str, str] | None = None
    notify: str = ""  # a sentence for the desk, when it should hear of this check
    actor: User | None = None

    def __post_init__(self) -> None:
        if not self.status:
            self.status, self.note = self.article.page_status, self.article.page_note


def _record(check: _Check) -> None:
    """Write the check to the article (inside the caller's transaction, under its lock)."""
    article = check.article
    fields = ["watch_checked_at", "watch_next_at", "watch_unchanged", "page_http_status"]
    article.watch_checked_at = check.now
    article.page_http_status = check.http_status
    if check.unchanged == "reset":
        article.watch_unchanged = 0
    elif check.unchanged == "increment":
        article.watch_unchanged += 1
    article.watch_next_at = check.now + watch_interval(article.watch_unchanged)
    if check.validators is not None:
        article.watch_etag, article.watch_last_modified = check.validators
        fields += ["watch_etag", "watch_last_modified"]
    if (check.status, check.note) != (article.page_status, article.page_note):
        article.page_status = check.status
        article.page_note = check.note[:500]
        article.page_status_at = check.now
        fields += ["page_status", "page_note", "page_status_at"]
    article.save(update_fields=fields)
    if check.notify:
        _notify_desk(article, check.notify, check.actor)


def _validators(result: FetchResult) -> tuple[str, str]:
    return (
        result.headers.get("etag", "")[:300],
        result.headers.get("last-modified", "")[:100],
    )


# Validators that describe no stored text must not make the next check a cheap 304.
NO_VALIDATORS = ("", "")


def _unreachable(check: _Check, message: str) -> Refetch:
    check.status, check.note = PageStatus.UNREACHABLE, message
    _record(check)
    return Refetch("failed", message)


# --- The re-fetch -------------------------------------------------------------------------------


def _locked(article_id: int) -> Article:
    """The article, reloaded under the same advisory lock article_import takes for it (taken
    first, so that a re-fetch and an import of the same page wait for each other instead of
    deadlocking), and then its row lock. Call inside a transaction."""
    key = Article.objects.values_list("canonical_url", "url").get(pk=article_id)
    sql.advisory_lock(f"article-import:{key[0] or key[1]}")
    return Article.objects.select_for_update(of=("self",)).select_related("team").get(pk=article_id)


def article_refetch(
    article_id: int, *, user: User | None = None, conditional: bool = False
) -> Refetch:
    """Fetch the article's URL again, through the guarded fetcher, and act on the answer.

    `conditional` sends the ETag and Last-Modified the server gave last time (the watch does;
    a person asking for a fresh look does not). A changed text becomes a new version whose
    claims are placed at once; a teaser is held, a 404/410 marks the page gone, a redirect to
    another page marks it moved, and fetch failures mark it unreachable until the next check.
    The article records what was found and when to look next; the desk is told of changes.
    Two re-fetches of one article at once make one version: the second waits for the first.
    """
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return Refetch("failed", gettext("That article no longer exists."))
    url = _article_url(article)
    if not url:
        return Refetch("failed", gettext("This article has no address to fetch it from."))
    headers: dict[str, str] = {}
    if conditional and article.watch_etag:
        headers["If-None-Match"] = article.watch_etag
    if conditional and article.watch_last_modified:
        headers["If-Modified-Since"] = article.watch_last_modified

    # The network is never awaited inside a transaction: fetch first, then lock and decide.
    result: FetchResult | None = None
    try:
        result = fetch(url, accept=services.ARTICLE_ACCEPT, headers=headers)
    except ResponseTooLarge as exc:
        failure = gettext(
            "The page has grown too large to check (%(error)s). The stored versions are kept; "
            "import a new text by hand if it matters."
        ) % {"error": exc}
    except FetchError as exc:
        if conditional:
            failure = gettext(
                "The page could not be fetched: %(error)s. It will be tried again at the next check."
            ) % {"error": exc}
        else:
            failure = gettext("The page could not be fetched: %(error)s.") % {"error": exc}
    try:
        with transaction.atomic():
            check = _Check(_locked(article_id), timezone.now(), actor=user)
            if result is None:
                return _unreachable(check, failure)
            return _judge(check, result, url)
    except DocumentError as exc:  # raised after the import began: everything rolled back
        with transaction.atomic():
            check = _Check(_locked(article_id), timezone.now(), actor=user)
            return _unreachable(
                check, gettext("The page could not be stored: %(error)s") % {"error": exc}
            )


def _judge(check: _Check, result: FetchResult, url: str) -> Refetch:
    """Decide what the page's answer means for the article, and record it."""
    article = check.article
    check.http_status = result.status
    if result.status == 304:
        return _unchanged(check, gettext("The page has not changed since the last check."))
    if result.status in GONE_STATUSES:
        note = gettext(
            "The outlet answered %(status)s on %(date)s: the article has been taken down or "
            "its address changed."
        ) % {"status": _status_phrase(result.status), "date": f"{check.now:%Y-%m-%d}"}
        return _settle(check, PageStatus.GONE, note, "gone")
    if result.status >= 400:
        return _unreachable(
            check,
            gettext("The outlet answered %(status)s.") % {"status": _status_phrase(result.status)},
        )
    try:
        document = services.document_from_result(result)
    except DocumentError as exc:
        return _unreachable(
            check, gettext("The page could not be read: %(error)s") % {"error": exc}
        )
    # A redirect to the same page (HTTPS, a trailing slash) or to a page that names this
    # article as its canonical is still this article; anything else is another page.
    if not _same_page(result.url, url, article.canonical_url) and not _same_page(
        document.canonical_url, url, article.canonical_url
    ):
        note = gettext(
            "The address now leads to another page (%(url)s), whose canonical "
            "address is not this article's. No version was made."
        ) % {"url": result.url[:300]}
        return _settle(check, PageStatus.MOVED, note, "moved")
    return _compare(check, document, result)


def _settle(check: _Check, status: str, note: str, outcome: Outcome) -> Refetch:
    """Record a page that gives us no new text (gone, moved): the desk hears of it once."""
    if check.article.page_status != status:
        check.notify = note
    check.status, check.note, check.validators = status, note, NO_VALIDATORS
    _record(check)
    return Refetch(outcome, note)


def _unchanged(check: _Check, message: str, validators: tuple[str, str] | None = None) -> Refetch:
    # A held text or a replaced story still waits for a person; anything else is live again.
    if check.article.page_status not in {PageStatus.HELD, PageStatus.REPLACED}:
        check.status, check.note = PageStatus.LIVE, ""
    check.unchanged = "increment"
    check.validators = validators
    _record(check)
    return Refetch("unchanged", message)


def _compare(check: _Check, document: ExtractedDocument, result: FetchResult) -> Refetch:
    article = check.article
    latest = article.versions.order_by("-number").first()
    if latest is None:  # an article always has a version; be safe rather than sorry
        return _unreachable(check, gettext("The article has no stored text to compare with."))
    new_text = document.text
    if services.content_hash(new_text) == latest.content_hash or services.same_words(
        latest.text, new_text
    ):
        return _unchanged(
            check,
            gettext("The page has not changed since version %(number)d.")
            % {"number": latest.number},
            _validators(result),
        )
    if len(new_text) < TRUNCATED_BELOW * len(latest.text):
        return _hold(check, latest, new_text, result.url)
    return _new_version(check, latest, document, result)


def _hold(check: _Check, latest: ArticleVersion, text: str, url: str) -> Refetch:
    article = check.article
    message = gettext(
        "The page now has %(length)s characters, against %(previous)s in version %(number)d: "
        "perhaps a paywall teaser or a page cut short. The text is held until someone imports "
        "it as a new version or discards it."
    ) % {"length": f"{len(text):,}", "previous": f"{len(latest.text):,}", "number": latest.number}
    if article.held_text != text:
        article.held_text, article.held_url, article.held_at = text, url[:2000], check.now
        article.save(update_fields=["held_text", "held_url", "held_at"])
        check.notify = message
    check.status, check.note, check.validators = PageStatus.HELD, message, NO_VALIDATORS
    _record(check)
    return Refetch("held", message)


def _import(
    article: Article, text: str, url: str, user: User | None, *, document: ExtractedDocument
) -> services.ImportResult:
    """Import `text` as a version of `article` itself (`into`): whatever canonical address
    the page names (another story at the same address has its own), it lands here."""
    return services.article_import(
        document=dataclasses.replace(document, text=text),
        source=ArticleVersion.Source.URL,
        user=user,
        team=article.team,
        url=url,
        into=article,
    )


def _new_version(
    check: _Check, latest: ArticleVersion, document: ExtractedDocument, result: FetchResult
) -> Refetch:
    article = check.article
    imported = _import(article, document.text, result.url, check.actor, document=document)
    if not imported.created_version:
        # Another check stored this text a moment ago, or the page went back to an older one.
        return _unchanged(
            check,
            gettext("The page has the text of version %(number)d; nothing new.")
            % {"number": imported.version.number},
            _validators(result),
        )
    version = imported.version
    # Placed here rather than only on the worker that article_import queued: whether the
    # address now serves another story depends on where the claims landed. Running both is
    # safe (the second run places nothing).
    placed = workspace_placements.version_reanchor(version.pk)
    counts = Counter(placement.status for placement in placed)
    orphaned = counts[Placement.Status.ORPHANED]
    if (
        placed
        and orphaned == len(placed)
        and shared_words(latest.text, version.text) < REPLACED_BELOW
    ):
        message = gettext(
            "The address now serves a different story: it was stored as version %(number)d, "
            "and none of the %(count)d claims could be found in it."
        ) % {"number": version.number, "count": len(placed)}
        check.status, check.note = PageStatus.REPLACED, message
    else:
        if placed:
            message = gettext(
                "The page changed: stored as version %(number)d (%(anchored)d claims in place, "
                "%(changed)d changed, %(orphaned)d not found)."
            ) % {
                "number": version.number,
                "anchored": counts[Placement.Status.ANCHORED],
                "changed": counts[Placement.Status.CHANGED],
                "orphaned": orphaned,
            }
        else:
            message = gettext("The page changed: stored as version %(number)d.") % {
                "number": version.number
            }
        check.status, check.note = PageStatus.LIVE, ""
    # A held teaser is superseded by the full text the page serves now.
    if article.held_text:
        article.held_text, article.held_url, article.held_at = "", "", None
        article.save(update_fields=["held_text", "held_url", "held_at"])
    check.unchanged, check.validators, check.notify = "reset", _validators(result), message
    _record(check)
    return Refetch("version", message, version)


# --- A person decides about a held text ---------------------------------------------------------


def _held_article(article: Article, user: User) -> Article:
    if not permissions.can_annotate_article(user, article):
        raise PermissionDenied(
            gettext("Only the desk's fact-checkers and editors decide about this text.")
        )
    return _locked(article.pk)


def held_confirm(article: Article, user: User) -> Refetch:
    """Import the held text as a new version of the article (its claims are re-anchored on
    a worker) and clear it; the page is live again. Nothing to confirm is a no-op."""
    with transaction.atomic():
        locked = _held_article(article, user)
        if not locked.held_text:
            return Refetch("unchanged", gettext("There is no held text to import."))
        url = locked.held_url or _article_url(locked)
        imported = _import(
            locked, locked.held_text, url, user, document=ExtractedDocument(text=locked.held_text)
        )
        _held_clear(locked)
        number = imported.version.number
        if imported.created_version:
            message = gettext("The held text was imported as version %(number)d.") % {
                "number": number
            }
            with translation.override(settings.DESK_LANGUAGE):
                told = gettext("The held text was imported as version %(number)d (by %(name)s).")
            _notify_desk(locked, told % {"number": number, "name": user.get_username()}, user)
            return Refetch("version", message, imported.version)
        return Refetch(
            "unchanged",
            gettext("The held text is the same as version %(number)d.") % {"number": number},
        )


def held_discard(article: Article, user: User) -> None:
    """Forget the held text; the page is live again (the next check looks afresh)."""
    with transaction.atomic():
        _held_clear(_held_article(article, user))


def _held_clear(article: Article) -> None:
    fields = ["held_text", "held_url", "held_at"]
    article.held_text, article.held_url, article.held_at = "", "", None
    # Only the held status is the person's to end: a page found gone or unreachable since
    # the text was held stays so until a check finds otherwise.
    if article.page_status == PageStatus.HELD:
        article.page_status, article.page_note = PageStatus.LIVE, ""
        article.page_status_at = timezone.now()
        fields += ["page_status", "page_note", "page_status_at"]
    article.save(update_fields=fields)


def refetch_job_run(job_id: int) -> ImportJob:
    """Run an ImportJob that asks for a fresh look at an article's page ("Fetch its page
    again"): the same guards as the watch, reported on the job page. A new version, no
    change or a held teaser finish the job (the article page says which); a page gone, moved
    or unreachable fails it with the reason."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.is_finished or job.article_id is None:
        return job
    job.state = ImportJob.State.FETCHING
    job.save(update_fields=["state", "updated_at"])
    outcome = article_refetch(job.article_id, user=job.created_by)
    done = outcome.outcome in {"version", "unchanged", "held"}
    job.state = ImportJob.State.DONE if done else ImportJob.State.FAILED
    job.error = "" if done else outcome.message
    job.version_created = outcome.outcome == "version"
    job.save(update_fields=["state", "error", "version_created", "updated_at"])
    return job
