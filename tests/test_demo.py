from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from annotations.models import Annotation, Article

pytestmark = pytest.mark.django_db


def test_demo_newsroom_loads_twice_without_copies_and_prints_working_logins(tmp_path) -> None:  # type: ignore[no-untyped-def]
    credentials = tmp_path / "logins.json"
    for _ in range(2):
        out = io.StringIO()
        call_command("load_demo", credentials=str(credentials), stdout=out)
    saved = json.loads(credentials.read_text())
    for username in ("factchecker", "editor", "admin"):
        assert f"username: {username}" in out.getvalue() and saved[username] in out.getvalue()
        assert authenticate(username=username, password=saved[username]) is not None
    assert Article.objects.count() == 2
    assert Annotation.objects.count() == 2
    assert {a.rating.slug for a in Annotation.objects.all()} == {"unproven", "half-true"}
