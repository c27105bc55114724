"""Who may do what. One map, used by views and services alike (never only by templates).

Roles are the groups in `annotations.roles`. The rules:
- reading needs a login;
- fact-checkers, editors and admins may import articles and annotate;
- a fact-checker edits her own annotations while they are drafts (or sent back to her);
- editors and admins edit any annotation; only admins restore deleted ones.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from annotations import roles
from annotations.models import Annotation

AnyUser = User | AnonymousUser

EDITABLE_BY_AUTHOR = frozenset({Annotation.State.DRAFT, Annotation.State.CHANGES_REQUESTED})


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
        return True
    return (
        annotation.author_id == user.pk
        and annotation.state in EDITABLE_BY_AUTHOR
        and roles.FACT_CHECKER in roles_of(user)
    )


def can_restore_annotation(user: AnyUser) -> bool:
    return roles.ADMIN in roles_of(user)
