"""Who may do what. One map, used by views and services alike (never only by templates).

Roles are the groups in `annotations.roles`. The rules:
- reading needs a login;
- fact-checkers, editors and admins may import articles and annotate;
- a fact-checker edits her own annotations while they are drafts (or sent back to her);
- editors and admins edit any annotation until it is published (after that it changes only
  through a correction); only admins restore deleted ones;
- review moves (approve, publish, correct, retract, assign) belong to editors of the
  article's team who did not write the verdict: see `annotations.services.review`.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from annotations import roles
from annotations.models import Annotation

AnyUser = User | AnonymousUser

EDITABLE_BY_AUTHOR = frozenset({Annotation.State.DRAFT, Annotation.State.CHANGES_REQUESTED})
EDITABLE_BY_EDITOR = EDITABLE_BY_AUTHOR | {Annotation.State.IN_REVIEW, Annotation.State.APPROVED}


def roles_of(user: AnyUser) -> frozenset[str]:
    """The user's role names, read once per user object (one query)."""
    if not isinstance(user, User):
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= {roles.ADMIN}
        setattr(user, "_role_names", cached)  # noqa: B010 - an attribute User does not declare
    return cached


def is_editor(user: AnyUser) -> bool:
    return bool(roles_of(user) & {roles.EDITOR, roles.ADMIN})


def can_annotate(user: AnyUser) -> bool:
    return bool(roles_of(user) & {roles.FACT_CHECKER, roles.EDITOR, roles.ADMIN})


def can_edit_annotation(user: AnyUser, annotation: Annotation) -> bool:
    if annotation.deleted_at is not None or not user.is_authenticated:
        return False
    if is_editor(user):
        return annotation.state in EDITABLE_BY_EDITOR
    return (
        annotation.author_id == user.pk
        and annotation.state in EDITABLE_BY_AUTHOR
        and roles.FACT_CHECKER in roles_of(user)
    )


def can_restore_annotation(user: AnyUser) -> bool:
    return roles.ADMIN in roles_of(user)


def team_ids_of(user: AnyUser) -> frozenset[int]:
    """The teams the user belongs to, read once per user object (one query)."""
    if not isinstance(user, User):
        return frozenset()
    cached: frozenset[int] | None = getattr(user, "_team_ids", None)
    if cached is None:
        cached = frozenset(user.teams.values_list("id", flat=True))
        setattr(user, "_team_ids", cached)  # noqa: B010 - an attribute User does not declare
    return cached


def in_team_of(user: AnyUser, annotation: Annotation) -> bool:
    """Whether the user works on the desk the claim's article belongs to. Articles without
    a team belong to every desk; admins belong everywhere."""
    if roles.ADMIN in roles_of(user):
        return True
    team_id = annotation.version.article.team_id
    return team_id is None or team_id in team_ids_of(user)


def can_review(user: AnyUser) -> bool:
    """May open the review queues (everyone on the desk; the moves are checked one by one)."""
    return can_annotate(user)
