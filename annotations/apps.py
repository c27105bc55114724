from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = _("Fact-checking desk")

    def ready(self) -> None:
        # The role groups are synced in one place, after every migrate (and every flush,
        # which transactional tests do): a newsroom's groups always match annotations.roles.
        post_migrate.connect(_sync_role_groups, sender=self)


def _sync_role_groups(sender: AppConfig, **kwargs: object) -> None:
    from django.contrib.auth.models import Group, Permission

    from annotations.roles import sync_role_groups

    sync_role_groups(Group, Permission)
