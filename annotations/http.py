from django.contrib.auth.models import User
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """The request our views see: django-htmx's details, and (behind login_required, which
    every view that uses it is) a real user."""

    htmx: HtmxDetails
    user: User  # type: ignore[assignment]
