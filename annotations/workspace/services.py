"""Workspace writes: annotations (create, edit guarded by revision, soft delete, restore) and
their sources (add, edit, reorder, remove, retry a failed archive; archiving is queued on a
worker)."""

from __future__ import annotations

import hashlib
import json
import uuid
from bisect import bisect_right
from contextlib import nullcontext
from dataclasses import dataclass, field

import pghistory
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext as _

from annotations import permissions, queueing
from annotations.fetching import BlockedURL, check_url
from annotations.markup import render_rationale
from annotations.models import Annotation, ArticleVersion, Rating, Source
from annotations.review import approval
from annotations.text import TextError, one_line
from annotations.workspace import archiving, selectors, tasks
from annotations.workspace.anchoring import quote_at

MAX_RATIONALE_CHARS = 20_000
MAX_CLAIM_CHARS = 300
MAX_CLAIMANT_CHARS = 200
MAX_TAG_CHARS = 50
MAX_TAGS = 20
MAX_SOURCE_QUOTE_CHARS = 5000


class SourceError(ValueError):
    """Input that cannot be saved. The message is shown to the user as is."""


class AnnotationError(ValueError):
    """Input that cannot be saved. The message is shown to the user as is."""


class AnnotationConflict(Exception):
    """Someone saved this annotation since the editor loaded it; nothing was overwritten."""

    def __init__(self, current: Annotation) -> None:
        super().__init__(gettext("This annotation was changed by someone else."))
        self.current = current


@dataclass
class AnnotationInput:
    rating: Rating | None = None
    claim: str = ""
    claimant: str = ""
    rationale: str = ""
    tags: list[str] = field(default_factory=list)

    def fields(self) -> dict[str, object]:
        """The model fields this input sets, the rationale rendered and sanitised."""
        return {
            "rating": self.rating,
            "claim": self.claim,
            "claimant": self.claimant,
            "rationale": self.rationale,
            "rationale_html": render_rationale(self.rationale),
            "tags": self.tags,
        }

    def cleaned(self) -> AnnotationInput:
        if len(self.rationale) > MAX_RATIONALE_CHARS:
            raise AnnotationError(
                gettext(
                    "The rationale is %(length)s characters; the limit is %(limit)s. "
                    "Shorten it or move detail into a source."
                )
                % {"length": f"{len(self.rationale):,}", "limit": f"{MAX_RATIONALE_CHARS:,}"}
            )
        try:
            claim = one_line(self.claim, name="claim summary", limit=MAX_CLAIM_CHARS)
            claimant = one_line(self.claimant, name="claimant", limit=MAX_CLAIMANT_CHARS)
            written = [one_line(tag, name="tag", limit=MAX_TAG_CHARS) for tag in self.tags]
        except TextError as exc:
            raise AnnotationError(str(exc)) from exc
        tags: list[str] = []
        for tag in written:
            if tag and tag.lower() not in {t.lower() for t in tags}:
                tags.append(tag)
        if len(tags) > MAX_TAGS:
            raise AnnotationError(gettext("At most %(count)d tags.") % {"count": MAX_TAGS})
        return AnnotationInput(
            rating=self.rating,
            claim=claim,
            claimant=claimant,
            rationale=self.rationale.strip(),
            tags=tags,
        )


def _anchor(version: ArticleVersion, start: int, end: int, exact: str) -> tuple[str, str]:
    """Check the quote against the stored text at those offsets. Returns (prefix, suffix)."""
    if start < 0 or end <= start:
        raise AnnotationError(gettext("The selection is empty or runs backwards."))
    text = selectors.version_snapshot(version).text
    if end > len(text):
        raise AnnotationError(
            gettext(
                "The selection ends at character %(end)s, past the end of the text (%(length)s)."
            )
            % {"end": f"{end:,}", "length": f"{len(text):,}"}
        )
    if text[start:end] != exact:
        raise AnnotationError(
            gettext(
                "The quoted text does not match the article at that position. "
                "Reload the article and select the passage again."
            )
        )
    quote = quote_at(text, start, end)
    return quote.prefix, quote.suffix


