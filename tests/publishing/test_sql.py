"""The publishing capability's raw SQL returns what the plain ORM query returns."""

from __future__ import annotations

import pytest
from django.db.models import Max

from annotations.models import (
    PUBLISHED_STATES,
    Annotation,
    Article,
    Correction,
    Rating,
    Source,
)
from annotations.publishing import sql
from tests.factories import TeamFactory
from tests.sql_fixtures import build_desk

pytestmark = pytest.mark.django_db


def _orm_last_public_change():  # type: ignore[no-untyped-def]
    public = Annotation.objects.filter(state__in=PUBLISHED_STATES)
    articles = Article.objects.filter(versions__annotations__in=public).distinct()
    sources = Source.objects.filter(annotation__in=public)
    total = (
        public.count()
        + Correction.objects.count()
        + Rating.objects.count()
        + articles.count()
        + sources.count()
    )
    candidates = [
        public.aggregate(m=Max("updated_at"))["m"],
        Correction.objects.aggregate(m=Max("created_at"))["m"],
        Rating.objects.aggregate(m=Max("updated_at"))["m"],
        Article.objects.filter(versions__annotations__in=public).aggregate(m=Max("updated_at"))[
            "m"
        ],
        Source.objects.filter(annotation__in=public).aggregate(m=Max("updated_at"))["m"],
    ]
    present = [value for value in candidates if value is not None]
    return (max(present) if present else None), total


def test_last_public_change_matches_the_orm() -> None:
    build_desk(TeamFactory())
    assert sql.last_public_change() == _orm_last_public_change()


def test_last_public_change_ignores_drafts_sources_and_articles() -> None:
    version, _author, claims = build_desk(TeamFactory())
    before = sql.last_public_change()
    draft = next(c for c in claims if c.state == Annotation.State.DRAFT)
    Source.objects.create(annotation=draft, url="https://example.org/later")
    Annotation.objects.filter(pk=draft.pk).update(claim="edited")
    assert sql.last_public_change() == before == _orm_last_public_change()


def test_last_public_change_is_none_on_an_empty_desk() -> None:
    Rating.objects.all().delete()
    assert sql.last_public_change() == (None, 0) == _orm_last_public_change()


def test_the_installed_function_runs_the_statement_of_this_code() -> None:
    """A change to the statement without a migration that re-creates the function fails here."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = %s", [sql.FUNCTION])
        (source,) = cursor.fetchone()
    assert sql._last_public_change_sql().strip() in source
