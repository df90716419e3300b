"""Staff roles are Django groups with an exact set of permissions.

Each app declares what a role may do in its AppConfig's `role_permissions`
(role key -> ["app_label.codename", ...]); `roles_sync()` makes every group
hold exactly the union of those, so citizens never imports a feature app and
a role's rights are read in one place per app.
"""

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext_lazy as _

# Role key -> group name. Group names are stable identifiers (English);
# the admin shows the translated label next to them.
ROLES = {
    "moderator": "Moderator",
    "department_staff": "Department staff",
    "department_head": "Department head",
    "editor": "Editor",
    "survey_manager": "Survey manager",
    "service_officer": "Service officer",
    "point_operator": "Point operator",
    "city_admin": "City administrator",
}

ROLE_LABELS = {
    "moderator": _("Moderator"),
    "department_staff": _("Department staff"),
    "department_head": _("Department head"),
    "editor": _("Editor"),
    "survey_manager": _("Survey manager"),
    "service_officer": _("Service officer"),
    "point_operator": _("Point operator"),
    "city_admin": _("City administrator"),
}


def role_permissions() -> dict[str, set[str]]:
    """Role key -> the union of permissions every installed app grants it."""
    wanted: dict[str, set[str]] = {key: set() for key in ROLES}
    for config in apps.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            if role not in ROLES:
                raise ValueError(f"{config.label} grants permissions to unknown role {role!r}")
            wanted[role].update(perms)
    return wanted


@transaction.atomic
def roles_sync(*, using: str = "default", strict: bool = True) -> dict[str, int]:
    """Create the role groups and give each exactly its declared permissions.

    Idempotent. With strict=False, permissions not yet created (an app whose
    migrations have not run) are skipped; a later call picks them up.
    """
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    counts = {}
    for key, perms in role_permissions().items():
        group, _created = group_model.objects.using(using).get_or_create(name=ROLES[key])
        found = []
        for dotted in sorted(perms):
            app_label, codename = dotted.split(".", 1)
            perm = (
                permission_model.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if perm is None:
                if strict:
                    raise LookupError(f"Permission {dotted} for role {key} does not exist")
                continue
            found.append(perm)
        group.permissions.set(found)
        counts[key] = len(found)
    return counts


def sync_after_migrate(sender, using="default", **kwargs):
    roles_sync(using=using, strict=False)
