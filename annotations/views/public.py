"""The public side: published fact-checks, their claims, the Atom feed and ClaimReview.

Everything here reads through `Annotation.objects.published()`, never touches the session
(no login, no cookies, so shared caches may keep the pages), and answers conditional GETs:
the ETag and Last-Modified come from the last public change (a publish, correction or
retraction), which is one indexed query; rendered pages are kept in the cache under it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from annotations import selectors, standards
from annotations.highlights import render_text
from annotations.models import Annotation, Article, Correction, Source

READER = None  # render_text without the desk's check-worthiness marks and scores
PUBLIC_STATES_SQL = "('published', 'corrected', 'retracted')"


def last_public_change() -> datetime:
    """When anything the public sees last changed: one query over a partial index."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT greatest(
                    (SELECT max(updated_at) FROM {Annotation._meta.db_table}
                     WHERE state IN {PUBLIC_STATES_SQL}),
                    (SELECT max(created_at) FROM {Correction._meta.db_table}))"""
        )
        (changed,) = cursor.fetchone()
    return changed or datetime(2000, 1, 1, tzinfo=UTC)


def public_etag(changed: datetime, full_path: str) -> str:
    digest = hashlib.sha256(f"{changed.isoformat()}|{full_path}".encode()).hexdigest()[:24]
    return f'"{digest}"'


def not_modified(request: HttpRequest, changed: datetime, etag: str) -> HttpResponse | None:
    """A 304 with the public headers if the caller's copy is current, else None."""
    response = get_conditional_response(request, etag=etag, last_modified=int(changed.timestamp()))
    return None if response is None else public_headers(response, etag, changed)


def public_headers(response: HttpResponse, etag: str, changed: datetime) -> HttpResponse:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(changed.timestamp())
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PUBLIC_MAX_AGE,
        s_maxage=settings.PUBLIC_MAX_AGE,
        stale_while_revalidate=settings.PUBLIC_MAX_AGE,
    )
    return response


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Conditional GET for a public view, and a mark that lets
    `newsroom.middleware.PublicPageCacheMiddleware` keep the rendered page. The ETag changes
    for every page at once when something is published, corrected or retracted."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        changed = getattr(request, "public_changed", None) or last_public_change()
        etag = public_etag(changed, request.get_full_path())
        unchanged = not_modified(request, changed, etag)
        if unchanged is not None:
            return unchanged
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            public_headers(response, etag, changed)
            response.public_cacheable = True  # type: ignore[attr-defined]
        return response

    return wrapper


def _claims() -> QuerySet[Annotation]:
    return Annotation.objects.published().select_related("rating", "author", "version__article")


def _sources() -> Prefetch:
    return Prefetch("sources", queryset=Source.objects.order_by("position", "id"))


# --- Pages ---------------------------------------------------------------------------------------


@require_GET
@public_page
def check_list(request: HttpRequest) -> HttpResponse:
    claims = _claims().order_by("-published_at", "-id")
    query = request.GET.get("q", "").strip()[:200]
    verdict = request.GET.get("verdict", "")
    outlet = request.GET.get("outlet", "").strip()[:200]
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
    page = Paginator(claims, 20).get_page(request.GET.get("page"))
    outlets = (
        Article.objects.filter(versions__annotations__in=Annotation.objects.published())
        .exclude(outlet="")
        .values_list("outlet", flat=True)
        .distinct()
        .order_by("outlet")
    )
    return render(
        request,
        "public/check_list.html",
        {
            "page": page,
            "query": query,
            "verdict": verdict,
            "outlet": outlet,
            "ratings": selectors.active_ratings(),
            "outlets": list(outlets),
        },
    )


def _article_or_404(slug: str) -> tuple[Article, list[Annotation]]:
    article = get_object_or_404(Article, slug=slug)
    claims = list(
        _claims()
        .filter(version__article=article)
        .prefetch_related(_sources(), "corrections")
        .order_by("start", "id")
    )
    if not claims:
        raise Http404("No published fact-check for this article.")
    return article, claims


