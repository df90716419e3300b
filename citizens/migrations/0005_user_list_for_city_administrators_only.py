"""Take the user list (citizens.view_user) out of the staff roles that do not need it.

Roles are installed by citizens.roles.roles_sync after every migrate; this
does the same change to the existing groups at the point of the migration,
so a database is right even before that sync runs.
"""

from django.db import migrations

# citizens.roles.ROLES at the time of this migration.
GROUPS_WITHOUT_USER_LIST = ["Moderator", "Department staff", "Department head", "Service officer"]


def _view_user(apps):
    permission = apps.get_model("auth", "Permission")
    return permission.objects.filter(content_type__app_label="citizens", codename="view_user")


def forward(apps, schema_editor):
    group = apps.get_model("auth", "Group")
    for name in GROUPS_WITHOUT_USER_LIST:
        for found in group.objects.filter(name=name):
            found.permissions.remove(*_view_user(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("citizens", "0004_access_audit"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
