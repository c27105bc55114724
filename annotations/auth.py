"""Authentication: the user is loaded with their role names and desks, in the statement that
reads the session when there is one (`annotations.sessions`), else in one of its own: no
further query on a request that checks permissions (most of the workspace's)."""

from __future__ import annotations

from contextvars import ContextVar

from django.contrib import auth
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser, Group, User
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from annotations.models import Team

# Raw SQL because it runs on every request: the ORM took three times longer to build an
# aggregate over the groups than PostgreSQL took to answer it. `{source}` is the user table
# (aliased u) or the session table joined to it.
USER_SQL = """
    SELECT {extra}u.*,
      ARRAY(SELECT g.name FROM {user_groups} ug JOIN {group} g ON g.id = ug.group_id
            WHERE ug.user_id = u.id) AS role_names,
      ARRAY(SELECT m.team_id FROM {team_members} m WHERE m.user_id = u.id) AS team_ids
    FROM {source}
    WHERE {where}
"""


def user_sql(*, source: str, where: str, extra: str = "") -> str:
    return USER_SQL.format(
        extra=extra,
        source=source.format(user=User._meta.db_table),
        where=where,
        user_groups=User.groups.through._meta.db_table,
        group=Group._meta.db_table,
        team_members=Team.members.through._meta.db_table,
    )


_USER_BY_ID_SQL = user_sql(source="{user} u", where="u.id = %s")


def with_roles(user: User) -> User:
    """Keep the role names and desk ids read with the user where
    `annotations.permissions` looks for them instead of querying."""
    roles = frozenset(user.role_names)  # type: ignore[attr-defined]
    setattr(user, "_role_names", roles | {"admin"} if user.is_superuser else roles)  # noqa: B010
    setattr(user, "_team_ids", frozenset(user.team_ids))  # type: ignore[attr-defined]  # noqa: B010
    return user


# The user the session store read with this request's session, while `get_user` runs.
_read_with_session: ContextVar[User | None] = ContextVar("read_with_session", default=None)


class RoleAwareModelBackend(ModelBackend):
    def get_user(self, user_id: int | str) -> User | None:  # type: ignore[override]
        user = _read_with_session.get()
        if user is None or str(user.pk) != str(user_id):
            try:
                user = next(iter(User.objects.raw(_USER_BY_ID_SQL, [int(user_id)])), None)
            except (TypeError, ValueError):
                return None
            if user is not None:
                with_roles(user)
        if user is None or not self.user_can_authenticate(user):
            return None
        return user


def get_user(request: HttpRequest) -> User | AnonymousUser:
    """Django's `auth.get_user` (the backend named in the session, the session's password
    hash checked against the user's, a stale session flushed), handed the user that the
    session store read in the statement that loaded the session."""
    session = request.session
    session.get(SESSION_KEY)  # loads the session, and the user with it
    token = _read_with_session.set(getattr(session, "user", None))
    try:
        return auth.get_user(request)
    finally:
        _read_with_session.reset(token)


class SessionUserMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware with `get_user` above: `request.user` costs no
    query of its own."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)

        def user() -> User | AnonymousUser:
            if not hasattr(request, "_cached_user"):
                request._cached_user = get_user(request)  # type: ignore[attr-defined]
            return request._cached_user  # type: ignore[attr-defined]

        request.user = SimpleLazyObject(user)  # type: ignore[assignment]
