"""The public side: published fact-checks, their claims, the Atom feed and ClaimReview.

Everything here reads through `annotations.publishing.selectors`, never touches the session
(no login, no cookies, so shared caches may keep the pages), and answers conditional GETs:
the ETag and Last-Modified come from the public signature (`annotations.publishing.signature`),
which every input of a public page feeds; rendered pages are kept in the cache under it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET

from annotations.ingest.diff import collapse, diff_texts
from annotations.models import Annotation
from annotations.publishing import selectors, signature, standards
from annotations.publishing.highlights import checked_paragraphs
from annotations.workspace import selectors as workspace_selectors


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Conditional GET for a public view, and a mark that lets
    `newsroom.middleware.PublicPageCacheMiddleware` keep the rendered page. The ETag is the
    public signature's (`annotations.publishing.signature`)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        current = getattr(request, "public_signature", None) or signature.current()
        unchanged = signature.not_modified(request, current)
        if unchanged is not None:
            return unchanged
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            signature.public_headers(response, request, current)
            response.public_cacheable = True  # type: ignore[attr-defined]
        return response

    return wrapper


# --- Pages ---------------------------------------------------------------------------------------


@require_GET
@public_page
def check_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    verdict = request.GET.get("verdict", "")[:60]
    outlet = request.GET.get("outlet", "").strip()[:200]
    claims = selectors.claim_search(query=query, verdict=verdict, outlet=outlet)
    page = Paginator(claims, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "annotations/publishing/check_list.html",
        {
            "page": page,
            "query": query,
            "verdict": verdict,
            "outlet": outlet,
            "ratings": workspace_selectors.active_ratings(),
            "outlets": selectors.public_outlets(),
        },
    )


@require_GET
@public_page
def check_article(request: HttpRequest, slug: str) -> HttpResponse:
    found = selectors.article_claims(slug)
    if found is None:
        raise Http404("No published fact-check for this article.")
    article, claims = found
    # The text the verdicts were made on: the version of the latest published claim.
    version = max(claims, key=lambda c: c.published_at or c.updated_at).version
    on_version = {c.pk for c in claims if c.version_id == version.pk}
    rows = [row for row in workspace_selectors.highlight_rows(version) if row.pk in on_version]
    paragraphs, elsewhere = checked_paragraphs(
        workspace_selectors.version_sentences(version), rows, claims
    )
    latest = selectors.latest_version(article)
    return render(
        request,
        "annotations/publishing/check_article.html",
        {
            "article": article,
            "version": version,
            "claims": claims,
            "paragraphs": paragraphs,
            "elsewhere": elsewhere,
            "latest": latest,
            "source_changed": latest is not None and latest.number > version.number,
            "change": selectors.change_after(claims, latest),
            "organisation": standards.organisation(),
        },
    )


@require_GET
@public_page
def check_claim(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    claim = selectors.claim_page(slug, pk)
    if claim is None:
        raise Http404("No published fact-check here.")
    article = claim.version.article
    context: dict[str, Any] = {"claim": claim, "article": article}
    if claim.state == Annotation.State.RETRACTED:
        # Only the notice: the verdict itself is withdrawn.
        context["retraction"] = selectors.retraction_of(claim)
        return render(request, "annotations/publishing/check_retracted.html", context)
    review = standards.claimreview(claim)
    context.update(
        claimreview=review,
        page_url=review["url"],
        organisation=standards.organisation(),
        change=selectors.change_after([claim], selectors.latest_version(article)),
    )
    return render(request, "annotations/publishing/check_claim.html", context)


@require_GET
@public_page
def check_changes(request: HttpRequest, slug: str, old: int, new: int) -> HttpResponse:
    """What the outlet changed between two archived versions of an article we checked."""
    article = selectors.public_article(slug)
    pair = None if article is None or old == new else selectors.public_versions(article, old, new)
    if pair is None:
        raise Http404("No such versions of a published fact-check.")
    diff = diff_texts(pair[0].text, pair[1].text)
    return render(
        request,
        "annotations/publishing/check_changes.html",
        {
            "article": article,
            "old": pair[0],
            "new": pair[1],
            "diff": diff,
            "shown": collapse(diff.paragraphs),
        },
    )


@require_GET
@public_page
def check_source_archive(request: HttpRequest, slug: str, pk: int, source_pk: int) -> HttpResponse:
    """The archived copy of a source, as the desk fetched it."""
    found = selectors.archived_source(slug, pk, source_pk)
    if found is None:
        raise Http404("No archived source here.")
    claim, source = found
    return render(
        request, "annotations/publishing/source_archive.html", {"claim": claim, "source": source}
    )


# --- Feeds ---------------------------------------------------------------------------------------


class ChecksFeed(Feed):
    feed_type = Atom1Feed
    link = "/checks/"

    def title(self) -> str:
        return f"{settings.SITE_NAME}: fact-checks"

    def subtitle(self) -> str:
        return "Verdicts as they are published, corrected or retracted."

    def items(self) -> QuerySet[Annotation]:
        return selectors.published_claims().order_by("-published_at", "-id")[:50]

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
    best = standards.scale_best()
    reviews = [
        standards.claimreview(claim, best)
        for claim in selectors.published_claims()
        .prefetch_related("corrections")
        .order_by("-published_at")
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
