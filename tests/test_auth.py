"""The authentication backend's raw SQL loads the user and the role names the ORM would."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from annotations import permissions, roles
from annotations.auth import RoleAwareModelBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("groups", "superuser"),
    [([], False), ([roles.FACT_CHECKER], False), ([roles.EDITOR, roles.ADMIN], False), ([], True)],
)
def test_backend_loads_the_roles_the_orm_reads(groups: list[str], superuser: bool) -> None:
    user = UserFactory(is_superuser=superuser)
    user.groups.set(Group.objects.filter(name__in=groups))

    loaded = RoleAwareModelBackend().get_user(user.pk)
    fresh = User.objects.get(pk=user.pk)  # no cached roles: permissions reads them itself

    assert loaded is not None and loaded.pk == user.pk and loaded.username == user.username
    assert permissions.roles_of(loaded) == permissions.roles_of(fresh)


def test_backend_refuses_inactive_and_missing_users() -> None:
    inactive = UserFactory(is_active=False)
    assert RoleAwareModelBackend().get_user(inactive.pk) is None
    assert RoleAwareModelBackend().get_user(10**9) is None


def test_backend_loads_the_desks_the_orm_reads() -> None:
    from tests.factories import TeamFactory

    user = UserFactory()
    desks = [
        TeamFactory(name="Desk one", slug="desk-one"),
        TeamFactory(name="Desk two", slug="desk-two"),
    ]
    user.teams.set(desks)
    TeamFactory(name="Other desk", slug="other-desk")

    loaded = RoleAwareModelBackend().get_user(user.pk)
    fresh = User.objects.get(pk=user.pk)

    assert loaded is not None
    assert (
        permissions.team_ids_of(loaded) == permissions.team_ids_of(fresh) == {d.pk for d in desks}
    )
