"""What every staff page's header needs: what the user may do (from the roles loaded with
the user, so no permission queries) and, lazily, the queue counts and unread notifications."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from annotations import permissions
from annotations.review import selectors as queues


def desk(request: HttpRequest) -> dict[str, object]:
    user = request.user
    return {
        "site_name": settings.SITE_NAME,
        "desk_counts": SimpleLazyObject(
            lambda: queues.counts(user, getattr(request, "desk_signature", None))  # type: ignore[arg-type]
        ),  # type: ignore[arg-type]
        "can_import": SimpleLazyObject(lambda: permissions.can_annotate(user)),
        "can_review": SimpleLazyObject(lambda: permissions.can_review(user)),
    }
