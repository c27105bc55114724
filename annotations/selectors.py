"""Shared reads. Views and commands use these so query shapes live in one place."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery

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


def version_sentences(version: ArticleVersion, *, order: str = ORDER_READING) -> list[Sentence]:
    sentences = Sentence.objects.filter(version=version)
    if order == ORDER_CHECKWORTHY:
        return list(sentences.order_by("-score", "index"))
    return list(sentences.order_by("index"))


def checkworthy_count(sentences: list[Sentence]) -> int:
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


def workspace_annotations(version: ArticleVersion) -> list[Annotation]:
    """Live annotations of a version with what their cards show, in a constant number of
    queries however many there are. Archived source texts stay in the database."""
    sources = Source.objects.order_by("position", "id").defer("archived_text")
    return list(
        Annotation.objects.alive()
        .filter(version=version)
        .select_related("rating", "author")
        .prefetch_related(Prefetch("sources", queryset=sources))
        .order_by("start", "-end", "id")
    )


def annotation_for_card(annotation_id: int) -> Annotation:
    sources = Source.objects.order_by("position", "id").defer("archived_text")
    return (
        Annotation.objects.select_related("rating", "author", "version__article")
        .prefetch_related(Prefetch("sources", queryset=sources))
        .get(pk=annotation_id)
    )


def paragraphs_around(
    version: ArticleVersion, start: int, end: int
) -> tuple[list[Sentence], list[Annotation]]:
    """The sentences of every paragraph touching [start, end), and the live annotations that
    overlap them: what must be redrawn after a highlight there changes."""
    touched = Sentence.objects.filter(
        version=version, start__lt=max(end, start + 1), end__gt=start
    ).values("paragraph")
    sentences = list(
        Sentence.objects.filter(version=version, paragraph__in=touched).order_by("index")
    )
    if not sentences:
        return [], []
    low, high = sentences[0].start, sentences[-1].end
    annotations = list(
        Annotation.objects.alive()
        .filter(version=version, start__lt=high, end__gt=low)
        .select_related("rating")
        .order_by("start", "-end", "id")
    )
    return sentences, annotations


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
