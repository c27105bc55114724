"""Shared reads. Views and commands use these so query shapes live in one place."""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from time import monotonic

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    Count,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Substr

from annotations.models import (
    Annotation,
    AnnotationEvent,
    Article,
    ArticleVersion,
    Rating,
    Sentence,
    Source,
    SourceEvent,
    Team,
)

ORDER_READING = "reading"
ORDER_CHECKWORTHY = "checkworthy"


def article_list(*, search: str = "") -> QuerySet[Article]:
    latest = ArticleVersion.objects.filter(article=OuterRef("pk")).order_by("-number")
    articles = Article.objects.annotate(
        latest_version=Subquery(latest.values("number")[:1]),
    ).select_related("team")
    search = search.strip()
    if search:
        articles = articles.filter(Q(title__icontains=search) | Q(outlet__icontains=search))
    return articles.order_by("-created_at", "-id")


def article_version(article: Article, number: int | None = None) -> ArticleVersion | None:
    versions = article.versions.all()
    if number is not None:
        return versions.filter(number=number).first()
    return versions.order_by("-number").first()


def article_versions(article: Article) -> QuerySet[ArticleVersion]:
    return (
        article.versions.order_by("-number")
        .annotate(sentence_count=Count("sentences"))
        .defer("text")
    )


def version_sentences(version: ArticleVersion, *, order: str = ORDER_READING) -> list[SentenceRow]:
    rows = list(version_snapshot(version).sentences)
    if order == ORDER_CHECKWORTHY:
        rows.sort(key=lambda row: (-row.score, row.index))
    return rows


def checkworthy_count(sentences: list[SentenceRow]) -> int:
    return sum(1 for sentence in sentences if sentence.score >= settings.CHECKWORTHY_THRESHOLD)


def user_teams(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Team]:
    if not user.is_authenticated:
        return Team.objects.none()
    if user.is_superuser:
        return Team.objects.all()
    return Team.objects.filter(members=user)


# --- Workspace ---------------------------------------------------------------------------


def active_ratings() -> list[Rating]:
    return list(Rating.objects.filter(is_active=True).order_by("position", "id"))


RATINGS_TTL_SECONDS = 10.0
_ratings_cache: tuple[float, dict[str, Rating]] = (0.0, {})


def ratings_by_slug() -> dict[str, Rating]:
    """Active ratings by slug, re-read at most every few seconds per process: every save
    names a verdict, and an admin's edit to the scale can wait that long to show."""
    global _ratings_cache
    loaded_at, ratings = _ratings_cache
    now = monotonic()
    if now - loaded_at > RATINGS_TTL_SECONDS:
        ratings = {rating.slug: rating for rating in active_ratings()}
        _ratings_cache = (now, ratings)
    return ratings


@dataclass(frozen=True, slots=True)
class HighlightRow:
    """What drawing one highlight needs, read without building model instances."""

    pk: int
    start: int
    end: int
    verdict: str
    label: str
    title: str


def highlight_rows(
    version: ArticleVersion, *, start: int = 0, end: int | None = None
) -> list[HighlightRow]:
    """Live annotations overlapping [start, end) as light rows, sorted for nesting."""
    annotations = Annotation.objects.alive().filter(version=version)
    if start or end is not None:
        annotations = annotations.filter(end__gt=start)
        if end is not None:
            annotations = annotations.filter(start__lt=end)
    rows = annotations.order_by("start", "-end", "id").values_list(
        "pk", "start", "end", "rating__slug", "rating__label", "claim", Substr("exact", 1, 80)
    )
    return [
        HighlightRow(
            pk,
            s,
            e,
            slug or "none",
            label or "No verdict yet",
            f"{label or 'No verdict yet'}: {claim or exact}",
        )
        for pk, s, e, slug, label, claim, exact in rows
    ]


@dataclass(frozen=True, slots=True)
class HighlightsState:
    count: int
    signature: str


