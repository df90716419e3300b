"""Staff roles are groups holding exactly the permissions the apps declare."""

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from citizens.roles import ROLES, role_permissions, roles_sync

pytestmark = pytest.mark.django_db

GROUP_NAMES = [
    "Moderator",
    "Department staff",
    "Department head",
    "Editor",
    "Survey manager",
    "Service officer",
    "Point operator",
    "City administrator",
]


def group_permissions(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def declared(role: str) -> set[str]:
    """What the installed apps declare for `role` on their AppConfig."""
    return {
        perm
        for config in apps.get_app_configs()
        for perm in getattr(config, "role_permissions", {}).get(role, [])
    }


def test_the_role_groups_exist_after_migrations():
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(GROUP_NAMES)
    assert sorted(ROLES.values()) == sorted(GROUP_NAMES)


@pytest.mark.parametrize("role", list(ROLES))
def test_role_group_holds_exactly_the_declared_permissions(role):
    assert group_permissions(ROLES[role]) == declared(role)


@pytest.mark.parametrize("role", list(ROLES))
def test_citizens_declarations_are_part_of_each_role(role):
    from citizens.apps import CitizensConfig

    assert set(CitizensConfig.role_permissions.get(role, [])) <= group_permissions(ROLES[role])


def test_every_declared_permission_exists():
    for role, perms in role_permissions().items():
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            assert Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).exists(), f"{role}: {dotted}"


def test_roles_sync_is_idempotent():
    before = {name: group_permissions(name) for name in GROUP_NAMES}

    first = roles_sync()
    second = roles_sync()

    assert first == second
    assert Group.objects.count() == len(GROUP_NAMES)
    assert {name: group_permissions(name) for name in GROUP_NAMES} == before


def test_roles_sync_counts_the_permissions_of_each_role():
    assert roles_sync() == {role: len(declared(role)) for role in ROLES}


def test_roles_sync_resets_a_group_changed_by_hand():
    group = Group.objects.get(name="Moderator")
    group.permissions.add(Permission.objects.get(codename="delete_user"))
    group.permissions.remove(Permission.objects.get(codename="view_user"))

    roles_sync()

    assert group_permissions("Moderator") == declared("moderator")


def test_roles_sync_recreates_a_deleted_group():
    Group.objects.filter(name="City administrator").delete()

    roles_sync()

    assert group_permissions("City administrator") == declared("city_admin")


def test_roles_sync_keeps_the_members_of_a_group(moderator):
    roles_sync()

    assert moderator.groups.filter(name="Moderator").exists()


def test_roles_sync_refuses_a_permission_that_does_not_exist(monkeypatch):
    config = apps.get_app_config("citizens")
    monkeypatch.setattr(
        config, "role_permissions", {**config.role_permissions, "editor": ["citizens.fly"]}
    )

    with pytest.raises(LookupError, match=r"citizens\.fly"):
        roles_sync()


def test_roles_sync_skips_missing_permissions_when_not_strict(monkeypatch):
    granted = roles_sync()["editor"]
    config = apps.get_app_config("citizens")
    monkeypatch.setattr(
        config, "role_permissions", {**config.role_permissions, "editor": ["citizens.fly"]}
    )

    assert roles_sync(strict=False)["editor"] == granted


def test_sync_roles_command_restores_the_groups(capsys):
    Group.objects.get(name="Service officer").permissions.clear()

    call_command("sync_roles")

    assert group_permissions("Service officer") == declared("service_officer")
    out = capsys.readouterr().out
    for name in GROUP_NAMES:
        assert name in out


def test_role_permissions_refuses_an_unknown_role(monkeypatch):
    config = apps.get_app_config("citizens")
    monkeypatch.setattr(config, "role_permissions", {"janitor": ["citizens.view_user"]})

    with pytest.raises(ValueError, match="janitor"):
        role_permissions()
