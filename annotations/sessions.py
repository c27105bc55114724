"""The session engine (settings.SESSION_ENGINE): Django's database sessions, read together
with the logged-in user, their roles and their desks in one statement.

Why not a session without the database? Signed-cookie sessions cannot be ended on the
server: a copy of the cookie taken before "Log out" keeps working until it expires. A
session cached per process (local memory) would be ended in one gunicorn worker and live on
in the other. With Redis the session could be cached, but the user row still has to be
read on every request (its password hash ends the sessions of a changed password, and
`is_active`, the roles and the desks must never be stale), so reading both in one
statement costs the same round trip and keeps every guarantee of database sessions:
logging out deletes the row, a password change ends the other sessions, deleting or
deactivating a user ends theirs."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends import db
from django.utils import timezone

from annotations.auth import user_sql, with_roles
from annotations.models import DeskSession

_SESSION_WITH_USER_SQL = user_sql(
    extra="s.session_data AS session_data_, ",
    source=f"{DeskSession._meta.db_table} s LEFT JOIN {{user}} u ON u.id = s.user_id",
    where="s.session_key = %s AND s.expire_date > %s",
)


def _user_id(data: dict[str, Any]) -> int | None:
    try:
        return int(data[SESSION_KEY])
    except (KeyError, TypeError, ValueError):
        return None


class SessionStore(db.SessionStore):
    user: User | None = None  # the logged-in user, read with the session (None: nobody)

    @classmethod
    def get_model_class(cls) -> type[DeskSession]:
        return DeskSession

    def load(self) -> dict[str, Any]:
        self.user = None
        if not self.session_key:
            self._session_key = None
            return {}
        rows = User.objects.raw(_SESSION_WITH_USER_SQL, [self.session_key, timezone.now()])
        row = next(iter(rows), None)
        if row is None:
            self._session_key = None
            return {}
        data = self.decode(row.session_data_)  # type: ignore[attr-defined]  # {} if tampered
        if row.pk is not None:
            self.user = with_roles(row)
        return data

    def create_model_instance(self, data: dict[str, Any]) -> DeskSession:
        session = super().create_model_instance(data)
        assert isinstance(session, DeskSession)  # get_model_class's
        session.user_id = _user_id(data)
        return session

    async def acreate_model_instance(self, data: dict[str, Any]) -> DeskSession:
        session = await super().acreate_model_instance(data)
        assert isinstance(session, DeskSession)
        session.user_id = _user_id(data)
        return session
