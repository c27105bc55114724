"""Reads of the public side. Every one starts from `Annotation.objects.published()` (or,
for a claim's own page, the published states including retracted), so nothing unpublished
can reach a public page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from annotations import permissions
from annotations.models import (
    PUBLISHED_STATES,
    Annotation,
    Article,
    ArticleVersion,
    Correction,
    Source,
)
from annotations.publishing import sql, standards


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
    """One annotation the caller may see, with what its Web Annotation shows: the version's
    text (300 KB on a long article) and the article's held copy are left in the database."""
    return (
        permissions.api_annotations(user)
        .select_related("rating", "author", "version__article")
        .defer("version__text", "version__article__held_text", "rationale_html")
        .filter(pk=pk)
        .first()
    )


def article_by_id(pk: int) -> Article | None:
    """The article a collection is about: what the collection and its annotations show of
    it, and its desk for the permission check."""
    return (
        Article.objects.filter(pk=pk)
        .only("id", "title", "slug", "url", "canonical_url", "team_id")
        .first()
    )


# The collection's reading order across versions.
API_ORDER = ("version__number", "start", "id")


def api_article_annotations(user: User | AnonymousUser, article: Article) -> QuerySet[Annotation]:
    """The annotations of an article the caller may see, in reading order across versions."""
    return permissions.api_article_annotations(user, article).order_by(*API_ORDER)


def api_annotation_count(user: User | AnonymousUser, article: Article) -> int:
    return api_article_annotations(user, article).count()


def api_annotation_items(
    user: User | AnonymousUser, article: Article, *, offset: int = 0, limit: int | None = None
) -> tuple[list[str], int]:
    """A collection page's annotations as Web Annotation JSON text (`limit` from `offset`;
    all of them without a limit) and how many the caller may see in all. One query whatever
    the number: no model objects, no version text; the total is a window count taken before
    the page is cut, the position one keeps the order."""
    visible = api_article_annotations(user, article).annotate(
        api_position=Window(RowNumber(), order_by=[F(field).asc() for field in API_ORDER]),
        api_total=Window(Count("id")),
    )
    page = visible.values_list("id", "api_position", "api_total")
    head, tail = standards.annotation_id_parts()
    return sql.web_annotations(
        page[offset:] if limit is None else page[offset : offset + limit],
        id_head=head,
        id_tail=tail,
        generator=standards.generator(),
        source=standards.target_source(article),
    )
