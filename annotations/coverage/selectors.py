"""Reads for related coverage: the suggested query, the desk's feeds, a job's pages."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

from annotations import permissions
from annotations.coverage.matching import OFF_TOPIC_BELOW
from annotations.coverage.query import build_query
from annotations.models import (
    Article,
    ArticleVersion,
    CoverageFeed,
    CoverageJob,
    CoverageMatch,
    RelatedArticle,
)
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


def job_for(user: User | AnonymousUser, pk: int) -> CoverageJob | None:
    """A coverage search of one of the user's desks."""
    return (
        permissions.visible_coverage_jobs(user)
        .select_related("version__article")
        .filter(pk=pk)
        .first()
    )


def job_sources(job: CoverageJob) -> list[RelatedArticle]:
    """What each source brought, for the progress list (without the fetched pages)."""
    return list(
        job.related.only(
            "id", "url", "title", "outlet", "status", "error", "provider", "relevance"
        ).order_by("status", "-relevance", "id")
    )


def extracted_related(job: CoverageJob, pk: int) -> RelatedArticle | None:
    return job.related.filter(pk=pk, status=RelatedArticle.Status.EXTRACTED).first()


def aligned_pairs(job: CoverageJob, related: RelatedArticle) -> list[CoverageMatch]:
    """The claims this related article mentions, with the sentence each lines up with."""
    return list(
        job.matches.filter(related=related)
        .exclude(relation=CoverageMatch.Relation.NOT_MENTIONED)
        .order_by("sentence_index")
    )


@dataclass
class Row:
    key: tuple[int, int | None]
    sentence_index: int
    annotation_id: int | None
    text: str
    cells: list[CoverageMatch | None] = field(default_factory=list)


def matrix(job: CoverageJob) -> tuple[list[RelatedArticle], list[RelatedArticle], list[Row]]:
    """(on-topic articles by relevance, off-topic ones, one row per claim)."""
    related = list(
        job.related.filter(status=RelatedArticle.Status.EXTRACTED).order_by("-relevance", "id")
    )
    on_topic = [r for r in related if r.relevance >= OFF_TOPIC_BELOW]
    off_topic = [r for r in related if r.relevance < OFF_TOPIC_BELOW]
    column = {r.pk: i for i, r in enumerate(on_topic)}
    rows: dict[tuple[int, int | None], Row] = {}
    for m in job.matches.order_by("sentence_index", "annotation_id", "id"):
        key = (m.sentence_index, m.annotation_id)
        row = rows.setdefault(
            key, Row(key, m.sentence_index, m.annotation_id, m.claim_text, [None] * len(on_topic))
        )
        if m.related_id in column:
            row.cells[column[m.related_id]] = m
    # What a column header says of its outlet: how many of the claims it mentions (the
    # relevance score alone means little to a reader).
    for number, outlet in enumerate(on_topic):
        cells = [row.cells[number] for row in rows.values()]
        outlet.mentioned = sum(  # type: ignore[attr-defined]
            1 for cell in cells if cell is not None and cell.relation != "not_mentioned"
        )
    return on_topic, off_topic, list(rows.values())


def job_copies(job: CoverageJob) -> list[RelatedArticle]:
    """Results that are this very article (its address, or its text syndicated elsewhere)."""
    return _set_apart(job, RelatedArticle.Status.COPY)


def job_other_languages(job: CoverageJob) -> list[RelatedArticle]:
    """Results written in another language than this article."""
    return _set_apart(job, RelatedArticle.Status.OTHER_LANGUAGE)


def _set_apart(job: CoverageJob, status: str) -> list[RelatedArticle]:
    """Results listed apart, never as coverage and never compared; each carries the
    reason in `error`."""
    return list(
        job.related.filter(status=status)
        .only("id", "url", "title", "outlet", "error", "provider", "language")
        .order_by("id")
    )
