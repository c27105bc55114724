"""Shared by the migrations that (re)sync the role groups after adding models."""

from django.contrib.auth.management import create_permissions


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so the
    # groups can reference them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    from annotations.roles import sync_role_groups

    sync_role_groups(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))
