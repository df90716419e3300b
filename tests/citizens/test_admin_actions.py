"""The people admin: resident verification actions and creating accounts."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from citizens.models import User
from tests.factories import UserFactory, enable_mfa

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:citizens_user_changelist")


def run_action(client, action, users):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [u.pk for u in users], "index": 0},
    )


@pytest.mark.parametrize("role", ["superuser", "city_admin"])
def test_verify_residents_action_records_who_and_when(as_role, request, role, resident):
    officer = request.getfixturevalue(role)
    before = timezone.now()

    response = run_action(as_role(role), "verify_residents", [resident])

    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.is_verified_resident
    assert resident.verified_by == officer
    assert before <= resident.verified_at <= timezone.now()


def test_verify_residents_action_verifies_every_selected_person(as_role, resident, other_resident):
    run_action(as_role("city_admin"), "verify_residents", [resident, other_resident])

    assert User.objects.filter(is_verified_resident=True).count() == 2


def test_verify_residents_action_keeps_an_earlier_verification(
    as_role, resident, superuser, city_admin
):
    run_action(as_role("superuser"), "verify_residents", [resident])
    resident.refresh_from_db()
    first_at = resident.verified_at

    run_action(as_role("city_admin"), "verify_residents", [resident])

    resident.refresh_from_db()
    assert resident.verified_by == superuser
    assert resident.verified_at == first_at


def test_unverify_residents_action_withdraws_the_verification(as_role, resident):
    client = as_role("city_admin")
    run_action(client, "verify_residents", [resident])

    run_action(client, "unverify_residents", [resident])

    resident.refresh_from_db()
    assert not resident.is_verified_resident
    assert resident.verified_at is None
    assert resident.verified_by is None


def test_staff_without_verify_permission_is_not_offered_the_actions(client_for):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_user"))
    enable_mfa(staff)

    html = client_for(staff).get(CHANGELIST).content.decode()

    assert 'value="verify_residents"' not in html
    assert 'value="unverify_residents"' not in html


@pytest.mark.parametrize("role", ["superuser", "city_admin"])
def test_staff_with_verify_permission_is_offered_the_actions(as_role, role):
    html = as_role(role).get(CHANGELIST).content.decode()

    assert 'value="verify_residents"' in html
    assert 'value="unverify_residents"' in html


def test_staff_without_verify_permission_cannot_post_the_action(as_role, resident):
    run_action(as_role("moderator"), "verify_residents", [resident])

    resident.refresh_from_db()
    assert not resident.is_verified_resident


def test_admin_creates_an_account(as_role):
    response = as_role("superuser").post(
        reverse("admin:citizens_user_add"),
        {
            "email": "new.person@example.com",
            "usable_password": "true",
            "password1": "river-dnipro-2026",
            "password2": "river-dnipro-2026",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert user.check_password("river-dnipro-2026")


def test_admin_cannot_create_a_second_account_for_an_email_in_other_case(as_role):
    UserFactory(email="taken@example.com")

    response = as_role("superuser").post(
        reverse("admin:citizens_user_add"),
        {
            "email": "Taken@Example.com",
            "usable_password": "true",
            "password1": "river-dnipro-2026",
            "password2": "river-dnipro-2026",
        },
    )

    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert User.objects.filter(email__iexact="taken@example.com").count() == 1


def test_moderator_cannot_change_people(as_role, resident):
    client = as_role("moderator")

    response = client.post(
        reverse("admin:citizens_user_change", args=[resident.pk]),
        {"email": resident.email, "full_name": "Змінено"},
    )

    assert response.status_code == 403
    resident.refresh_from_db()
    assert resident.full_name == "Оксана Коваленко"