@require_GET
@public_page
def check_article(request: HttpRequest, slug: str) -> HttpResponse:
    article, claims = _article_or_404(slug)
    # The text the verdicts were made on: the version of the latest published claim.
    version = max(claims, key=lambda c: c.published_at or c.updated_at).version
    on_version = [c for c in claims if c.version_id == version.pk]
    rows = [
        row for row in selectors.highlight_rows(version) if row.pk in {c.pk for c in on_version}
    ]
    newer = article.versions.filter(number__gt=version.number).exists()
    return render(
        request,
        "public/check_article.html",
        {
            "article": article,
            "version": version,
            "claims": claims,
            "text_html": render_text(selectors.version_sentences(version), rows, READER),
            "source_changed": newer,
            "organisation": standards.organisation(),
        },
    )


@require_GET
@public_page
def check_claim(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    claim = (
        Annotation.objects.filter(deleted_at__isnull=True, version__article__slug=slug, pk=pk)
        .filter(state__in=["published", "corrected", "retracted"])
        .select_related("rating", "author", "version__article")
        .prefetch_related(_sources(), "corrections__new_rating", "corrections__previous_rating")
        .first()
    )
    if claim is None:
        raise Http404("No published fact-check here.")
    article = claim.version.article
    context: dict[str, Any] = {"claim": claim, "article": article}
    if claim.state == Annotation.State.RETRACTED:
        # Only the notice: the verdict itself is withdrawn.
        context["retraction"] = claim.corrections.filter(kind="retraction").first()
        return render(request, "public/check_retracted.html", context)
    review = standards.claimreview(claim)
    context.update(
        claimreview=review,
        page_url=review["url"],
        organisation=standards.organisation(),
    )
    return render(request, "public/check_claim.html", context)


@require_GET
@public_page
def check_source_archive(request: HttpRequest, slug: str, pk: int, source_pk: int) -> HttpResponse:
    """The archived copy of a source, as the desk fetched it."""
    claim = get_object_or_404(
        Annotation.objects.published().select_related("version__article"),
        version__article__slug=slug,
        pk=pk,
    )
    source = get_object_or_404(claim.sources, pk=source_pk, archive_status="archived")
    return render(request, "public/source_archive.html", {"claim": claim, "source": source})


# --- Feeds ---------------------------------------------------------------------------------------


class ChecksFeed(Feed):
    feed_type = Atom1Feed
    link = "/checks/"

    def title(self) -> str:
        return f"{settings.SITE_NAME}: fact-checks"

    def subtitle(self) -> str:
        return "Verdicts as they are published, corrected or retracted."

    def items(self) -> QuerySet[Annotation]:
        return _claims().order_by("-published_at", "-id")[:50]

    def item_title(self, item: Annotation) -> str:
        return f"{item.rating.label if item.rating else 'Verdict'}: {item.claim}"

    def item_description(self, item: Annotation) -> str:
        return item.rationale_html or item.exact

    def item_link(self, item: Annotation) -> str:
        return standards.claim_url(item)

    def item_pubdate(self, item: Annotation) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Annotation) -> datetime:
        return item.updated_at

    def item_author_name(self, item: Annotation) -> str:
        return settings.SITE_NAME


checks_feed = require_GET(public_page(ChecksFeed()))


@require_GET
@public_page
def claimreview_feed(request: HttpRequest) -> JsonResponse:
    """Every published claim's ClaimReview, as a schema.org DataFeed."""
    bounds = standards.scale_bounds()
    reviews = [
        standards.claimreview(claim, bounds) for claim in _claims().order_by("-published_at")
    ]
    return JsonResponse(
        {
            "@context": "https://schema.org",
            "@type": "DataFeed",
            "name": f"{settings.SITE_NAME} ClaimReview feed",
            "dateModified": timezone.now().isoformat(),
            "dataFeedElement": reviews,
        },
        json_dumps_params={"ensure_ascii": False},
    )