def highlights_state(version: ArticleVersion) -> HighlightsState:
    """How many live annotations a version has, and a signature that changes whenever one
    is created, edited (revision), deleted or restored: one aggregate query."""
    row = (
        Annotation.objects.alive()
        .filter(version=version)
        .aggregate(
            count=Count("id"), revisions=Sum("revision"), last=Max("updated_at"), top=Max("id")
        )
    )
    last = row["last"].timestamp() if row["last"] else 0
    return HighlightsState(
        row["count"], f"{row['count']}.{row['revisions'] or 0}.{row['top'] or 0}.{last:.6f}"
    )


def ratings_signature() -> str:
    """Changes when a verdict's label changes (labels are drawn into the highlights)."""
    labels = "|".join(f"{slug}={rating.label}" for slug, rating in ratings_by_slug().items())
    return hashlib.sha256(labels.encode()).hexdigest()[:12]


def workspace_cards(version: ArticleVersion, offset: int, limit: int) -> list[Annotation]:
    """One page of cards in reading order, with everything a card shows: three queries."""
    sources = Source.objects.order_by("position", "id").defer("archived_text")
    return list(
        Annotation.objects.alive()
        .filter(version=version)
        .select_related("rating", "author")
        .prefetch_related(Prefetch("sources", queryset=sources))
        .order_by("start", "-end", "id")[offset : offset + limit]
    )


def annotation_for_card(annotation_id: int) -> Annotation:
    sources = Source.objects.order_by("position", "id").defer("archived_text")
    return (
        Annotation.objects.select_related("rating", "author", "version__article")
        .prefetch_related(Prefetch("sources", queryset=sources))
        .get(pk=annotation_id)
    )


def sentences_overlapping(version: ArticleVersion, start: int, end: int) -> list[Sentence]:
    return list(
        Sentence.objects.filter(version=version, start__lt=end, end__gt=start).order_by("index")
    )


