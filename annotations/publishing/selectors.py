"""Reads of the public side. Every one starts from `Annotation.objects.published()` (or,
for a claim's own page, the published states including retracted), so nothing unpublished
can reach a public page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from annotations import permissions
from annotations.models import (
    PUBLISHED_STATES,
    Annotation,
    Article,
    ArticleVersion,
    Correction,
    Source,
)


def published_claims() -> QuerySet[Annotation]:
    return Annotation.objects.published().select_related("rating", "author", "version__article")


def _sources() -> Prefetch:
    return Prefetch("sources", queryset=Source.objects.order_by("position", "id"))


def claim_search(*, query: str = "", verdict: str = "", outlet: str = "") -> QuerySet[Annotation]:
    claims = published_claims().order_by("-published_at", "-id")
    if query:
        claims = claims.filter(
            Q(claim__icontains=query)
            | Q(claimant__icontains=query)
            | Q(version__article__title__icontains=query)
        )
    if verdict:
        claims = claims.filter(rating__slug=verdict)
    if outlet:
        claims = claims.filter(version__article__outlet=outlet)
    return claims


def public_outlets() -> list[str]:
    """The outlets of articles with a published claim, for the list's filter."""
    return list(
        Article.objects.filter(versions__annotations__in=Annotation.objects.published())
        .exclude(outlet="")
        .values_list("outlet", flat=True)
        .distinct()
        .order_by("outlet")
    )


def article_claims(slug: str) -> tuple[Article, list[Annotation]] | None:
    """The article and its published claims with their sources and corrections."""
    article = Article.objects.filter(slug=slug).first()
    if article is None:
        return None
    claims = list(
        published_claims()
        .filter(version__article=article)
        .prefetch_related(_sources(), "corrections")
        .order_by("start", "id")
    )
    return (article, claims) if claims else None


# --- The outlet's changes -----------------------------------------------------------------------


def latest_version(article: Article) -> ArticleVersion | None:
    """The article's newest version, without its text."""
    return (
        article.versions.order_by("-number")
        .only("id", "article_id", "number", "created_at")
        .first()
    )


@dataclass(frozen=True)
class ChangeNote:
    """The outlet changed the article after verdicts on it were published: when (the newest
    version's import), which verdicts, and the public diff's two versions."""

    changed_at: datetime
    from_number: int  # the version the earliest of those verdicts was made on
    to_number: int  # the newest
    claims: int  # how many of the verdicts were published before the change
    of: int  # out of how many


def _published_at(claim: Annotation) -> datetime:
    return claim.published_at or claim.state_changed_at


def change_after(claims: list[Annotation], latest: ArticleVersion | None) -> ChangeNote | None:
    """Whether the article has a version imported after any of `claims` was published."""
    if latest is None:
        return None
    before = [
        c
        for c in claims
        if _published_at(c) < latest.created_at and c.version.number < latest.number
    ]
    if not before:
        return None
    first = min(before, key=lambda c: c.version.number)
    return ChangeNote(
        latest.created_at, first.version.number, latest.number, len(before), len(claims)
    )


def public_article(slug: str) -> Article | None:
    """The article, if at least one claim on it is shown to the public as a verdict."""
    shown = Annotation.objects.published().filter(version__article=OuterRef("pk"))
    return Article.objects.filter(slug=slug).filter(Exists(shown)).first()


def public_versions(
    article: Article, old: int, new: int
) -> tuple[ArticleVersion, ArticleVersion] | None:
    """Two archived versions of a public article, with their texts; None unless both exist."""
    found = {
        v.number: v
        for v in article.versions.filter(number__in=[old, new]).only(
            "id", "article_id", "number", "text", "created_at"
        )
    }
    if old not in found or new not in found:
        return None
    return found[old], found[new]


def claim_page(slug: str, pk: int) -> Annotation | None:
    """One claim as its page shows it: published, corrected, or retracted (the notice)."""
    return (
        Annotation.objects.filter(
            deleted_at__isnull=True, version__article__slug=slug, pk=pk, state__in=PUBLISHED_STATES
        )
        .select_related("rating", "author", "version__article")
        .prefetch_related(_sources(), "corrections__new_rating", "corrections__previous_rating")
        .first()
    )


def archived_source(slug: str, pk: int, source_pk: int) -> tuple[Annotation, Source] | None:
    claim = (
        Annotation.objects.published()
        .select_related("version__article")
        .filter(version__article__slug=slug, pk=pk)
        .first()
    )
    if claim is None:
        return None
    source = claim.sources.filter(
        pk=source_pk, archive_status=Source.ArchiveStatus.ARCHIVED
    ).first()
    return None if source is None else (claim, source)


def retraction_of(claim: Annotation) -> Correction | None:
    return claim.corrections.filter(kind=Correction.Kind.RETRACTION).first()


# --- The Web Annotation API --------------------------------------------------------------------


def api_annotation(user: User | AnonymousUser, pk: int) -> Annotation | None:
    return (
        permissions.api_annotations(user)
        .select_related("rating", "author", "version__article")
        .filter(pk=pk)
        .first()
    )


def article_by_id(pk: int) -> Article | None:
    return Article.objects.filter(pk=pk).first()


def api_article_annotations(user: User | AnonymousUser, article: Article) -> QuerySet[Annotation]:
    """The annotations of an article the caller may see, in reading order across versions."""
    return (
        permissions.api_annotations(user)
        .filter(version__article=article)
        .select_related("rating", "author", "version__article")
        .order_by("version__number", "start", "id")
    )
