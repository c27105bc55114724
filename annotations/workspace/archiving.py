"""Archiving a source on a worker: fetch it through the guarded client, keep its text, hash,
time and status, and look for the quoted passage. Called by `annotations.workspace.tasks`.
Also how a failed archive is explained to a journalist (`failure_sentence`)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit

import pghistory
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from annotations.fetching import FetchError, FetchProblem, fetch
from annotations.ingest.documents import DocumentError, from_html, from_plain_text
from annotations.models import Source

QUOTE_FOUND_THRESHOLD = 90  # rapidfuzz partial_ratio, 0-100


def _normalise_for_matching(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


def quote_match(quote: str, archived_text: str) -> int:
    """How well the quoted passage appears in the archive, 0-100 (best window)."""
    if not quote.strip() or not archived_text.strip():
        return 0
    return round(
        fuzz.partial_ratio(_normalise_for_matching(quote), _normalise_for_matching(archived_text))
    )


def source_archive(source_id: int, *, last_try: bool = False, tries: int = 1) -> Source:
    """Fetch the source, keep its text, hash and status, and look for the quoted passage.
    Transient fetch errors propagate so the task can retry, unless this is the `last_try`
    (then the source is marked failed, saying how many `tries` it took); the rest mark the
    source failed at once. Every write is bound to the address fetched: if someone changed
    the address meanwhile, the archive of the new one (queued by that change) counts."""
    source = Source.objects.get(pk=source_id)
    if source.archive_status == Source.ArchiveStatus.ARCHIVED:
        return source
    try:
        result = fetch(source.url, accept="text/html,application/xhtml+xml,text/plain;q=0.8")
        if result.status >= 400:
            raise FetchError(
                f"the server answered HTTP {result.status}",
                transient=result.status >= 500,
                kind=FetchProblem.HTTP,
                status=result.status,
            )
        if result.content_type == "text/plain":
            document = from_plain_text(result.text())
        else:
            document = from_html(result.content, url=result.url)
    except FetchError as exc:
        if exc.transient and not last_try:
            raise
        reason = str(exc) + (f" (gave up after {tries} tries)" if exc.transient else "")
        return _archive_failed(source, reason, Source.ArchiveFailure(exc.kind), exc.status)
    except DocumentError as exc:
        return _archive_failed(source, str(exc), Source.ArchiveFailure.NO_TEXT, result.status)
    score = quote_match(source.quote, document.text) if source.quote else None
    with pghistory.context(task="archive_source"):
        Source.objects.filter(pk=source.pk, url=source.url).update(
            archive_status=Source.ArchiveStatus.ARCHIVED,
            archive_error="",
            archive_failure="",
            archived_url=result.url[:2000],
            archived_text=document.text,
            archived_hash=hashlib.sha256(document.text.encode("utf-8")).hexdigest(),
            archived_at=result.fetched_at,
            http_status=result.status,
            quote_match=score,
            quote_found=None if score is None else score >= QUOTE_FOUND_THRESHOLD,
            title=source.title or (document.title or "")[:300],
            publisher=source.publisher or (document.outlet or "")[:200],
            updated_at=timezone.now(),
        )
    source.refresh_from_db()
    return source


def _archive_failed(
    source: Source,
    reason: str,
    failure: Source.ArchiveFailure,
    status: int | None = None,
) -> Source:
    with pghistory.context(task="archive_source"):
        Source.objects.filter(pk=source.pk, url=source.url).exclude(
            archive_status=Source.ArchiveStatus.ARCHIVED
        ).update(
            archive_status=Source.ArchiveStatus.FAILED,
            archive_error=reason[:1000],
            archive_failure=failure,
            http_status=status,
            archived_at=timezone.now(),
            updated_at=timezone.now(),
        )
    source.refresh_from_db()
    return source


def source_archive_gave_up(source_id: int, reason: str, failure: Source.ArchiveFailure) -> None:
    """Mark a source whose archiving never finished (the worker was lost, or it ran out of
    time) as failed, with the reason, unless it was archived meanwhile."""
    source = Source.objects.filter(pk=source_id).first()
    if source is not None:
        _archive_failed(source, reason, failure)


# --- Saying what went wrong --------------------------------------------------------------------


def site_name(url: str) -> str:
    """The site a person would name: the host without "www." ("bbc.com")."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return url
    return host.removeprefix("www.") or url


def _http_sentence(site: str, status: int | None) -> str:
    values = {"site": site, "status": status}
    if status == 404:
        return _("%(site)s answered %(status)s: the page was not found.") % values
    if status == 410:
        return _("%(site)s answered %(status)s: the page has been removed.") % values
    if status in (401, 403):
        return (
            _(
                "%(site)s answered %(status)s: it would not show us the page (it may need a "
                "login, or turn away automatic visitors)."
            )
            % values
        )
    if status == 429:
        return _("%(site)s answered %(status)s: it asked us to come back later.") % values
    if status is not None and status >= 500:
        return _("%(site)s answered %(status)s: the site had a problem on its side.") % values
    if status is not None:
        return _("%(site)s answered %(status)s: it did not give us the page.") % values
    return _("%(site)s did not give us the page.") % values


def failure_sentence(source: Source) -> str:
    """Why the archive failed, in words a journalist understands ("Could not reach bbc.com:
    the name was not found."). The technical message stays in `archive_error`."""
    site = site_name(source.url)
    kind = Source.ArchiveFailure
    sentences = {
        kind.NAME: _("Could not reach %(site)s: the name was not found."),
        kind.CONNECT: _("Could not reach %(site)s: no connection could be made."),
        kind.TIMEOUT: _("%(site)s took too long to answer."),
        kind.BLOCKED: _("That address points inside our network, so we do not fetch it."),
        kind.REDIRECT_BLOCKED: _(
            "%(site)s sent us on to an address inside our network, so we did not follow it."
        ),
        kind.INVALID: _(
            "That is not an address we can fetch: only web pages (http and https) are archived."
        ),
        kind.TOO_LARGE: _("The page at %(site)s is too large to keep (the limit is %(limit)s)."),
        kind.REDIRECTS: _("%(site)s sent us from address to address too many times."),
        kind.PROTOCOL: _("%(site)s sent an answer we could not read."),
        kind.NO_TEXT: _("%(site)s answered, but we found no article text on the page."),
        kind.STOPPED: _("Archiving %(site)s took too long and was stopped."),
        kind.LOST: _("Archiving %(site)s never finished: our worker stopped on the way."),
    }
    if source.archive_failure == kind.HTTP:
        return _http_sentence(site, source.http_status)
    sentence = sentences.get(
        source.archive_failure,  # type: ignore[call-overload]
        _("We could not keep a copy of %(site)s."),
    )
    return sentence % {"site": site, "limit": filesizeformat(settings.FETCH_MAX_BYTES)}
