"""The publishing capability's raw SQL returns what the plain ORM query returns."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
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
from annotations.publishing import selectors, sql, standards
from tests.factories import TeamFactory, UserFactory, import_text
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


# --- The Web Annotation collection ------------------------------------------------------------

ODD_TEXT = (
    'The mayor said "fares stay at £3.40" — for now.\n\n'
    "Ticket sales rose 12 percent\tsince spring, a back\\slash report claimed.\n\n"
    "Ridership in 東京 and São Paulo doubled 🚋 overnight, the line\u2028 said."
)


def _odd_claims() -> tuple[Article, list[Annotation]]:
    """Claims with every shape a Web Annotation takes: with and without a verdict, claim,
    rationale and tags; quotes, backslashes, tabs, line separators, emoji and accents in
    every field; authors with a full name, a first name only and none; timestamps with and
    without a fraction of a second; two versions of the article."""
    # The versions are written directly: an import would normalise the odd white space.
    article, _imported = import_text(TEXT, url="https://wire.example/fares")
    first, second = (
        ArticleVersion.objects.create(
            article=article, number=number, text=ODD_TEXT + tail, content_hash=str(number) * 64
        )
        for number, tail in ((2, ""), (3, " Updated."))
    )
    named = UserFactory(first_name="Ana María", last_name="Núñez")
    first_only = UserFactory(first_name="Kai", last_name="")
    unnamed = UserFactory(username="desk-bot", first_name=" ", last_name="")
    ratings = list(Rating.objects.order_by("position"))
    shapes: list[dict[str, Any]] = [
        {"rating": ratings[0], "claim": 'Fares "stay" at £3.40', "author": named},
        {"rationale": 'Line one\nline two\\ with **bold** and "quotes"', "author": first_only},
        {"tags": ['say "when"', "back\\slash", "São Paulo", "🚋"], "author": unnamed},
        {"author": unnamed},  # nothing but the quote: the body is the quoted text
        {"rating": ratings[-1], "claim": "c", "rationale": "r", "tags": ["a"], "author": named},
    ]
    claims = []
    for number, (version, phrase) in enumerate(
        [
            (second, "fares stay"),
            (first, "Ticket sales rose 12 percent\tsince"),
            (first, "back\\slash"),
            (first, "東京 and São Paulo doubled 🚋"),
            (first, "line\u2028 said"),
        ]
    ):
        start = version.text.index(phrase)
        claims.append(
            Annotation.objects.create(
                version=version,
                start=start,
                end=start + len(phrase),
                exact=phrase,
                prefix=version.text[max(0, start - 10) : start],
                suffix=version.text[start + len(phrase) : start + len(phrase) + 10],
                state=Annotation.State.PUBLISHED,
                published_at=timezone.now(),
                **shapes[number],
            )
        )
    whole_second = timezone.now().replace(microsecond=0) - timedelta(days=3)
    Annotation.objects.filter(pk=claims[1].pk).update(
        created_at=whole_second, updated_at=whole_second
    )
    return article, claims


def _python_items(article: Article) -> list[dict[str, Any]]:
    claims = (
        Annotation.objects.published()
        .filter(version__article=article)
        .select_related("rating", "author", "version__article")
        .order_by("version__number", "start", "id")
    )
    return [standards.web_annotation(claim, with_context=False) for claim in claims]


def test_collection_items_written_by_postgresql_match_the_single_annotation() -> None:
    article, claims = _odd_claims()
    items, total = selectors.api_annotation_items(AnonymousUser(), article)
    assert total == len(claims)
    assert [json.loads(item) for item in items] == _python_items(article)
    # Sliced into pages, the same items in the same order, with the whole total.
    pages = [
        selectors.api_annotation_items(AnonymousUser(), article, offset=offset, limit=2)
        for offset in (0, 2, 4, 6)
    ]
    assert [total for _items, total in pages] == [5, 5, 5, 0]
    assert [item for page, _total in pages for item in page] == items


def test_collection_items_follow_the_article_s_address() -> None:
    article, _claims = _odd_claims()
    for canonical, url in (
        ("https://wire.example/canonical", ""),
        ("", ""),
        ("", "https://x.example/a"),
    ):
        Article.objects.filter(pk=article.pk).update(canonical_url=canonical, url=url)
        article.refresh_from_db()
        items, _total = selectors.api_annotation_items(AnonymousUser(), article)
        assert [json.loads(item) for item in items] == _python_items(article)
