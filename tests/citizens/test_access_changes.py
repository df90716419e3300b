"""No one promotes themselves: who may change whose access in the user admin, and the record.

Only superusers change is_superuser, is_staff and individual permissions; a
City administrator gives and takes away the staff role groups of other
accounts, never their own nor a superuser's; every change of roles, staff
status or department membership is an append-only AccessChange row.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from citizens import services
from citizens.models import AccessChange, User
from citizens.roles import ROLES
from mycity.models import Department
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def change_url(user):
    return reverse("admin:citizens_user_change", args=[user.pk])


def form_data(user, **extra):
    """What the change form sends for `user` (the fields a City administrator can edit)."""
    data = {
        "full_name": user.full_name,
        "display_name": user.display_name,
        "phone": "",
        "preferred_language": user.preferred_language,
        "district": "",
        "is_active": "on",
    }
    data.update(extra)
    return data


def role_group(role):
    return Group.objects.get(name=ROLES[role])


@pytest.fixture
def colleague(db):
    return UserFactory(is_staff=True, email="colleague@example.com", full_name="Іван Колега")


# --- refused: crafted POSTs of a City administrator ---------------------------------------


def test_city_admin_cannot_make_themselves_superuser(client_for, city_admin):
    response = client_for(city_admin).post(
        change_url(city_admin), form_data(city_admin, is_superuser="on")
    )

    assert response.status_code == 403
    city_admin.refresh_from_db()
    assert not city_admin.is_superuser
    assert not AccessChange.objects.exists()


def test_city_admin_cannot_make_someone_else_superuser(client_for, city_admin, colleague):
    response = client_for(city_admin).post(
        change_url(colleague), form_data(colleague, is_superuser="on")
    )

    assert response.status_code == 403
    colleague.refresh_from_db()
    assert not colleague.is_superuser


def test_city_admin_cannot_change_staff_status(client_for, city_admin, resident):
    response = client_for(city_admin).post(change_url(resident), form_data(resident, is_staff="on"))

    assert response.status_code == 403
    resident.refresh_from_db()
    assert not resident.is_staff


def test_city_admin_cannot_grant_individual_permissions(client_for, city_admin, colleague):
    permission = Permission.objects.get(codename="change_user")

    response = client_for(city_admin).post(
        change_url(colleague), form_data(colleague, user_permissions=[permission.pk])
    )

    assert response.status_code == 403
    assert not colleague.user_permissions.exists()


def test_city_admin_cannot_give_a_group_that_is_not_a_staff_role(client_for, city_admin, colleague):
    other = Group.objects.create(name="Root helpers")

    response = client_for(city_admin).post(
        change_url(colleague), form_data(colleague, groups=[other.pk])
    )

    assert response.status_code == 403
    assert not colleague.groups.exists()


def test_city_admin_cannot_change_their_own_roles(client_for, city_admin):
    groups = [role_group("city_admin").pk, role_group("moderator").pk]

    response = client_for(city_admin).post(
        change_url(city_admin), form_data(city_admin, groups=groups)
    )

    assert response.status_code == 403
    assert set(city_admin.groups.values_list("name", flat=True)) == {ROLES["city_admin"]}


def test_city_admin_cannot_change_a_superusers_account(client_for, city_admin, superuser):
    response = client_for(city_admin).post(
        change_url(superuser), form_data(superuser, groups=[role_group("editor").pk])
    )

    assert response.status_code == 403
    assert not superuser.groups.exists()


def test_city_admin_sees_the_access_fields_read_only(client_for, city_admin, colleague):
    form = client_for(city_admin).get(change_url(colleague)).context["adminform"].form

    assert "groups" in form.fields
    assert not {"is_staff", "is_superuser", "user_permissions"} & set(form.fields)
    assert set(form.fields["groups"].queryset.values_list("name", flat=True)) == set(ROLES.values())


def test_city_admin_sees_their_own_groups_read_only(client_for, city_admin):
    form = client_for(city_admin).get(change_url(city_admin)).context["adminform"].form

    assert "groups" not in form.fields


# --- allowed: roles on other accounts, recorded ---------------------------------------


def test_city_admin_gives_a_staff_role_to_a_colleague(client_for, city_admin, colleague):
    response = client_for(city_admin).post(
        change_url(colleague), form_data(colleague, groups=[role_group("editor").pk])
    )

    assert response.status_code == 302
    assert list(colleague.groups.values_list("name", flat=True)) == [ROLES["editor"]]
    record = AccessChange.objects.get()
    assert (record.actor, record.person, record.what) == (city_admin, colleague, "roles")
    assert (record.before, record.after) == ([], [ROLES["editor"]])
    assert record.actor_label == city_admin.email


def test_city_admin_takes_a_staff_role_away(client_for, city_admin, colleague):
    colleague.groups.add(role_group("moderator"))

    client_for(city_admin).post(change_url(colleague), form_data(colleague))

    assert not colleague.groups.exists()
    record = AccessChange.objects.get()
    assert (record.before, record.after) == ([ROLES["moderator"]], [])


def test_city_admin_keeps_the_groups_they_cannot_see(client_for, city_admin, colleague):
    other = Group.objects.create(name="Root helpers")
    colleague.groups.add(other)

    client_for(city_admin).post(
        change_url(colleague), form_data(colleague, groups=[role_group("editor").pk])
    )

    assert set(colleague.groups.values_list("name", flat=True)) == {"Root helpers", "Editor"}


def test_saving_without_a_change_records_nothing(client_for, city_admin, colleague):
    colleague.groups.add(role_group("editor"))

    client_for(city_admin).post(
        change_url(colleague), form_data(colleague, groups=[role_group("editor").pk])
    )

    assert not AccessChange.objects.exists()


def test_superuser_changes_staff_superuser_and_permissions_and_each_is_recorded(
    client_for, superuser, resident
):
    permission = Permission.objects.get(codename="view_user")

    response = client_for(superuser).post(
        change_url(resident),
        form_data(
            resident,
            email=resident.email,
            is_staff="on",
            is_superuser="on",
            user_permissions=[permission.pk],
        ),
    )

    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.is_staff
    assert resident.is_superuser
    assert list(resident.user_permissions.all()) == [permission]
    records = {r.what: (r.before, r.after) for r in AccessChange.objects.all()}
    assert records == {
        "staff": (False, True),
        "superuser": (False, True),
        "permissions": ([], ["citizens.view_user"]),
    }


# --- the service refuses on its own, whatever the caller --------------------------------


def test_service_refuses_superuser_status_from_a_city_admin(city_admin):
    with pytest.raises(services.CitizenError):
        services.user_set_access(user=city_admin, by=city_admin, is_superuser=True)

    city_admin.refresh_from_db()
    assert not city_admin.is_superuser
    assert not AccessChange.objects.exists()


def test_service_refuses_own_roles(city_admin):
    with pytest.raises(services.CitizenError):
        services.user_set_access(
            user=city_admin, by=city_admin, groups=[role_group("city_admin"), role_group("editor")]
        )


def test_service_refuses_a_group_that_is_not_a_role(city_admin, colleague):
    other = Group.objects.create(name="Root helpers")

    with pytest.raises(services.CitizenError):
        services.user_set_access(user=colleague, by=city_admin, groups=[other])

    assert not colleague.groups.exists()


def test_service_refuses_permissions_from_a_city_admin(city_admin, colleague):
    with pytest.raises(services.CitizenError):
        services.user_set_access(
            user=colleague,
            by=city_admin,
            user_permissions=[Permission.objects.get(codename="change_user")],
        )


# --- department membership --------------------------------------------------------------


def test_department_admin_records_members_and_head(client_for, city_admin, colleague):
    department = DepartmentFactory()
    url = reverse("admin:mycity_department_change", args=[department.pk])
    data = {
        "name_uk": department.name_uk,
        "name_en": department.name_en,
        "slug": department.slug,
        "email": "",
        "phone": "",
        "head": colleague.pk,
        "members": [colleague.pk],
        "is_active": "on",
    }

    response = client_for(city_admin).post(url, data)

    assert response.status_code == 302
    department.refresh_from_db()
    assert department.head == colleague
    assert list(department.members.all()) == [colleague]
    records = {(r.what, r.department_id, r.before, r.after) for r in AccessChange.objects.all()}
    assert records == {
        ("department_head", department.pk, False, True),
        ("department_member", department.pk, False, True),
    }
    assert {r.actor for r in AccessChange.objects.all()} == {city_admin}


def test_removing_a_member_is_recorded(city_admin, colleague):
    department = DepartmentFactory()
    services.department_set_staff(department=department, by=None, members=[colleague])

    services.department_set_staff(department=department, by=city_admin, members=[])

    latest = AccessChange.objects.first()
    assert (latest.actor, latest.person, latest.before, latest.after) == (
        city_admin,
        colleague,
        True,
        False,
    )


def test_demo_data_records_its_staff_and_departments(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())

    head = User.objects.get(email="head@demo.mycity.test")
    whats = set(AccessChange.objects.filter(person=head).values_list("what", flat=True))
    assert whats == {"staff", "roles", "department_member", "department_head"}
    assert Department.objects.get(slug="housing").head == head


# --- the record itself -------------------------------------------------------------------


def test_access_changes_are_append_only(colleague):
    record = services.access_change_record(
        actor=None, person=colleague, what="staff", before=False, after=True
    )

    with pytest.raises(ValueError, match="append-only"):
        record.save()
    with pytest.raises(ValueError, match="append-only"):
        record.delete()


def test_superuser_reads_access_changes_in_the_admin(client_for, superuser, colleague):
    services.access_change_record(
        actor=superuser, person=colleague, what="staff", before=False, after=True
    )
    client = client_for(superuser)

    response = client.get(reverse("admin:citizens_accesschange_changelist"))

    assert response.status_code == 200
    assert colleague.email in response.content.decode()


@pytest.mark.parametrize("role", ["superuser", "city_admin", "moderator"])
def test_nobody_adds_changes_or_deletes_access_changes(client_for, request, role, colleague):
    record = services.access_change_record(
        actor=None, person=colleague, what="staff", before=False, after=True
    )
    client = client_for(request.getfixturevalue(role))

    assert client.get(reverse("admin:citizens_accesschange_add")).status_code == 403
    client.post(reverse("admin:citizens_accesschange_change", args=[record.pk]), {"what": "roles"})
    client.post(reverse("admin:citizens_accesschange_delete", args=[record.pk]), {"post": "yes"})

    record.refresh_from_db()
    assert record.what == "staff"


@pytest.mark.parametrize("role", ["city_admin", "moderator"])
def test_only_superusers_read_access_changes(client_for, request, role):
    client = client_for(request.getfixturevalue(role))

    assert client.get(reverse("admin:citizens_accesschange_changelist")).status_code == 403


def test_city_admin_cannot_set_a_superusers_password(client_for, city_admin, superuser):
    url = reverse("admin:auth_user_password_change", args=[superuser.pk])

    response = client_for(city_admin).post(
        url, {"password1": "taken-over-2026!", "password2": "taken-over-2026!"}
    )

    assert response.status_code in (403, 404)
    superuser.refresh_from_db()
    assert not superuser.check_password("taken-over-2026!")


def department_form(department, **extra):
    data = {
        "name_uk": department.name_uk,
        "name_en": department.name_en,
        "slug": department.slug,
        "email": "",
        "phone": "",
        "head": "",
        "members": [],
        "is_active": "on",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("field", ["members", "head"])
def test_city_admin_cannot_put_themselves_into_a_department(client_for, city_admin, field):
    department = DepartmentFactory()
    value = [city_admin.pk] if field == "members" else city_admin.pk

    response = client_for(city_admin).post(
        reverse("admin:mycity_department_change", args=[department.pk]),
        department_form(department, **{field: value}),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    department.refresh_from_db()
    assert department.head is None
    assert not department.members.exists()
    assert not AccessChange.objects.exists()


def test_service_refuses_ones_own_place_in_a_department(city_admin):
    department = DepartmentFactory()

    with pytest.raises(services.CitizenError):
        services.department_set_staff(department=department, by=city_admin, members=[city_admin])

    assert not department.members.exists()


def test_superuser_may_join_a_department(superuser):
    department = DepartmentFactory()

    services.department_set_staff(department=department, by=superuser, head=superuser)

    department.refresh_from_db()
    assert department.head == superuser


def test_city_admin_cannot_change_the_sign_in_address_of_an_account(
    client_for, city_admin, resident
):
    # With the address, a password reset would hand over the account.
    response = client_for(city_admin).post(
        change_url(resident), form_data(resident, email="attacker@example.com")
    )

    assert response.status_code == 403
    resident.refresh_from_db()
    assert resident.email == "resident@example.com"


@pytest.mark.parametrize("whose", ["resident", "moderator"])
def test_city_admin_cannot_set_another_accounts_password(request, client_for, city_admin, whose):
    person = request.getfixturevalue(whose)
    url = reverse("admin:auth_user_password_change", args=[person.pk])

    response = client_for(city_admin).post(
        url, {"password1": "taken-over-2026!", "password2": "taken-over-2026!"}
    )

    assert response.status_code == 403
    person.refresh_from_db()
    assert not person.check_password("taken-over-2026!")


def test_city_admin_still_edits_a_residents_details(client_for, city_admin, resident):
    response = client_for(city_admin).post(
        change_url(resident), form_data(resident, full_name="Оксана Коваленко-Шевчук")
    )

    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.full_name == "Оксана Коваленко-Шевчук"
