"""Who sees and changes what: the one place the rule is decided. Views, selectors, services
and the API ask these functions; nothing else filters by desk or role.

The rule:
- A desk's (`Team`) unpublished work (articles, claims in any state before publication,
  their sources, comments and history, import and coverage jobs) is seen only by the desk's
  members and by admins. Work of no desk is shared by all staff (changed, as everywhere,
  only by people with a role).
- Published work (published, corrected or retracted claims, and the articles they sit on)
  is readable by all staff.
- Changing: fact-checkers change their own drafts (draft, changes requested); editors any
  claim of their desk until it is published (after that only through a correction);
  admins anything; only admins restore deleted claims. Review moves (approve, publish,
  correct, retract, assign) belong to editors of the claim's desk who did not write the
  verdict: see `annotations.review.services`.
- Hidden is hidden: a member of another desk gets 404 for unpublished work, never 403, so
  a URL does not even confirm that the work exists.

Querysets (`visible_*`) are for reads; predicates (`can_*`) for single objects and writes.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Exists, OuterRef, Q, QuerySet

from annotations import roles
from annotations.models import (
    PUBLISHED_STATES,
    Annotation,
    Article,
    CoverageJob,
    ImportJob,
    Notification,
    Source,
    Team,
)

AnyUser = User | AnonymousUser

EDITABLE_BY_AUTHOR = frozenset({Annotation.State.DRAFT, Annotation.State.CHANGES_REQUESTED})
EDITABLE_BY_EDITOR = EDITABLE_BY_AUTHOR | {Annotation.State.IN_REVIEW, Annotation.State.APPROVED}
NOTHING = Q(pk__in=[])
# Always true, and unlike the empty Q() it stays true when OR-ed with another condition.
EVERYTHING = Q(pk__isnull=False)


# --- Roles and desks -----------------------------------------------------------------------


def roles_of(user: AnyUser) -> frozenset[str]:
    """The user's role names, read once per user object (one query, or none when the
    authentication backend loaded them with the user)."""
    if not isinstance(user, User):
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= {roles.ADMIN}
        setattr(user, "_role_names", cached)  # noqa: B010 - an attribute User does not declare
    return cached


def team_ids_of(user: AnyUser) -> frozenset[int]:
    """The desks the user belongs to, read once per user object (one query)."""
    if not isinstance(user, User):
        return frozenset()
    cached: frozenset[int] | None = getattr(user, "_team_ids", None)
    if cached is None:
        cached = frozenset(user.teams.values_list("id", flat=True))
        setattr(user, "_team_ids", cached)  # noqa: B010 - an attribute User does not declare
    return cached


def is_admin(user: AnyUser) -> bool:
    return roles.ADMIN in roles_of(user)


def is_editor(user: AnyUser) -> bool:
    return bool(roles_of(user) & {roles.EDITOR, roles.ADMIN})


def can_annotate(user: AnyUser) -> bool:
    return bool(roles_of(user) & {roles.FACT_CHECKER, roles.EDITOR, roles.ADMIN})


def can_review(user: AnyUser) -> bool:
    """May open the review queues (everyone on a desk; the moves are checked one by one)."""
    return can_annotate(user)


def can_restore_annotation(user: AnyUser) -> bool:
    return is_admin(user)


def in_desk(user: AnyUser, team_id: int | None) -> bool:
    """Whether the user works on this desk: its members and admins (a desk of None is
    shared by all staff). Every write also checks the user's role."""
    if is_admin(user):
        return True
    if team_id is None:
        return user.is_authenticated
    return team_id in team_ids_of(user)


def desk_q(user: AnyUser, team_field: str) -> Q:
    """The condition "belongs to one of the user's desks" on a team field path (every desk
    for admins)."""
    if is_admin(user):
        return EVERYTHING
    if not user.is_authenticated:
        return NOTHING
    return Q(**{f"{team_field}__isnull": True}) | Q(**{f"{team_field}__in": team_ids_of(user)})


def visible_teams(user: AnyUser) -> QuerySet[Team]:
    if is_admin(user):
        return Team.objects.all()
    return Team.objects.filter(pk__in=team_ids_of(user))


# --- Seeing ----------------------------------------------------------------------------------


def annotation_q(user: AnyUser, prefix: str = "") -> Q:
    """The condition "the user may see this claim", on a path to an annotation."""
    if is_admin(user):
        return EVERYTHING
    if not user.is_authenticated:
        return NOTHING
    published = Q(**{f"{prefix}state__in": PUBLISHED_STATES})
    return published | desk_q(user, f"{prefix}version__article__team")


def visible_annotations(user: AnyUser) -> QuerySet[Annotation]:
    """Live claims the user may see: every state on their desks, published work elsewhere."""
    return Annotation.objects.alive().filter(annotation_q(user))


