"""The public pages' signature: the one value every public page's ETag, Last-Modified and
page-cache key come from.

Everything a public page shows feeds it: the published claims' states and content, their
corrections, the rating scale (label, description, value), their articles (title, outlet,
URLs), their sources and archive results (`sql.last_public_change`: the latest change and
how many such rows there are, so a row leaving the set counts too), and the site's
identity settings (`SITE_URL`, `SITE_NAME`, `SITE_LOGO_URL`) and the language the pages are
written in (`DESK_LANGUAGE`). A change to a draft feeds
none of it. `newsroom.middleware.PublicPageCacheMiddleware` and the `public_page` view
decorator both ask this module; nothing else computes a public ETag.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date

from annotations.publishing import sql

NEVER = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Signature:
    changed: datetime  # Last-Modified
    digest: str  # what the ETags are made from

    def etag(self, full_path: str) -> str:
        digest = hashlib.sha256(f"{self.digest}|{full_path}".encode()).hexdigest()[:24]
        return f'"{digest}"'

    def cache_key(self, full_path: str) -> str:
        return f"public-page:{self.etag(full_path).strip(chr(34))}"


def site_identity() -> str:
    # The desk's language too: the public pages are written in it.
    return "|".join(
        (settings.SITE_URL, settings.SITE_NAME, settings.SITE_LOGO_URL, settings.DESK_LANGUAGE)
    )


def current() -> Signature:
    """The signature now: one query, plus the identity settings."""
    changed, rows = sql.last_public_change()
    changed = changed or NEVER
    return Signature(changed, f"{changed.isoformat()}|{rows}|{site_identity()}")


def not_modified(request: HttpRequest, signature: Signature) -> HttpResponse | None:
    """A 304 with the public headers if the caller's copy is current, else None."""
    etag = signature.etag(request.get_full_path())
    response = get_conditional_response(
        request, etag=etag, last_modified=int(signature.changed.timestamp())
    )
    return None if response is None else public_headers(response, request, signature)


def public_headers(
    response: HttpResponse, request: HttpRequest, signature: Signature
) -> HttpResponse:
    response["ETag"] = signature.etag(request.get_full_path())
    response["Last-Modified"] = http_date(signature.changed.timestamp())
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PUBLIC_MAX_AGE,
        s_maxage=settings.PUBLIC_MAX_AGE,
        stale_while_revalidate=settings.PUBLIC_MAX_AGE,
    )
    return response