def _checkworthiness(version: ArticleVersion, start: int, end: int) -> int:
    """The highest check-worthiness among the sentences the span covers (for queue order)."""
    snapshot = selectors.version_snapshot(version)
    best, index = 0, max(0, bisect_right(snapshot.starts, start) - 1)
    while index < len(snapshot.sentences) and snapshot.sentences[index].start < end:
        if snapshot.sentences[index].end > start:
            best = max(best, snapshot.sentences[index].score)
        index += 1
    return best


def annotation_create(
    *,
    version: ArticleVersion,
    author: User,
    start: int,
    end: int,
    exact: str,
    data: AnnotationInput,
    client_token: uuid.UUID | None = None,
) -> tuple[Annotation, bool]:
    """Highlight [start, end) of `version` with a verdict. Returns (annotation, created).

    A repeated `client_token` from the same author (a double submit) returns the first
    annotation instead of creating a second one."""
    if not permissions.can_annotate_article(author, version.article):
        raise PermissionDenied("Only the desk's fact-checkers and editors annotate its articles.")
    data = data.cleaned()
    prefix, suffix = _anchor(version, start, end, exact)
    try:
        # One INSERT needs no transaction of its own: pghistory sends its context in the same
        # statement, so the history row still names the author (two round trips saved).
        # Inside a caller's transaction a savepoint keeps a duplicate from breaking it.
        savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
        with pghistory.context(user=author.pk), savepoint:
            annotation = Annotation.objects.create(
                version=version,
                start=start,
                end=end,
                exact=exact,
                prefix=prefix,
                suffix=suffix,
                checkworthiness=_checkworthiness(version, start, end),
                **data.fields(),
                author=author,
                client_token=client_token,
            )
    except IntegrityError:
        # The same form submitted twice: the unique (author, client_token) kept the first.
        existing = Annotation.objects.filter(author=author, client_token=client_token).first()
        if client_token is None or existing is None:
            raise
        return existing, False
    return annotation, True


def annotation_update(
    *, annotation_id: int, editor: User, revision: int, data: AnnotationInput
) -> Annotation:
    """Save an edit made from `revision`. If the annotation moved on since, raise
    AnnotationConflict carrying the current values; nothing is overwritten."""
    annotation = Annotation.objects.select_related("rating", "version__article").get(
        pk=annotation_id
    )
    if not permissions.can_edit_annotation(editor, annotation):
        raise PermissionDenied("You cannot edit this annotation.")
    data = data.cleaned()
    with pghistory.context(user=editor.pk), transaction.atomic():
        before = approval.content_digest(annotation)
        changed = Annotation.objects.filter(
            pk=annotation_id, revision=revision, deleted_at__isnull=True
        ).update(
            **data.fields(),
            revision=F("revision") + 1,
            updated_at=timezone.now(),
        )
        if changed:
            # Under review, the edit is recorded; after approval it sends the claim back.
            approval.after_edit(annotation_id, editor, before, _what_changed(annotation, data))
    if not changed:
        raise AnnotationConflict(
            Annotation.objects.select_related("rating", "author").get(pk=annotation_id)
        )
    return Annotation.objects.select_related("rating", "author", "version").get(pk=annotation_id)


def _what_changed(annotation: Annotation, data: AnnotationInput) -> str:
    """What an edit changes, in words, for the review record ("the verdict: False → True")."""
    changes = []
    # Kept in the claim's history for everyone: written in the desk's language.
    with translation.override(settings.DESK_LANGUAGE):
        none = gettext("none")
        if annotation.rating_id != (data.rating.pk if data.rating else None):
            old = gettext(annotation.rating.label) if annotation.rating else none
            new = gettext(data.rating.label) if data.rating else none
            changes.append(gettext("the verdict: %(old)s → %(new)s") % {"old": old, "new": new})
        if annotation.claim != data.claim:
            changes.append(gettext("the claim"))
        if annotation.claimant != data.claimant:
            changes.append(gettext("the claimant"))
        if annotation.rationale != data.rationale:
            changes.append(gettext("the rationale"))
        return ", ".join(changes) or gettext("the claim")