def desk_annotations(user: AnyUser) -> QuerySet[Annotation]:
    """Live claims of the user's desks only (the review queues, counts and dashboard)."""
    return Annotation.objects.alive().filter(desk_q(user, "version__article__team"))


def api_annotations(user: AnyUser) -> QuerySet[Annotation]:
    """What the Web Annotation API serves: to the public, claims shown as verdicts; to staff,
    what they may see anywhere else."""
    if not user.is_authenticated:
        return Annotation.objects.published()
    return visible_annotations(user)


def api_article_annotations(user: AnyUser, article: Article) -> QuerySet[Annotation]:
    """`api_annotations` on one article, with the rule decided once for the article's desk:
    the claims of one article all share its desk, so the query filters by state alone and
    needs no join to the article (the collection's pages read it on every request)."""
    on_article = Annotation.objects.filter(version__article_id=article.pk)
    if not user.is_authenticated:
        return on_article.published()
    if in_desk(user, article.team_id):
        return on_article.alive()
    return on_article.alive().filter(state__in=PUBLISHED_STATES)


def visible_sources(user: AnyUser) -> QuerySet[Source]:
    return Source.objects.filter(annotation__deleted_at__isnull=True).filter(
        annotation_q(user, "annotation__")
    )


def visible_articles(user: AnyUser) -> QuerySet[Article]:
    """Articles of the user's desks, and any article with a published claim."""
    if is_admin(user):
        return Article.objects.all()
    if not user.is_authenticated:
        return Article.objects.none()
    published = Exists(
        Annotation.objects.filter(
            version__article=OuterRef("pk"), state__in=PUBLISHED_STATES, deleted_at__isnull=True
        )
    )
    return Article.objects.filter(desk_q(user, "team") | published)


def desk_articles(user: AnyUser) -> QuerySet[Article]:
    """Articles of the user's desks only (coverage searches, importing into a desk)."""
    return Article.objects.filter(desk_q(user, "team"))


def visible_import_jobs(user: AnyUser) -> QuerySet[ImportJob]:
    """URL imports: the user's own, and those of the user's desks."""
    if is_admin(user):
        return ImportJob.objects.all()
    if not user.is_authenticated:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(Q(created_by=user) | desk_q(user, "team"))


def visible_coverage_jobs(user: AnyUser) -> QuerySet[CoverageJob]:
    """Coverage searches are the desk's working material, never published."""
    return CoverageJob.objects.filter(desk_q(user, "version__article__team"))


def visible_notifications(user: AnyUser) -> QuerySet[Notification]:
    """The user's notifications about claims (or articles) they may still see."""
    if not user.is_authenticated:
        return Notification.objects.none()
    about_claim = Q(annotation__isnull=False) & annotation_q(user, "annotation__")
    about_article = Q(annotation__isnull=True) & desk_q(user, "article__team")
    return Notification.objects.filter(recipient=user).filter(about_claim | about_article)


def can_see_annotation(user: AnyUser, annotation: Annotation) -> bool:
    if annotation.deleted_at is not None or not user.is_authenticated:
        return False
    return annotation.state in PUBLISHED_STATES or in_desk_of(user, annotation)


def in_desk_of(user: AnyUser, annotation: Annotation) -> bool:
    """Whether the user works on the desk the claim's article belongs to."""
    return in_desk(user, annotation.version.article.team_id)


def can_see_article(user: AnyUser, article: Article) -> bool:
    return in_desk(user, article.team_id) or visible_articles(user).filter(pk=article.pk).exists()


def sees_article_whole(user: AnyUser, article: Article) -> bool:
    """Members of the article's desk see all its claims; other staff only published ones."""
    return in_desk(user, article.team_id)


# --- Changing --------------------------------------------------------------------------------


def can_repair(user: AnyUser, annotation: Annotation) -> bool:
    """May settle where a claim sits on a newer version of its article (the repair queue):
    the desk's editors and admins, for any live claim of the desk."""
    return (
        annotation.deleted_at is None
        and user.is_authenticated
        and is_editor(user)
        and in_desk_of(user, annotation)
    )


def can_edit_annotation(user: AnyUser, annotation: Annotation) -> bool:
    if annotation.deleted_at is not None or not user.is_authenticated:
        return False
    if not in_desk_of(user, annotation):
        return False
    if is_editor(user):
        return annotation.state in EDITABLE_BY_EDITOR
    return (
        annotation.author_id == user.pk
        and annotation.state in EDITABLE_BY_AUTHOR
        and roles.FACT_CHECKER in roles_of(user)
    )


def can_annotate_article(user: AnyUser, article: Article) -> bool:
    """May highlight new claims on this article: annotators of its desk."""
    return can_annotate(user) and in_desk(user, article.team_id)
