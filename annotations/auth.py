"""Authentication backend that loads a user's role names with the user: one query instead of
two on every request that checks a permission (most of the workspace's)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import User
from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Q


class RoleAwareModelBackend(ModelBackend):
    def get_user(self, user_id: int) -> User | None:  # type: ignore[override]
        user = (
            User.objects.annotate(
                role_names=ArrayAgg("groups__name", filter=Q(groups__isnull=False), default=[])
            )
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        # annotations.permissions.roles_of reads this instead of querying again.
        roles = frozenset(user.role_names)
        setattr(user, "_role_names", roles | {"admin"} if user.is_superuser else roles)  # noqa: B010
        return user