def annotation_delete(*, annotation_id: int, user: User) -> Annotation:
    """Soft delete: the row stays (an admin can restore it) and the history records who."""
    annotation = Annotation.objects.select_related("version__article").get(pk=annotation_id)
    if not permissions.can_edit_annotation(user, annotation):
        raise PermissionDenied("You cannot delete this annotation.")
    with pghistory.context(user=user.pk), transaction.atomic():
        Annotation.objects.filter(pk=annotation_id, deleted_at__isnull=True).update(
            deleted_at=timezone.now(),
            deleted_by=user,
            revision=F("revision") + 1,
            updated_at=timezone.now(),
        )
    annotation.refresh_from_db()
    return annotation


def annotation_restore(*, annotation_id: int, user: User) -> Annotation:
    if not permissions.can_restore_annotation(user):
        raise PermissionDenied("Only admins can restore deleted annotations.")
    with pghistory.context(user=user.pk), transaction.atomic():
        Annotation.objects.filter(pk=annotation_id).update(
            deleted_at=None,
            deleted_by=None,
            revision=F("revision") + 1,
            updated_at=timezone.now(),
        )
    return Annotation.objects.get(pk=annotation_id)


# --- Sources ---------------------------------------------------------------------------------


def _editable_annotation(annotation_id: int, user: User) -> Annotation:
    annotation = Annotation.objects.select_related("version__article").get(pk=annotation_id)
    if not permissions.can_edit_annotation(user, annotation):
        raise PermissionDenied("You cannot change the sources of this annotation.")
    return annotation


# What a person edits on a source; the rest is its archive, which a worker fills in.
SOURCE_EDITABLE = ("url", "title", "publisher", "quote", "stance")


@dataclass(frozen=True)
class SourceInput:
    url: str
    title: str = ""
    publisher: str = ""
    quote: str = ""
    stance: str = Source.Stance.SUPPORTS

    def cleaned(self) -> SourceInput:
        """Checked and tidied, or SourceError. Private and odd addresses are refused here, at
        once, and again by the fetcher when the worker connects."""
        try:
            check_url(self.url)
        except BlockedURL as exc:
            raise SourceError(
                _("That source address cannot be used: %(reason)s.") % {"reason": exc}
            ) from exc
        if self.stance not in Source.Stance.values:
            raise SourceError(
                _("Choose whether the source supports, contradicts or gives context.")
            )
        try:
            title = one_line(self.title, name="title", limit=300)
            publisher = one_line(self.publisher, name="publisher", limit=200)
        except TextError as exc:
            raise SourceError(str(exc)) from exc
        quote = self.quote.strip()
        if len(quote) > MAX_SOURCE_QUOTE_CHARS:
            raise SourceError(
                _("The quote is %(length)s characters; the limit is %(limit)s.")
                % {"length": f"{len(quote):,}", "limit": f"{MAX_SOURCE_QUOTE_CHARS:,}"}
            )
        return SourceInput(
            url=self.url.strip(), title=title, publisher=publisher, quote=quote, stance=self.stance
        )


class SourceConflict(Exception):
    """Someone changed this source since the form was opened; nothing was overwritten."""

    def __init__(self, current: Source) -> None:
        super().__init__(gettext("This source was changed by someone else."))
        self.current = current


def source_digest(source: Source) -> str:
    """A fingerprint of what a person edits on a source (not its archive, which a worker
    fills in meanwhile): the edit form carries it, so a save over someone else's change is
    refused instead of overwriting it."""
    fields = [getattr(source, name) for name in SOURCE_EDITABLE]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()[:32]


def _queue_archive(source_id: int) -> None:
    transaction.on_commit(lambda: queueing.send(tasks.archive_source.s(source_id)))


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
    annotation = _editable_annotation(annotation_id, user)
    data = SourceInput(url, title, publisher, quote, stance).cleaned()
    with pghistory.context(user=user.pk), transaction.atomic():
        before = approval.content_digest(annotation)
        last = annotation.sources.aggregate(last=Max("position"))["last"]
        source = Source.objects.create(
            annotation=annotation,
            position=(last + 1) if last is not None else 0,
            url=data.url,
            title=data.title,
            publisher=data.publisher,
            quote=data.quote,
            stance=data.stance,
            created_by=user,
            archive_requested_at=timezone.now(),
        )
        approval.after_edit(annotation.pk, user, before, gettext_noop("the sources: one added"))
        _queue_archive(source.pk)
    return source


