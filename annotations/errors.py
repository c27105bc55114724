"""The answer to a request Django could not read (handler400): a body too large to buffer,
a malformed multipart body, a suspicious header. And the 404 page under DEBUG.

A person who sent a form from the desk is brought back to the same page with the reason
(the page puts a pasted text back from the tab's session storage, see static/js/app.js);
anyone else gets a short page, or JSON for the API, saying what went wrong.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.exceptions import Resolver404
from django.utils.translation import gettext


def reason(exception: Exception | None) -> str:
    if isinstance(exception, RequestDataTooBig):
        return gettext(
            "What you sent is too large to read. Paste at most %(limit)s characters, "
            "or upload the text as a file."
        ) % {"limit": f"{settings.IMPORT_MAX_TEXT_CHARS:,}"}
    return gettext("The request could not be read. Go back and try again.")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = reason(exception)
    if request.path.startswith("/api/") or request.content_type == "application/json":
        return JsonResponse({"error": message}, status=400)
    user = getattr(request, "user", None)
    if request.method == "POST" and user is not None and user.is_authenticated:
        messages.error(request, message)
        back = HttpResponseRedirect(request.get_full_path())
        back.status_code = 303  # see other: the same page, fetched with GET
        return back
    return render(request, "400.html", {"message": message}, status=400)


# Characters PostgreSQL cannot store in text: NUL, and (from JSON escapes) unpaired halves
# of UTF-16 surrogate pairs.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_field(request: HttpRequest) -> str | None:
    """The name of the first query parameter, form field or JSON member whose name or value
    holds a character the database cannot store, or None. Uploaded files are not looked at
    here: their text is cleaned on import."""
    for name, values in (
        *request.GET.lists(),
        *(request.POST.lists() if request.method == "POST" else ()),
    ):
        if UNSTORABLE.search(name) or any(UNSTORABLE.search(v) for v in values):
            return name
    if request.content_type == "application/json" and request.body:
        try:
            return _unstorable_member(json.loads(request.body), "")
        except (ValueError, RecursionError):
            return None  # malformed, or nested too deep to read: the view says so
    return None


def _unstorable_member(value: object, path: str) -> str | None:
    """The path ("body[0].value") of the first string in parsed JSON that cannot be stored."""
    if isinstance(value, str):
        return (path or "body") if UNSTORABLE.search(value) else None
    if isinstance(value, dict):
        children: list[tuple[str, object]] = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        children = [(f"[{n}]", v) for n, v in enumerate(value)]
    else:
        return None
    for key, item in children:
        where = f"{path}{key}" if key.startswith("[") else f"{path}.{key}" if path else key
        if UNSTORABLE.search(key):
            return where
        found = _unstorable_member(item, where)
        if found:
            return found
    return None


def refuse_unstorable(request: HttpRequest, field: str) -> HttpResponse:
    """400, saying which field held a character that cannot be stored."""
    message = gettext(
        "“%(field)s” contains a character that cannot be stored (a NUL byte or a broken "
        "Unicode character). Remove it and send again; nothing was saved."
    ) % {"field": field}
    if request.path.startswith("/api/") or request.content_type == "application/json":
        return JsonResponse({"error": message, "field": field}, status=400)
    if request.headers.get("HX-Request"):
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    return render(request, "400.html", {"message": message}, status=400)


# --- The 404 page under DEBUG ------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    pattern: str  # "/review/claims/<int:pk>/"
    name: str  # "annotations:review_claim", "" when unnamed


def _routes(
    patterns: Iterable[URLPattern | URLResolver], prefix: str, namespace: str
) -> Iterator[Route]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                # Hundreds of admin pages, one per model: one line says where they are.
                yield Route(route, "admin:index")
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, route, inner)
        else:
            yield Route(route, f"{namespace}{entry.name}" if entry.name else "")


def url_routes() -> list[Route]:
    """Every route of the URL configuration, the included ones with their full path and
    their namespaced name (what `{% url %}` takes)."""
    return list(_routes(get_resolver().url_patterns, "/", ""))


def debug_not_found(request: HttpRequest, exception: Exception | None) -> HttpResponse:
    """The 404 page with what a developer needs, for DEBUG only (see
    newsroom.middleware.DebugNotFoundMiddleware): the public page, then the reason the view
    gave, the view, and the routes, those sharing the address's first segment first.
    Django's own debug page styles itself inline, which our Content-Security-Policy
    forbids, and lists included routes without their prefix's namespace."""
    match = request.resolver_match
    reason = ""
    if exception is not None and not isinstance(exception, Resolver404):
        reason = str(exception)
    routes = url_routes()
    first = request.path.strip("/").split("/", 1)[0]
    near = [r for r in routes if first and r.pattern.strip("/").split("/", 1)[0] == first]
    context = {
        "debug_404": {
            "path": request.path,
            "reason": reason,
            "view": match._func_path if match is not None else "",
            "route": f"/{match.route}" if match is not None else "",
            "segment": f"/{first}/",
            "near": near,
            "routes": routes,
        }
    }
    return render(request, "404_debug.html", context, status=404)
