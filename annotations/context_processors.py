"""What every staff page's header shows: the queue counts and unread notifications.
Lazy, so pages that do not draw the header (fragments) pay nothing."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from annotations import queues


def desk(request: HttpRequest) -> dict[str, object]:
    return {"desk_counts": SimpleLazyObject(lambda: queues.counts(request.user))}  # type: ignore[arg-type]
