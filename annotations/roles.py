"""The newsroom's roles as Django groups, and the model permissions each one carries.

Later features add their permissions here. `annotations.apps` syncs the groups after every
`migrate` (Django creates the permissions just before), so a newsroom's groups always match
this table. Finer rules (whose draft, which state) live in
`annotations/permissions.py`.
"""

from __future__ import annotations

FACT_CHECKER = "fact-checker"
EDITOR = "editor"
ADMIN = "admin"

_IMPORT = [
    "annotations.view_article",
    "annotations.add_article",
    "annotations.view_articleversion",
    "annotations.add_articleversion",
    "annotations.view_importjob",
    "annotations.add_importjob",
]
_ANNOTATE = [
    "annotations.view_annotation",
    "annotations.add_annotation",
    "annotations.change_annotation",
    "annotations.view_source",
    "annotations.add_source",
    "annotations.change_source",
    "annotations.delete_source",
    "annotations.view_rating",
    "annotations.view_transition",
    "annotations.view_comment",
    "annotations.add_comment",
    "annotations.view_notification",
]
_EDIT = [
    "annotations.change_article",
    "annotations.view_team",
    "annotations.delete_annotation",
    "annotations.view_correction",
    "annotations.add_correction",
]
_ADMINISTER = [
    "annotations.delete_article",
    "annotations.add_team",
    "annotations.change_team",
    "annotations.delete_team",
    "annotations.add_rating",
    "annotations.change_rating",
    "annotations.delete_rating",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
    "auth.view_group",
]

# Each role has what the one before it has, and more.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    FACT_CHECKER: _IMPORT + _ANNOTATE,
    EDITOR: _IMPORT + _ANNOTATE + _EDIT,
    ADMIN: _IMPORT + _ANNOTATE + _EDIT + _ADMINISTER,
}


def sync_role_groups(group_model, permission_model) -> None:  # type: ignore[no-untyped-def]
    """Create the role groups and give each exactly the permissions listed above.

    Permissions that do not exist yet are skipped; the next migrate syncs again."""
    existing = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in permission_model.objects.values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        group.permissions.set([existing[name] for name in codenames if name in existing])
