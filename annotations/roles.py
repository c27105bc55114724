"""The newsroom's roles as Django groups, and the model permissions each one carries.

Later features add their permissions here; the `0002_roles` migration and the demo command
both call `sync_role_groups`, so a newsroom's groups always match this table.
"""

from __future__ import annotations

FACT_CHECKER = "fact-checker"
EDITOR = "editor"
ADMIN = "admin"

ROLE_PERMISSIONS: dict[str, list[str]] = {
    FACT_CHECKER: [
        "annotations.view_article",
        "annotations.add_article",
        "annotations.view_articleversion",
        "annotations.add_articleversion",
        "annotations.view_importjob",
        "annotations.add_importjob",
    ],
    EDITOR: [
        "annotations.view_article",
        "annotations.add_article",
        "annotations.change_article",
        "annotations.view_articleversion",
        "annotations.add_articleversion",
        "annotations.view_importjob",
        "annotations.add_importjob",
        "annotations.view_team",
    ],
    ADMIN: [
        "annotations.view_article",
        "annotations.add_article",
        "annotations.change_article",
        "annotations.delete_article",
        "annotations.view_articleversion",
        "annotations.add_articleversion",
        "annotations.view_importjob",
        "annotations.add_importjob",
        "annotations.view_team",
        "annotations.add_team",
        "annotations.change_team",
        "annotations.delete_team",
        "auth.view_user",
        "auth.add_user",
        "auth.change_user",
        "auth.view_group",
    ],
}


def sync_role_groups(group_model, permission_model) -> None:  # type: ignore[no-untyped-def]
    """Create the role groups and give each exactly the permissions listed above."""
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permissions.append(
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(permissions)
