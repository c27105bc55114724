"""Reads for import: the article list, an article's versions, the desks a user imports for."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import OuterRef, Q, QuerySet, Subquery

from annotations import permissions
from annotations.models import Article, ArticleVersion, Team


def article_list(user: User | AnonymousUser, *, search: str = "") -> QuerySet[Article]:
    """The articles the user may see, newest first, with their latest version number."""
    latest = ArticleVersion.objects.filter(article=OuterRef("pk")).order_by("-number")
    articles = (
        permissions.visible_articles(user)
        .annotate(
            latest_version=Subquery(latest.values("number")[:1]),
        )
        .select_related("team")
    )
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
    return article.versions.order_by("-number").only("id", "article_id", "number")


def user_teams(user: User | AnonymousUser) -> QuerySet[Team]:
    """The desks the user may import for: their own, every desk for admins."""
    return permissions.visible_teams(user)


def article_head(pk: int) -> Article | None:
    """The few fields the save path needs to check who may annotate (one primary-key read)."""
    return Article.objects.filter(pk=pk).only("id", "team_id", "title").first()


def matching_article(
    user: User | AnonymousUser, team: Team | None, *, title: str, url: str = ""
) -> Article | None:
    """An article of the desk that a pasted text seems to be a new version of: the same
    address, or the same headline (ignoring case and spacing). The newest such article."""
    conditions = Q()
    if url:
        conditions |= Q(canonical_url=url) | Q(url=url)
    headline = " ".join(title.split())
    if headline:
        conditions |= Q(title__iexact=headline)
    if not conditions:
        return None
    return (
        permissions.visible_articles(user)
        .filter(team=team)
        .filter(conditions)
        .order_by("-created_at", "-id")
        .first()
    )
