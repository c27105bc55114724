"""The machine side: W3C Web Annotation JSON-LD for each annotation and per article.

Anonymous callers see published annotations only; members of the desk (a logged-in session)
also see the drafts of their teams. Updates need the ETag of what the caller read, in
If-Match: a stale one is answered 412 and nothing changes.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from annotations import permissions
from annotations.models import Annotation
from annotations.publishing import selectors, standards
from annotations.workspace import selectors as workspace_selectors
from annotations.workspace import services


def _jsonld(data: dict[str, Any] | str, request: HttpRequest, status: int = 200) -> HttpResponse:
    """JSON-LD with the Web Annotation profile, or plain JSON when that is all the caller
    accepts. `data` is a dictionary, or JSON text already written."""
    accept = request.headers.get("Accept", "")
    plain = "application/json" in accept and "application/ld+json" not in accept
    content_type = "application/json" if plain else standards.ANNO_CONTENT_TYPE
    response: HttpResponse
    if isinstance(data, str):
        response = HttpResponse(data, status=status, content_type=content_type)
    else:
        response = JsonResponse(
            data,
            status=status,
            content_type=content_type,
            json_dumps_params={"ensure_ascii": False},
        )
    response["Vary"] = "Accept, Cookie"
    return response


def _matches(header: str, etag: str) -> bool:
    """An If-Match / If-None-Match header names this representation (a list, or *)."""
    tags = parse_etags(header)
    return "*" in tags or etag in tags or etag in (t.removeprefix("W/") for t in tags)


def _problem(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


# The form's limits, by the Web Annotation purpose that carries each field.
API_LIMITS = {
    "describing": services.MAX_CLAIM_CHARS,
    "commenting": services.MAX_RATIONALE_CHARS,
    "tagging": services.MAX_TAG_CHARS,
}


@require_http_methods(["GET", "HEAD", "PUT"])
def api_annotation(request: HttpRequest, pk: int) -> HttpResponse:
    annotation = selectors.api_annotation(request.user, pk)
    if annotation is None:
        raise Http404("No such annotation.")
    data = standards.web_annotation(annotation)
    etag = standards.annotation_etag(annotation, data)
    if request.method == "PUT":
        return _update(request, annotation, etag)
    if _matches(request.headers.get("If-None-Match", ""), etag):
        response: HttpResponse = HttpResponseNotModified()
        response["Vary"] = "Accept, Cookie"
    else:
        response = _jsonld(data, request)
    response["ETag"] = etag
    response["Allow"] = "GET, HEAD, PUT"
    return response


def _update(request: HttpRequest, annotation: Annotation, etag: str) -> HttpResponse:
    """Replace the verdict, summary, rationale and tags from a Web Annotation body.
    Selectors cannot change (the quote is anchored to an immutable text)."""
    if not request.user.is_authenticated:
        return _problem("Log in to update annotations.", 401)
    if not permissions.can_edit_annotation(request.user, annotation):
        raise PermissionDenied("You cannot edit this annotation.")
    if_match = request.headers.get("If-Match")
    if not if_match:
        return _problem("Send the ETag you read in If-Match.", 428)
    if not _matches(if_match, etag):
        return _problem("The annotation changed since you read it; read it again.", 412)
    try:
        data = json.loads(request.body)
        bodies = data.get("body", [])
        bodies = bodies if isinstance(bodies, list) else [bodies]
        by_purpose: dict[str, list[str]] = {}
        for body in bodies:
            if isinstance(body, dict) and isinstance(body.get("value"), str):
                by_purpose.setdefault(str(body.get("purpose", "")), []).append(body["value"])
    except (ValueError, AttributeError, RecursionError):
        return _problem("The body must be a Web Annotation in JSON.", 400)
    for purpose, limit in API_LIMITS.items():
        for value in by_purpose.get(purpose, []):
            if len(value) > limit:
                return _problem(
                    f"The body with purpose “{purpose}” is {len(value):,} characters; "
                    f"the limit is {limit:,}. Nothing was changed.",
                    400,
                )
    ratings = {r.label.lower(): r for r in workspace_selectors.ratings_by_slug().values()}
    verdict = (by_purpose.get("assessing") or [""])[0]
    if verdict and verdict.lower() not in ratings:
        return _problem(f"Unknown verdict “{verdict}”: use a label from the scale.", 400)
    try:
        updated = services.annotation_update(
            annotation_id=annotation.pk,
            editor=request.user,  # type: ignore[arg-type]
            revision=annotation.revision,
            data=services.AnnotationInput(
                rating=ratings.get(verdict.lower()) if verdict else annotation.rating,
                claim=(by_purpose.get("describing") or [annotation.claim])[0],
                claimant=annotation.claimant,
                rationale=(by_purpose.get("commenting") or [annotation.rationale])[0],
                tags=by_purpose.get("tagging", annotation.tags),
            ),
        )
    except services.AnnotationConflict:
        return _problem("The annotation changed since you read it; read it again.", 412)
    except services.AnnotationError as exc:
        return _problem(str(exc), 400)
    data = standards.web_annotation(updated)
    response = _jsonld(data, request)
    response["ETag"] = standards.annotation_etag(updated, data)
    return response


# A page number whose offset PostgreSQL could not even take (bigint) is no page either.
MAX_PAGE = 10**9


def _conditional(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """ETag and If-None-Match for a collection or page: 304 when the caller has this one."""
    etag = standards.collection_etag(response.content)
    if _matches(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponseNotModified()
        response["Vary"] = "Accept, Cookie"
    response["ETag"] = etag
    return response


@require_GET
def api_article_annotations(request: HttpRequest, pk: int) -> HttpResponse:
    """An AnnotationCollection; `?page=N` gives its AnnotationPages of 50, and `?page=all`
    (logged-in staff) one page with every annotation the caller may see. One query for a
    page's rows and the total, whatever their number."""
    article = selectors.article_by_id(pk)
    if article is None:
        raise Http404("No such article.")
    user, path = request.user, request.path
    page = request.GET.get("page")
    if page is None:
        total = selectors.api_annotation_count(user, article)
        if total == 0 and not permissions.can_see_article(user, article):
            raise Http404("No annotations you may see on this article.")
        return _conditional(request, _jsonld(standards.collection(article, total, path), request))
    number: int | None = None
    if page == standards.ALL_PAGE:
        if not user.is_authenticated:
            return _problem(
                _("Log in to read every annotation at once, or read the pages from page=0."), 401
            )
        items, total = selectors.api_annotation_items(user, article)
    elif page.isascii() and page.isdigit():
        number = int(page)
        if number >= MAX_PAGE:
            raise Http404("No such page.")
        size = standards.ANNO_PAGE_SIZE
        items, total = selectors.api_annotation_items(
            user, article, offset=number * size, limit=size
        )
    else:
        return _problem(_("page must be a number from 0, or “all”."), 400)
    if total == 0 and not permissions.can_see_article(user, article):
        raise Http404("No annotations you may see on this article.")
    if number is not None and not items and number > 0:
        raise Http404("No such page.")
    text = standards.collection_page(article, items, path, number, total)
    return _conditional(request, _jsonld(text, request))
