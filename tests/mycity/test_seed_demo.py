"""seed_demo: idempotent demo data that can be signed in with at once."""

from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from appeals import demo as appeals_demo
from citizens import demo as citizens_demo
from citizens.models import User
from citizens.roles import ROLES
from mycity import demo as mycity_demo
from mycity.models import Department, District
from outages import demo_points as outages_demo

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", stdout=StringIO())


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, District, Department, Group, EmailAddress, Authenticator)
    }


def test_seed_demo_twice_gives_the_same_rows():
    seed()
    first = counts()

    seed()

    assert counts() == first


def test_seed_demo_creates_the_declared_demo_data():
    seed()

    assert District.objects.count() == len(mycity_demo.DISTRICTS)
    assert Department.objects.count() == len(mycity_demo.DEPARTMENTS)
    people = (
        len(citizens_demo.STAFF)
        + len(citizens_demo.DEPARTMENT_CLERKS)
        + len(citizens_demo.RESIDENTS)
        + 1  # the point operator (outages/demo_points.py)
    )
    assert User.objects.filter(is_active=True).count() == people
    # The rest stand for the synthetic survey responses (inactive, one per response)
    # and for the authors of a year of history behind the statistics.
    assert (
        not User.objects.filter(is_active=False)
        .exclude(email__startswith="respondent-")
        .exclude(email=appeals_demo.HISTORY_AUTHOR)
        .exists()
    )
    assert Group.objects.count() == len(ROLES)


def test_seed_demo_adds_points_of_help_and_their_operator():
    seed()

    operator = User.objects.get(email=outages_demo.OPERATOR_EMAIL)
    assert operator.is_staff
    assert is_mfa_enabled(operator, [Authenticator.Type.TOTP])
    assert list(operator.groups.values_list("name", flat=True)) == [ROLES["point_operator"]]
    assert operator.operated_points.exists()
    from outages.models import HelpPoint

    assert HelpPoint.objects.count() == len(outages_demo.POINTS)


def test_demo_district_boundaries_are_valid_and_do_not_overlap():
    seed()

    for district in District.objects.all():
        district.full_clean()
    # A point in each district is found in that district only.
    for district in District.objects.all():
        lat, lon = district.centroid
        assert District.objects.locate(lat=lat, lon=lon) == district


@pytest.mark.parametrize(("role", "email", "_name"), citizens_demo.STAFF)
def test_demo_staff_are_staff_with_mfa_in_their_role(role, email, _name):
    seed()

    user = User.objects.get(email=email)
    assert user.is_staff
    assert is_mfa_enabled(user, [Authenticator.Type.TOTP])
    assert list(user.groups.values_list("name", flat=True)) == [ROLES[role]]


@pytest.mark.parametrize(("slug", "email", "_name"), citizens_demo.DEPARTMENT_CLERKS)
def test_each_demo_department_clerk_works_in_their_department(slug, email, _name):
    seed()

    user = User.objects.get(email=email)
    assert user.is_staff
    assert is_mfa_enabled(user, [Authenticator.Type.TOTP])
    assert list(user.groups.values_list("name", flat=True)) == [ROLES["department_staff"]]
    assert list(Department.objects.filter(members=user).values_list("slug", flat=True)) == [slug]


@pytest.mark.parametrize("email", [r[0] for r in citizens_demo.RESIDENTS])
def test_demo_residents_can_sign_in(client, email):
    seed()

    response = client.post(
        reverse("account_login"), {"login": email, "password": citizens_demo.DEMO_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("citizens:cabinet")
    assert client.get(reverse("citizens:cabinet")).status_code == 200


def test_seed_demo_keeps_a_changed_demo_password():
    seed()
    user = User.objects.get(email=citizens_demo.RESIDENTS[0][0])
    user.set_password("changed-by-the-person-2026")
    user.save()

    seed()

    user.refresh_from_db()
    assert user.check_password("changed-by-the-person-2026")


def test_seed_demo_department_head_is_a_member_of_the_department():
    seed()

    housing = Department.objects.get(slug="housing")
    assert housing.head.email == "head@demo.mycity.test"
    assert housing.members.filter(pk=housing.head.pk).exists()
    housing.full_clean()


def test_seed_demo_has_residences_and_a_verified_priority_appeal():
    from appeals.models import Appeal
    from citizens.models import PriorityStatus

    seed()

    residents = User.objects.filter(email__in=[email for email, *_rest in citizens_demo.RESIDENTS])
    assert all(person.residence for person in residents)
    status = PriorityStatus.objects.get(user__email=citizens_demo.PRIORITY_RESIDENT)
    assert status.is_verified
    assert status.decided_by is not None
    priority = Appeal.objects.filter(priority=True)
    assert priority.filter(title__startswith="Low-floor bus on route 5").exists()
    assert set(priority.values_list("author__email", flat=True)) == {
        citizens_demo.PRIORITY_RESIDENT
    }
    assert not any(appeal.is_anonymous for appeal in priority)
    assert Appeal.objects.filter(priority=False, author_residence="").count() == 0


def test_the_demo_data_passes_the_daily_check_of_counters():
    """Every counter equals its rows: a demo installation's daily check reports nothing."""
    from mycity.lib.counters import counters_check

    seed()

    assert counters_check() == []
