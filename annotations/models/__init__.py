"""The desk's data model, one module per capability; everything is re-exported here so
callers write `from annotations.models import Annotation`. pghistory adds the history
models (`AnnotationEvent`, `SourceEvent`) to this module when it tracks `claims`."""

from annotations.models.articles import Article, ArticleVersion, ImportJob, Sentence
from annotations.models.claims import (
    PUBLIC_STATES,
    PUBLISHED_STATES,
    Annotation,
    AnnotationQuerySet,
    Placement,
    Rating,
    Source,
)
from annotations.models.coverage import CoverageFeed, CoverageJob, CoverageMatch, RelatedArticle
from annotations.models.desks import Team
from annotations.models.review import Comment, Correction, Notification, Transition
from annotations.models.sessions import DeskSession

__all__ = [
    "PUBLIC_STATES",
    "PUBLISHED_STATES",
    "Annotation",
    "AnnotationQuerySet",
    "Article",
    "ArticleVersion",
    "Comment",
    "Correction",
    "CoverageFeed",
    "CoverageJob",
    "CoverageMatch",
    "DeskSession",
    "ImportJob",
    "Notification",
    "Placement",
    "Rating",
    "RelatedArticle",
    "Sentence",
    "Source",
    "Team",
    "Transition",
]
