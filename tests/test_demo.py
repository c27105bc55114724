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


def test_the_demo_shows_an_article_the_outlet_edited(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from annotations.models import ArticleVersion, Placement

    for _ in range(2):
        call_command("load_demo", credentials=str(tmp_path / "logins.json"), stdout=io.StringIO())
    bridge = Article.objects.get(slug__startswith="harbour-bridge")
    assert list(bridge.versions.values_list("number", flat=True).order_by("number")) == [1, 2]
    second = ArticleVersion.objects.get(article=bridge, number=2)
    status = {
        p.annotation.rating.slug: p.status
        for p in Placement.objects.filter(version=second).select_related("annotation__rating")
    }
    assert status == {"half-true": "changed", "unproven": "orphaned"}
