import time
from collections.abc import Callable

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotModified,
)
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ContentSecurityPolicyMiddleware:
    """Adds the CSP header from settings (Django 5.2 has no built-in CSP; 6.0 does)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = (
            settings.ADMIN_CONTENT_SECURITY_POLICY
            if request.path.startswith("/admin/")
            else settings.CONTENT_SECURITY_POLICY
        )
        if policy:
            response.headers.setdefault("Content-Security-Policy", policy)
        return response


class DebugNotFoundMiddleware:
    """Under DEBUG, a 404 answers with our own page plus what a developer needs (see
    annotations.errors.debug_not_found) instead of Django's technical page, which our
    Content-Security-Policy leaves unstyled. Innermost, so the CSP middleware still
    sees the page; without DEBUG it does nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None  # no route: no view ran
        ):
            from annotations.errors import debug_not_found

            return debug_not_found(request, None)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exception, Http404):
            from annotations.errors import debug_not_found

            return debug_not_found(request, exception)
        return None


class ServerTimingMiddleware:
    """`Server-Timing: app;dur=<ms>, cpu;dur=<ms>` on every response: the time spent in
    Django and the CPU part of it, which browser dev tools show and the benchmarks read.
    Outermost, so it times everything."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started, cpu_started = time.perf_counter(), time.thread_time()
        response = self.get_response(request)
        wall = (time.perf_counter() - started) * 1000
        cpu = (time.thread_time() - cpu_started) * 1000
        # "app" is wall time in Django; "cpu" the part of it this thread spent computing.
        response.headers["Server-Timing"] = f"app;dur={wall:.2f}, cpu;dur={cpu:.2f}"
        return response


class QueuePollMiddleware:
    """Answers an unchanged review-queue poll with 304 Not Modified before sessions,
    authentication or views run: one indexed query and an HMAC.

    The queue fragment's ETag (annotations.queues.poll_etag) is bound to the session cookie
    that fetched it, so only that session can get a 304, and a 304 reveals nothing. Any
    other request (no ETag, a different one, a change since) goes on to the view, which
    checks the login as usual."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        if (
            request.method == "GET"
            and "HTTP_IF_NONE_MATCH" in meta
            and "HTTP_HX_REQUEST" in meta
            and request.path.startswith("/review/")
        ):
            session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            if session_key:
                from annotations.review import selectors as queues

                etag = queues.poll_etag(
                    queues.change_signature(), session_key, request.get_full_path()
                )
                if meta["HTTP_IF_NONE_MATCH"] == etag:
                    response = HttpResponseNotModified()
                    response["ETag"] = etag
                    return response
        return self.get_response(request)


class PublicPageCacheMiddleware:
    """Serves the public pages (/checks/, /api/claimreview.json) from the cache, before the
    rest of the middleware runs: one query for the public signature
    (`annotations.publishing.signature`) and one cache read. The key carries the signature, so
    any change to what a public page shows makes every cached page stale at once; nothing is
    ever purged by hand.

    Only responses the public views mark as cacheable are stored, with the headers the
    other middleware added (CSP, frame and content-type options)."""

    PREFIXES = ("/checks/", "/api/claimreview.json")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or not request.path.startswith(self.PREFIXES):
            return self.get_response(request)
        from django.core.cache import cache

        from annotations.publishing import signature

        current = signature.current()
        request.public_signature = current  # type: ignore[attr-defined]
        unchanged = signature.not_modified(request, current)
        if unchanged is not None:
            return unchanged
        key = current.cache_key(request.get_full_path())
        cached = cache.get(key)
        if cached is not None:
            content, headers = cached
            response = HttpResponse(content)
            for name, value in headers:
                response[name] = value
            return response
        response = self.get_response(request)
        if response.status_code == 200 and getattr(response, "public_cacheable", False):
            cache.set(key, (response.content, list(response.items())), timeout=3600)
        return response


class UnstorableInputMiddleware:
    """Refuses at the edge, with a message naming the field, a request whose query, form or
    JSON body carries a character PostgreSQL cannot store (NUL, an unpaired surrogate):
    otherwise the database raises mid-view, or a streamed CSV export stops half-way.
    Sits after the session, authentication and messages middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from annotations import errors

        field = errors.unstorable_field(request)
        if field is not None:
            return errors.refuse_unstorable(request, field)
        return self.get_response(request)


class DeskLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware for staff pages (the language chosen with the header's
    switch, kept in a cookie, else the browser's, else the desk's); the public pages and the
    API always speak the desk's language (settings.DESK_LANGUAGE), so a reader's browser does
    not change what a public address says and one cached copy serves every reader."""

    PUBLIC_PREFIXES = ("/checks/", "/api/")

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(self.PUBLIC_PREFIXES):
            translation.activate(settings.DESK_LANGUAGE)
            request.LANGUAGE_CODE = settings.DESK_LANGUAGE
            return
        super().process_request(request)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if request.path.startswith(self.PUBLIC_PREFIXES):
            # No "Vary: Accept-Language": the answer does not depend on it.
            response.headers.setdefault("Content-Language", settings.DESK_LANGUAGE)
            return response
        return super().process_response(request, response)
