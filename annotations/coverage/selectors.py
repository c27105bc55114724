"""Reads for related coverage: the suggested query, the desk's feeds, a job's pages."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q

from annotations.coverage.query import build_query
from annotations.models import Article, ArticleVersion, CoverageFeed, CoverageJob
from annotations.workspace import selectors as workspace_selectors


def suggested_query(version: ArticleVersion) -> str:
    snapshot = workspace_selectors.version_snapshot(version)
    return build_query(
        version.article.title,
        [(s.text, s.score) for s in snapshot.sentences],
        settings.CHECKWORTHY_THRESHOLD,
    )


def team_feeds(version: ArticleVersion) -> list[CoverageFeed]:
    feeds = CoverageFeed.objects.filter(is_active=True)
    return list(feeds.filter(Q(team__isnull=True) | Q(team=version.article.team)))


def recent_jobs(article: Article, limit: int = 5) -> list[CoverageJob]:
    return list(CoverageJob.objects.filter(version__article=article)[:limit])
