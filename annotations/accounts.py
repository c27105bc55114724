"""Logging in and out (Django's views, with throttling), and the health check."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from annotations import health, permissions


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing for a while after repeated failures for one username
    from one address, so passwords cannot be guessed at speed."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": "Too many failed attempts. Wait a few minutes and try again.",
    }

    def _throttle_key(self) -> str:
        username = (self.data.get("username") or "").strip().lower()
        address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
        # Hashed: a username is whatever the form was sent, of any length and characters.
        digest = hashlib.sha256(f"{address}\n{username}".encode()).hexdigest()
        return f"login-failures:{digest}"

    def clean(self) -> dict[str, Any]:
        key = self._throttle_key()
        if cache.get(key, 0) >= settings.LOGIN_FAILURE_LIMIT:
            raise forms.ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except forms.ValidationError:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW_SECONDS)
            raise


def landing_url(user: Any) -> str:
    """Where a person starts: editors (and admins) on the claims waiting for their review,
    everyone else on the articles."""
    if permissions.is_editor(user):
        return reverse("annotations:review_queue", args=["needs-review"])
    return reverse("annotations:article_list")


class LoginView(auth_views.LoginView):
    """Django's login, landing each role where its work starts (a `next` still wins)."""

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)


login_view = LoginView.as_view(
    authentication_form=ThrottledAuthenticationForm, redirect_authenticated_user=True
)


def home(request: HttpRequest) -> HttpResponse:
    """The site's root: the same landing as after logging in."""
    return HttpResponseRedirect(landing_url(request.user))


logout_view = auth_views.LogoutView.as_view()


def healthz(request: HttpRequest) -> HttpResponse:
    """Each dependency on a line: "database: ok", "broker: DOWN (…)". 503 when one is down."""
    probes = health.report()
    body = "\n".join(probe.line() for probe in probes) + "\n"
    status = 200 if all(probe.ok for probe in probes) else 503
    return HttpResponse(body, content_type="text/plain; charset=utf-8", status=status)


def healthz_web(request: HttpRequest) -> HttpResponse:
    """The web process's own health, for its container: it answers and reaches the database."""
    probe = health.database()
    return HttpResponse(
        probe.line() + "\n", content_type="text/plain", status=200 if probe.ok else 503
    )