def source_update(
    *, source_id: int, user: User, data: SourceInput, loaded: str | None = None
) -> Source:
    """Edit a source's address, title, publisher, quoted passage or stance. `loaded` is the
    `source_digest` the form was opened with: if the source changed since, SourceConflict
    carries its current values and nothing is saved.

    Like adding a source, an edit of a claim under review is recorded, and after approval
    sends the claim back to review. A new address throws away the archive of the old one (the
    history keeps it) and queues a new one; a new quoted passage is looked for again in the
    archived copy at once."""
    source = Source.objects.get(pk=source_id)
    annotation = _editable_annotation(source.annotation_id, user)
    data = data.cleaned()
    now = timezone.now()
    with pghistory.context(user=user.pk), transaction.atomic():
        source = Source.objects.select_for_update().get(pk=source_id)
        if loaded is not None and source_digest(source) != loaded:
            raise SourceConflict(source)
        changes = {
            name: getattr(data, name)
            for name in SOURCE_EDITABLE
            if getattr(source, name) != getattr(data, name)
        }
        if not changes:
            return source
        before = approval.content_digest(annotation)
        fields: dict[str, object] = {**changes, "updated_at": now}
        if "url" in changes:
            fields.update(
                archive_status=Source.ArchiveStatus.PENDING,
                archive_error="",
                archive_failure="",
                archived_url="",
                archived_text="",
                archived_hash="",
                archived_at=None,
                http_status=None,
                quote_found=None,
                quote_match=None,
                archive_requested_at=now,
            )
        elif "quote" in changes and source.archive_status == Source.ArchiveStatus.ARCHIVED:
            score = archiving.quote_match(data.quote, source.archived_text) if data.quote else None
            fields.update(
                quote_match=score,
                quote_found=None if score is None else score >= archiving.QUOTE_FOUND_THRESHOLD,
            )
        Source.objects.filter(pk=source_id).update(**fields)
        # In the history panel's words ("address, quoted passage").
        with translation.override(settings.DESK_LANGUAGE):  # kept in the claim's history
            what = ", ".join(gettext(selectors.SOURCE_HISTORY_FIELDS[name]) for name in changes)
            edited = gettext("the sources: one edited (%(fields)s)") % {"fields": what}
        approval.after_edit(annotation.pk, user, before, edited)
        if "url" in changes:
            _queue_archive(source_id)
    source.refresh_from_db()
    return source


def source_archive_retry(*, source_id: int, user: User) -> tuple[Source, bool]:
    """Archive a failed source again. Returns (source, queued). Only a failed source is
    queued, in one conditional UPDATE: a double click, or a retry while the archive is
    pending or done, queues nothing and changes nothing. The content is unchanged, so the
    claim's review state is too."""
    source = Source.objects.get(pk=source_id)
    _editable_annotation(source.annotation_id, user)
    now = timezone.now()
    with pghistory.context(user=user.pk), transaction.atomic():
        queued = bool(
            Source.objects.filter(pk=source_id, archive_status=Source.ArchiveStatus.FAILED).update(
                archive_status=Source.ArchiveStatus.PENDING,
                archive_error="",
                archive_failure="",
                http_status=None,
                archived_at=None,
                archive_requested_at=now,
                updated_at=now,
            )
        )
        if queued:
            _queue_archive(source_id)
    source.refresh_from_db()
    return source, queued


def source_remove(*, source_id: int, user: User) -> Source:
    source = Source.objects.get(pk=source_id)
    annotation = _editable_annotation(source.annotation_id, user)
    with pghistory.context(user=user.pk), transaction.atomic():
        before = approval.content_digest(annotation)
        source.delete()
        approval.after_edit(annotation.pk, user, before, gettext_noop("the sources: one removed"))
    return source


def source_move(*, source_id: int, user: User, direction: str) -> None:
    """Swap a source with its neighbour above or below."""
    source = Source.objects.get(pk=source_id)
    annotation = _editable_annotation(source.annotation_id, user)
    with pghistory.context(user=user.pk), transaction.atomic():
        before = approval.content_digest(annotation)
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
        approval.after_edit(annotation.pk, user, before, gettext_noop("the order of the sources"))
