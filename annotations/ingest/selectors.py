"""Reads for import: the article list, an article's versions (and what changed between two),
the desks a user imports for."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Func, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from annotations import permissions
from annotations.models import (
    Article,
    ArticleVersion,
    Comment,
    Placement,
    Team,
    Transition,
)

# The article list's claim counts, in the order of the workflow; a corrected verdict is
# still a published one.
CLAIM_COLUMNS = (
    ("draft", _("draft")),
    ("in_review", _("in review")),
    ("changes_requested", _("changes requested")),
    ("approved", _("approved")),
    ("published", _("published")),
    ("retracted", _("retracted")),
)
_COLUMN_OF_STATE = {state: state for state, _label in CLAIM_COLUMNS} | {"corrected": "published"}


def article_list(user: User | AnonymousUser, *, search: str = "") -> QuerySet[Article]:
    """The articles the user may see, newest first, with their latest version number."""
    latest = ArticleVersion.objects.filter(article=OuterRef("pk")).order_by("-number")
    articles = (
        permissions.visible_articles(user)
        .annotate(
            latest_version=Subquery(latest.values("number")[:1]),
            latest_language=Subquery(latest.values("language")[:1]),
            last_import=Subquery(latest.values("created_at")[:1]),
        )
        .select_related("team")
    )
    search = search.strip()
    if search:
        articles = articles.filter(Q(title__icontains=search) | Q(outlet__icontains=search))
    return articles.order_by("-created_at", "-id")


@dataclass
class ArticleActivity:
    """What the article list says of an article's claims: how many the viewer may see in
    each state (`counts`, in CLAIM_COLUMNS order, zeros left out) and the last thing that
    happened to it."""

    counts: list[tuple[str, str, int]] = field(default_factory=list)
    last_activity: datetime | None = None


def article_activity(
    user: User | AnonymousUser, articles: Iterable[Article]
) -> dict[int, ArticleActivity]:
    """For each article of a page of `article_list`: its claims by state and its last
    activity, in three queries whatever the number of articles.

    Last activity is the latest of: a version imported (the article's newest version), a
    claim created, edited or deleted, a review move (submit, approve, request changes,
    publish, correct, retract...) and a comment, counting only the claims the user may see.
    """
    imported = {a.pk: getattr(a, "last_import", None) for a in articles}
    ids = list(imported)
    if not ids:
        return {}
    seen = permissions.visible_annotations(user).filter(version__article_id__in=ids)
    by_state: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    latest: dict[int, list[datetime]] = {pk: [t] if t else [] for pk, t in imported.items()}
    rows = seen.values_list("version__article_id", "state").annotate(
        n=Count("id"), last=Max("updated_at")
    )
    for article_id, state, n, last in rows.order_by():
        column = _COLUMN_OF_STATE.get(state, state)
        by_state[article_id][column] = by_state[article_id].get(column, 0) + n
        latest[article_id].append(last)
    for model in (Transition, Comment):
        moves = (
            model.objects.filter(annotation__in=seen)
            .values_list("annotation__version__article_id")
            .annotate(last=Max("created_at"))
            .order_by()
        )
        for article_id, last in moves:
            latest[article_id].append(last)
    return {
        pk: ArticleActivity(
            counts=[
                (state, str(label), by_state[pk][state])
                for state, label in CLAIM_COLUMNS
                if by_state[pk].get(state)
            ],
            last_activity=max(latest[pk], default=None),
        )
        for pk in ids
    }


def article_version(article: Article, number: int | None = None) -> ArticleVersion | None:
    versions = article.versions.all()
    if number is not None:
        return versions.filter(number=number).first()
    return versions.order_by("-number").first()


def article_versions(article: Article) -> QuerySet[ArticleVersion]:
    return article.versions.order_by("-number").only("id", "article_id", "number")


class _WordCount(Func):
    """The number of runs of non-space characters, counted by PostgreSQL so that a list of
    versions does not fetch every (300 KB) text to count its words."""

    function = "regexp_count"
    template = "%(function)s(%(expressions)s, '\\S+')"
    output_field = IntegerField()


def version_rows(user: User | AnonymousUser, article: Article) -> QuerySet[ArticleVersion]:
    """Every version of the article, newest first, without its text: who imported it, its
    length in words, and how the claims the user may see were placed on it (`anchored`,
    `changed`, `orphaned`; zero on the versions they were made on)."""
    seen = permissions.annotation_q(user, "placements__annotation__") & Q(
        placements__annotation__deleted_at__isnull=True
    )

    def placed(status: str) -> Count:
        return Count("placements", filter=seen & Q(placements__status=status))

    return (
        article.versions.defer("text")
        .select_related("created_by")
        .annotate(
            words=_WordCount("text"),
            anchored=placed(Placement.Status.ANCHORED),
            changed=placed(Placement.Status.CHANGED),
            orphaned=placed(Placement.Status.ORPHANED),
        )
        .order_by("-number")
    )


def version_numbers(article: Article) -> list[int]:
    """The article's version numbers, oldest first."""
    return list(article.versions.order_by("number").values_list("number", flat=True))


def version_pair(
    article: Article, old: int, new: int
) -> tuple[ArticleVersion, ArticleVersion] | None:
    """Versions `old` and `new` of the article with their texts (one query), or None when
    either does not exist."""
    found = {
        v.number: v
        for v in article.versions.filter(number__in=[old, new]).select_related("created_by")
    }
    if old not in found or new not in found:
        return None
    return found[old], found[new]


def user_teams(user: User | AnonymousUser) -> QuerySet[Team]:
    """The desks the user may import for: their own, every desk for admins."""
    return permissions.visible_teams(user)


def article_head(pk: int) -> Article | None:
    """The few fields the save path needs (one primary-key read): who may annotate, and
    whether the new card's "ready to publish" checklist has the original address (two short
    columns; without them each would be read later, a round trip apiece)."""
    return (
        Article.objects.filter(pk=pk).only("id", "team_id", "title", "canonical_url", "url").first()
    )


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
