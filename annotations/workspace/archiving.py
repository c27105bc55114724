"""Archiving a source on a worker: fetch it through the guarded client, keep its text, hash,
time and status, and look for the quoted passage. Called by `annotations.workspace.tasks`."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import pghistory
from django.utils import timezone
from rapidfuzz import fuzz

from annotations.fetching import FetchError, fetch
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


def source_archive(source_id: int) -> Source:
    """Fetch the source, keep its text, hash and status, and look for the quoted passage.
    Transient fetch errors propagate so the task can retry; the rest mark the source failed."""
    source = Source.objects.get(pk=source_id)
    if source.archive_status == Source.ArchiveStatus.ARCHIVED:
        return source
    try:
        result = fetch(source.url, accept="text/html,application/xhtml+xml,text/plain;q=0.8")
        if result.status >= 400:
            raise FetchError(
                f"the server answered HTTP {result.status}", transient=result.status >= 500
            )
        if result.content_type == "text/plain":
            document = from_plain_text(result.text())
        else:
            document = from_html(result.content, url=result.url)
    except FetchError as exc:
        if exc.transient:
            raise
        return _archive_failed(source, str(exc))
    except DocumentError as exc:
        return _archive_failed(source, str(exc))
    score = quote_match(source.quote, document.text) if source.quote else None
    with pghistory.context(task="archive_source"):
        Source.objects.filter(pk=source.pk).update(
            archive_status=Source.ArchiveStatus.ARCHIVED,
            archive_error="",
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


def _archive_failed(source: Source, reason: str) -> Source:
    with pghistory.context(task="archive_source"):
        Source.objects.filter(pk=source.pk).update(
            archive_status=Source.ArchiveStatus.FAILED,
            archive_error=reason[:1000],
            archived_at=timezone.now(),
            updated_at=timezone.now(),
        )
    source.refresh_from_db()
    return source


def source_archive_gave_up(source_id: int, reason: str) -> None:
    source = Source.objects.filter(pk=source_id).first()
    if source is not None and source.archive_status != Source.ArchiveStatus.ARCHIVED:
        _archive_failed(source, reason)
