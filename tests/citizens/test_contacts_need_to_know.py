"""Residents' contacts are need-to-know: the user list is for superusers and City administrators.

Other staff see a resident's contacts on the page of the case they handle
(tests/appeals/test_author_contacts.py, tests/services/test_applicant_contacts.py);
each display is an append-only ContactDisclosure row that superusers read.
"""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from citizens import services
from citizens.models import ContactDisclosure
from citizens.roles import ROLES
from tests.conftest import _staff
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:citizens_user_changelist")


@pytest.fixture
def department_head(db):
    return _staff("department_head", email="head@example.com")


@pytest.mark.parametrize(
    "role", ["moderator", "department_staff", "department_head", "service_officer"]
)
def test_user_list_is_forbidden_to_staff_roles(request, client_for, role, resident):
    client = client_for(request.getfixturevalue(role))

    assert client.get(CHANGELIST).status_code == 403
    assert client.get(CHANGELIST, {"q": "resident"}).status_code == 403
    assert client.get(reverse("admin:citizens_user_change", args=[resident.pk])).status_code == 403


@pytest.mark.parametrize("role", ["moderator", "department_staff", "service_officer"])
def test_staff_roles_do_not_hold_view_user(request, role):
    user = request.getfixturevalue(role)

    assert not user.has_perm("citizens.view_user")


@pytest.mark.parametrize("role", ["superuser", "city_admin"])
def test_user_list_opens_for_superusers_and_city_administrators(
    request, client_for, role, resident
):
    response = client_for(request.getfixturevalue(role)).get(CHANGELIST, {"q": "resident"})

    assert response.status_code == 200
    assert resident.email in response.content.decode()


def test_migration_takes_the_user_list_out_of_existing_groups(db):
    view_user = Permission.objects.get(codename="view_user", content_type__app_label="citizens")
    # The roles there were when the migration ran; later ones never held the permission.
    then = ("moderator", "department_staff", "department_head", "editor", "survey_manager",
            "service_officer", "city_admin")  # fmt: skip
    for key in then:
        Group.objects.get(name=ROLES[key]).permissions.add(view_user)
    migration = importlib.import_module(
        "citizens.migrations.0005_user_list_for_city_administrators_only"
    )

    migration.forward(apps, None)

    holders = set(Group.objects.filter(permissions=view_user).values_list("name", flat=True))
    assert holders == {ROLES[key] for key in ("city_admin", "editor", "survey_manager")}


def test_head_autocomplete_searches_staff_only(client_for, city_admin, resident):
    staff = UserFactory(is_staff=True, full_name="Шевчукенко Петро", email="petro@example.com")
    resident.full_name = "Шевчукенко Оксана"
    resident.save(update_fields=["full_name"])

    response = client_for(city_admin).get(
        reverse("admin:autocomplete"),
        {
            "term": "Шевчукенко",
            "app_label": "mycity",
            "model_name": "department",
            "field_name": "head",
        },
    )

    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"]]
    assert ids == [str(staff.pk)]


@pytest.mark.parametrize("role", ["moderator", "department_staff", "service_officer"])
def test_head_autocomplete_is_closed_to_staff_without_the_user_list(request, client_for, role):
    response = client_for(request.getfixturevalue(role)).get(
        reverse("admin:autocomplete"),
        {"term": "a", "app_label": "mycity", "model_name": "department", "field_name": "head"},
    )

    assert response.status_code == 403


def test_contacts_disclose_records_who_whose_where(moderator, resident):
    resident.phone = "+380501234567"
    resident.save(update_fields=["phone"])

    contacts = services.contacts_disclose(
        viewer=moderator, person=resident, case="appeals.appeal KH-2026-000001"
    )

    assert (contacts.email, contacts.phone) == (resident.email, "+380501234567")
    record = ContactDisclosure.objects.get()
    assert (record.viewer, record.person, record.case) == (
        moderator,
        resident,
        "appeals.appeal KH-2026-000001",
    )
    assert (record.viewer_label, record.person_label) == (moderator.email, resident.email)
    assert record.created_at is not None


def test_contact_disclosures_are_append_only(moderator, resident):
    services.contacts_disclose(viewer=moderator, person=resident, case="x")
    record = ContactDisclosure.objects.get()

    with pytest.raises(ValueError, match="append-only"):
        record.save()
    with pytest.raises(ValueError, match="append-only"):
        record.delete()


def test_superuser_reads_contact_disclosures(client_for, superuser, moderator, resident):
    services.contacts_disclose(viewer=moderator, person=resident, case="appeals.appeal KH-1")

    response = client_for(superuser).get(reverse("admin:citizens_contactdisclosure_changelist"))

    assert response.status_code == 200
    assert "appeals.appeal KH-1" in response.content.decode()


@pytest.mark.parametrize("role", ["city_admin", "moderator", "service_officer"])
def test_only_superusers_read_contact_disclosures(request, client_for, role):
    client = client_for(request.getfixturevalue(role))

    url = reverse("admin:citizens_contactdisclosure_changelist")
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["superuser", "city_admin"])
def test_nobody_adds_changes_or_deletes_contact_disclosures(
    request, client_for, role, moderator, resident
):
    services.contacts_disclose(viewer=moderator, person=resident, case="x")
    record = ContactDisclosure.objects.get()
    client = client_for(request.getfixturevalue(role))

    assert client.get(reverse("admin:citizens_contactdisclosure_add")).status_code == 403
    client.post(reverse("admin:citizens_contactdisclosure_change", args=[record.pk]), {"case": "y"})
    client.post(
        reverse("admin:citizens_contactdisclosure_delete", args=[record.pk]), {"post": "yes"}
    )

    record.refresh_from_db()
    assert record.case == "x"


def test_department_member_picker_lists_staff_only(client_for, city_admin, resident):
    from tests.factories import DepartmentFactory

    department = DepartmentFactory()

    response = client_for(city_admin).get(
        reverse("admin:mycity_department_change", args=[department.pk])
    )

    members = response.context["adminform"].form.fields["members"].queryset
    assert resident not in members
    assert city_admin in members