def annotation_history(annotation: Annotation) -> list[dict[str, object]]:
    """Every recorded change to the annotation and its sources, newest first, as
    {when, who, what, changes: [(field, before, after)]}."""
    from django.contrib.auth import get_user_model

    annotation_events = list(
        AnnotationEvent.objects.filter(pgh_obj_id=annotation.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    source_events = list(
        SourceEvent.objects.filter(annotation_id=annotation.pk)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    user_ids = {
        (event.pgh_context.metadata or {}).get("user")
        for event in annotation_events + source_events
        if event.pgh_context_id
    }
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=[u for u in user_ids if u])}
    entries: list[dict[str, object]] = []
    entries += _diff_events(annotation_events, ANNOTATION_HISTORY_FIELDS, "annotation", users)
    by_source: dict[int, list[object]] = {}
    for event in source_events:
        by_source.setdefault(event.pgh_obj_id, []).append(event)
    for events in by_source.values():
        entries += _diff_events(events, SOURCE_HISTORY_FIELDS, "source", users)
    entries.sort(key=lambda entry: entry["order"], reverse=True)  # type: ignore[arg-type, return-value]
    return entries


ANNOTATION_HISTORY_FIELDS = {
    "rating_id": "verdict",
    "claim": "claim",
    "claimant": "claimant",
    "rationale": "rationale",
    "tags": "tags",
    "state": "state",
    "deleted_at": "deleted",
}
SOURCE_HISTORY_FIELDS = {
    "url": "address",
    "title": "title",
    "publisher": "publisher",
    "quote": "quoted passage",
    "stance": "stance",
    "position": "position",
    "archive_status": "archive",
}


def _diff_events(events, fields, kind, users):  # type: ignore[no-untyped-def]
    ratings = {r.pk: r.label for r in Rating.objects.all()}
    entries = []
    previous = None
    for event in events:
        metadata = (event.pgh_context.metadata or {}) if event.pgh_context_id else {}
        who = users.get(metadata.get("user"))
        label = event.pgh_label
        changes = []
        for field, name in fields.items():
            after = getattr(event, field)
            before = getattr(previous, field) if previous is not None else None
            if field == "rating_id":
                after, before = ratings.get(after, "none"), ratings.get(before, "none")
            if label == "insert":
                if after not in (None, "", [], "none"):
                    changes.append((name, "", after))
            elif label == "update" and before != after:
                changes.append(
                    (name, before if before is not None else "", after if after is not None else "")
                )
        if label == "update" and not changes:
            previous = event
            continue
        if label == "update" and any(name == "deleted" for name, _b, _a in changes):
            deleted_now = getattr(event, "deleted_at", None) is not None
            label = "delete" if deleted_now else "restore"
            changes = [c for c in changes if c[0] != "deleted"]
        title = getattr(event, "title", "") or getattr(event, "url", "") if kind == "source" else ""
        entries.append(
            {
                "order": (event.pgh_created_at, event.pgh_id),
                "when": event.pgh_created_at,
                "who": who,
                "by_worker": bool(metadata.get("task")),
                "kind": kind,
                "action": label,
                "subject": title,
                "changes": changes,
            }
        )
        previous = event
    return entries


# --- Immutable version data, cached per process -----------------------------------------


@dataclass(frozen=True, slots=True)
class SentenceRow:
    """What drawing a sentence needs; the same attributes as Sentence."""

    index: int
    start: int
    end: int
    paragraph: int
    is_headline: bool
    score: int
    text: str


@dataclass(frozen=True)
class VersionSnapshot:
    text: str
    sentences: tuple[SentenceRow, ...]
    starts: tuple[int, ...]  # sentence starts, for bisecting


@lru_cache(maxsize=8)
def _snapshot(version_id: int, content_hash: str) -> VersionSnapshot:
    text = ArticleVersion.objects.values_list("text", flat=True).get(pk=version_id)
    rows = tuple(
        SentenceRow(index, start, end, paragraph, headline, score, text[start:end])
        for index, start, end, paragraph, headline, score in Sentence.objects.filter(
            version_id=version_id
        )
        .order_by("index")
        .values_list("index", "start", "end", "paragraph", "is_headline", "score")
    )
    return VersionSnapshot(text, rows, tuple(row.start for row in rows))


@lru_cache(maxsize=256)
def _version_fields(version_id: int) -> tuple[int, int, str] | None:
    row = (
        ArticleVersion.objects.filter(pk=version_id)
        .values_list("article_id", "number", "content_hash")
        .first()
    )
    return tuple(row) if row else None  # type: ignore[return-value]


def version_of_article(article_id: int, version_id: int) -> ArticleVersion | None:
    """A version (without its text) if it belongs to the article. Versions never change, so
    the hot save path reads them from memory after the first time."""
    fields = _version_fields(version_id)
    if fields is None or fields[0] != article_id:
        return None
    version = ArticleVersion(
        pk=version_id, article_id=fields[0], number=fields[1], content_hash=fields[2]
    )
    version._state.adding = False  # a stored row, loaded in part
    return version


def version_snapshot(version: ArticleVersion) -> VersionSnapshot:
    """The text and sentences of a version. Versions never change (a changed article is a
    new version), so each process keeps the last few it used instead of reading a 300 KB
    text on every save; the content hash in the key makes a stale entry impossible."""
    return _snapshot(version.pk, version.content_hash)


def paragraph_rows_around(
    version: ArticleVersion, start: int, end: int
) -> tuple[list[SentenceRow], list[HighlightRow]]:
    """Like `paragraphs_around`, from the cached snapshot: one query (the annotations)."""
    snapshot = version_snapshot(version)
    rows = snapshot.sentences
    if not rows:
        return [], []
    first = max(0, bisect_right(snapshot.starts, start) - 1)
    last = max(first, bisect_left(snapshot.starts, max(end, start + 1)) - 1)
    paragraphs = {rows[i].paragraph for i in range(first, last + 1)}
    low_index, high_index = first, last
    while low_index > 0 and rows[low_index - 1].paragraph in paragraphs:
        low_index -= 1
    while high_index + 1 < len(rows) and rows[high_index + 1].paragraph in paragraphs:
        high_index += 1
    selected = list(rows[low_index : high_index + 1])
    return selected, highlight_rows(version, start=selected[0].start, end=selected[-1].end)


def forget_ratings() -> None:
    """Drop this process's cached scale (after an edit here, and between tests)."""
    global _ratings_cache
    _ratings_cache = (0.0, {})
