"""Logged-in sessions, with the user each belongs to in a column of its own."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models


class DeskSession(AbstractBaseSession):
    """Django's session row plus the user it names (the session's data says the same, but
    signed and encoded where SQL cannot join on it): `annotations.sessions` reads a
    request's session and its user in one statement. Deleting a user ends their sessions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, db_index=True
    )

    @classmethod
    def get_session_store_class(cls) -> type:
        # The engine named in settings (annotations.sessions), found by name: that module
        # builds on the models, so importing it here would tie the two in a circle.
        return import_module(settings.SESSION_ENGINE).SessionStore  # type: ignore[no-any-return]
