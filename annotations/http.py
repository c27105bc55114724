from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """The request our views see: django-htmx's details, and (behind login_required, which
    every view that uses it is) a real user."""

    htmx: HtmxDetails
    user: User  # type: ignore[assignment]


def parse_id(value: str | None) -> int | None:
    """A database id from a form or query value, or None: ASCII digits only (str.isdigit
    also accepts "²", which int() refuses) and short enough for an integer column."""
    if value and len(value) <= 9 and value.isascii() and value.isdigit():
        return int(value)
    return None
