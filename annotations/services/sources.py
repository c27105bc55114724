"""Sources (evidence) on an annotation, and their archiving by a worker."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import pghistory
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from rapidfuzz import fuzz

from annotations import permissions
from annotations.fetching import BlockedURL, FetchError, check_url, fetch
from annotations.ingest.documents import DocumentError, from_html, from_plain_text
from annotations.models import Annotation, Source

QUOTE_FOUND_THRESHOLD = 90  # rapidfuzz partial_ratio, 0-100


class SourceError(ValueError):
    """Input that cannot be saved. The message is shown to the user as is."""


def _editable_annotation(annotation_id: int, user: User) -> Annotation:
    annotation = Annotation.objects.get(pk=annotation_id)
    if not permissions.can_edit_annotation(user, annotation):
        raise PermissionDenied("You cannot change the sources of this annotation.")
    return annotation


def source_add(
    *,
    annotation_id: int,
    user: User,
    url: str,
    title: str = "",
    publisher: str = "",
    quote: str = "",
    stance: str = Source.Stance.SUPPORTS,
) -> Source:
    """Attach a source and queue its archiving. Private and odd URLs are refused here, at
    once, and again by the fetcher when the worker connects."""
    from annotations.tasks import archive_source

    annotation = _editable_annotation(annotation_id, user)
    try:
        check_url(url)
    except BlockedURL as exc:
        raise SourceError(f"That source address cannot be used: {exc}.") from exc
    if stance not in Source.Stance.values:
        raise SourceError("Choose whether the source supports, contradicts or gives context.")
    with pghistory.context(user=user.pk), transaction.atomic():
        last = annotation.sources.aggregate(last=Max("position"))["last"]
        source = Source.objects.create(
            annotation=annotation,
            position=(last + 1) if last is not None else 0,
            url=url,
            title=" ".join(title.split())[:300],
            publisher=" ".join(publisher.split())[:200],
            quote=quote.strip()[:5000],
            stance=stance,
            created_by=user,
        )
        transaction.on_commit(lambda: archive_source.delay(source.pk))
    return source


def source_remove(*, source_id: int, user: User) -> Source:
    source = Source.objects.get(pk=source_id)
    _editable_annotation(source.annotation_id, user)
    with pghistory.context(user=user.pk), transaction.atomic():
        source.delete()
    return source


def source_move(*, source_id: int, user: User, direction: str) -> None:
    """Swap a source with its neighbour above or below."""
    source = Source.objects.get(pk=source_id)
    _editable_annotation(source.annotation_id, user)
    with pghistory.context(user=user.pk), transaction.atomic():
        siblings = list(
            Source.objects.select_for_update()
            .filter(annotation_id=source.annotation_id)
            .order_by("position", "id")
        )
        index = next(i for i, s in enumerate(siblings) if s.pk == source.pk)
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(siblings):
            return
        siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, sibling in enumerate(siblings):
            if sibling.position != position:
                Source.objects.filter(pk=sibling.pk).update(
                    position=position, updated_at=timezone.now()
                )


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
