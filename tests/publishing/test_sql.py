"""The publishing capability's raw SQL returns what the plain ORM query returns."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Max
from django.utils import timezone

from annotations.models import (
    PUBLISHED_STATES,
    Annotation,
    Article,
    ArticleVersion,
    Correction,
    Rating,
    Source,
)
from annotations.publishing import sql
from tests.factories import TeamFactory, import_text
from tests.sql_fixtures import TEXT, build_desk

pytestmark = pytest.mark.django_db


def _orm_last_public_change():  # type: ignore[no-untyped-def]
    public = Annotation.objects.filter(state__in=PUBLISHED_STATES)
    articles = Article.objects.filter(versions__annotations__in=public).distinct()
    sources = Source.objects.filter(annotation__in=public)
    versions = ArticleVersion.objects.filter(article__in=articles)
    total = (
        public.count()
        + Correction.objects.count()
        + Rating.objects.count()
        + articles.count()
        + sources.count()
        + versions.count()
        + articles.filter(page_status="gone").count()
    )
    candidates = [
        public.aggregate(m=Max("updated_at"))["m"],
        Correction.objects.aggregate(m=Max("created_at"))["m"],
        Rating.objects.aggregate(m=Max("updated_at"))["m"],
        articles.aggregate(m=Max("updated_at"))["m"],
        articles.aggregate(m=Max("page_status_at"))["m"],
        Source.objects.filter(annotation__in=public).aggregate(m=Max("updated_at"))["m"],
        versions.aggregate(m=Max("created_at"))["m"],
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


def test_last_public_change_follows_versions_and_page_status_of_public_articles() -> None:
    team = TeamFactory()
    version, _author, _claims = build_desk(team)
    draft_article, _ = import_text("A draft-only article.\n\nNothing public on it.", team=team)
    before = sql.last_public_change()
    # Nothing public sits on this article: its versions and page are not the public's.
    import_text("A draft-only article.\n\nStill nothing public on it.", team=draft_article.team)
    Article.objects.filter(pk=draft_article.pk).update(page_status="gone")
    assert sql.last_public_change() == before == _orm_last_public_change()
    # A new version of an article with public claims, created without touching the article.
    ArticleVersion.objects.create(
        article=version.article, number=2, text=TEXT + " More.", content_hash="x", source="cli"
    )
    after_version = sql.last_public_change()
    assert after_version[1] == before[1] + 1
    assert after_version == _orm_last_public_change()
    # The outlet removed the page: noticed by the watch, which may leave updated_at alone.
    noticed = timezone.now() + timedelta(minutes=5)
    Article.objects.filter(pk=version.article_id).update(page_status="gone", page_status_at=noticed)
    assert sql.last_public_change() == (noticed, after_version[1] + 1) == _orm_last_public_change()
    # Noticed with a time earlier than the last change: the count still moves.
    Article.objects.filter(pk=version.article_id).update(
        page_status="live", page_status_at=noticed - timedelta(days=30)
    )
    assert sql.last_public_change() == (after_version[0], after_version[1])
    assert sql.last_public_change() == _orm_last_public_change()
