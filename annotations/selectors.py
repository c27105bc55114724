"""Shared reads. Views and commands use these so query shapes live in one place."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from annotations.models import Article, ArticleVersion, Sentence, Team

ORDER_READING = "reading"
ORDER_CHECKWORTHY = "checkworthy"


def article_list(*, search: str = "") -> QuerySet[Article]:
    latest = ArticleVersion.objects.filter(article=OuterRef("pk")).order_by("-number")
    articles = Article.objects.annotate(
        latest_version=Subquery(latest.values("number")[:1]),
    ).select_related("team")
    search = search.strip()
    if search:
        articles = articles.filter(Q(title__icontains=search) | Q(outlet__icontains=search))
    return articles.order_by("-created_at", "-id")


def article_version(article: Article, number: int | None = None) -> ArticleVersion | None:
    versions = article.versions.all()
    if number is not None:
        return versions.filter(number=number).first()
    return versions.order_by("-number").first()


def article_versions(article: Article) -> QuerySet[ArticleVersion]:
    return (
        article.versions.order_by("-number")
        .annotate(sentence_count=Count("sentences"))
        .defer("text")
    )


def version_sentences(version: ArticleVersion, *, order: str = ORDER_READING) -> list[Sentence]:
    sentences = Sentence.objects.filter(version=version)
    if order == ORDER_CHECKWORTHY:
        return list(sentences.order_by("-score", "index"))
    return list(sentences.order_by("index"))


def checkworthy_count(sentences: list[Sentence]) -> int:
    return sum(1 for sentence in sentences if sentence.score >= settings.CHECKWORTHY_THRESHOLD)


def user_teams(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Team]:
    if not user.is_authenticated:
        return Team.objects.none()
    if user.is_superuser:
        return Team.objects.all()
    return Team.objects.filter(members=user)
