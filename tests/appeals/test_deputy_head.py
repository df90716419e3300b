"""Issue 16 point 4: a deputy head may extend an appeal's term like the head (Art. 20).

Deputy heads are staff members of the department, appointed only by a
superuser through citizens.services.department_set_staff (so the access log
records them).
"""

import datetime as dt

import pytest
from django.urls import reverse

from appeals.models import Appeal
from appeals.services import AppealError, appeal_extend, appeals_escalate_overdue
from citizens import services as citizens_services
from citizens.models import AccessChange
from citizens.notifications.models import Notification
from tests.appeals.following_helpers import staff_of
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def deputy(world, superuser):
    deputy = staff_of(world.department, email="deputy@example.com")
    citizens_services.department_set_staff(
        department=world.department, by=superuser, deputies=[deputy]
    )
    return deputy


def test_a_deputy_extends_the_term_once(world, deputy):
    appeal = world.appeal("in_progress")

    extended = appeal_extend(appeal=appeal, actor=deputy, days=5, reason="Потрібна експертиза.")

    assert extended.deadline_extended
    assert extended.extension_reason == "Потрібна експертиза."
    with pytest.raises(AppealError, match="already been extended"):
        appeal_extend(appeal=extended, actor=deputy, days=5, reason="Ще раз.")


def test_ordinary_staff_are_still_refused(world, deputy):
    appeal = world.appeal("in_progress")

    with pytest.raises(AppealError, match="head of the department or a deputy head"):
        appeal_extend(appeal=appeal, actor=world.staff, days=5, reason="Експертиза.")

    assert not Appeal.objects.get(pk=appeal.pk).deadline_extended


def test_a_deputy_of_another_department_is_refused(world, superuser, other_department):
    elsewhere = staff_of(other_department)
    citizens_services.department_set_staff(
        department=other_department, by=superuser, deputies=[elsewhere]
    )

    with pytest.raises(AppealError):
        appeal_extend(appeal=world.appeal("in_progress"), actor=elsewhere, days=5, reason="Ні.")


def test_appointing_a_deputy_is_recorded(world, deputy, superuser):
    record = AccessChange.objects.get(what=AccessChange.What.DEPARTMENT_DEPUTY)

    assert (record.actor, record.person, record.department, record.before, record.after) == (
        superuser,
        deputy,
        world.department,
        False,
        True,
    )


@pytest.mark.parametrize("who", ["resident", "non_staff", "staff_of_another_department"])
def test_a_resident_non_staff_or_outsider_cannot_be_a_deputy(
    world, superuser, resident, department_staff, who
):
    person = {
        "resident": resident,
        "non_staff": UserFactory(),
        "staff_of_another_department": department_staff,
    }[who]

    with pytest.raises(citizens_services.CitizenError):
        citizens_services.department_set_staff(
            department=world.department, by=superuser, deputies=[person]
        )

    assert not world.department.deputies.exists()


def test_a_resident_cannot_be_made_a_member_and_deputy_at_once(world, superuser, resident):
    with pytest.raises(citizens_services.CitizenError, match="staff account"):
        citizens_services.department_set_staff(
            department=world.department,
            by=superuser,
            members=[world.staff, resident],
            deputies=[resident],
        )


def test_only_a_superuser_appoints_deputies(world, city_admin):
    with pytest.raises(citizens_services.CitizenError, match="superuser"):
        citizens_services.department_set_staff(
            department=world.department, by=city_admin, deputies=[world.staff]
        )

    assert not world.department.deputies.exists()


def test_a_deputy_cannot_be_dropped_from_the_members_alone(world, deputy, superuser):
    with pytest.raises(citizens_services.CitizenError, match="staff members"):
        citizens_services.department_set_staff(
            department=world.department, by=superuser, members=[world.staff]
        )


def department_form(department, **extra):
    data = {
        "name_uk": department.name_uk,
        "name_en": department.name_en,
        "slug": department.slug,
        "email": "",
        "phone": "",
        "head": department.head_id or "",
        "members": [m.pk for m in department.members.all()],
        "is_active": "on",
    }
    data.update(extra)
    return data


def test_a_superuser_appoints_a_deputy_in_the_department_admin(client_for, world, superuser):
    url = reverse("admin:mycity_department_change", args=[world.department.pk])

    response = client_for(superuser).post(
        url, department_form(world.department, deputies=[world.staff.pk])
    )

    assert response.status_code == 302
    assert list(world.department.deputies.all()) == [world.staff]
    assert AccessChange.objects.filter(
        what=AccessChange.What.DEPARTMENT_DEPUTY, person=world.staff, actor=superuser
    ).exists()


def test_the_department_admin_refuses_a_deputy_who_is_not_a_member(
    client_for, world, superuser, department_staff
):
    url = reverse("admin:mycity_department_change", args=[world.department.pk])

    response = client_for(superuser).post(
        url, department_form(world.department, deputies=[department_staff.pk])
    )

    assert response.status_code == 200
    assert not world.department.deputies.exists()


def test_a_city_admin_sees_the_deputies_but_cannot_change_them(client_for, world, city_admin):
    url = reverse("admin:mycity_department_change", args=[world.department.pk])
    client = client_for(city_admin)

    form = client.get(url).context["adminform"].form
    assert "deputies" not in form.fields

    response = client.post(url, department_form(world.department, deputies=[world.staff.pk]))
    assert response.status_code == 302
    assert not world.department.deputies.exists()


@pytest.mark.parametrize(("who", "offered"), [("deputy", True), ("staff", False)])
def test_the_admin_offers_the_extension_to_the_deputy(client_for, world, deputy, who, offered):
    appeal = world.appeal("in_progress")
    user = deputy if who == "deputy" else world.staff

    response = client_for(user).get(reverse("admin:appeals_appeal_change", args=[appeal.pk]))

    keys = {item["spec"].key for item in response.context["panel_actions"]}
    assert ("extend" in keys) is offered


def test_the_deputy_extends_through_the_admin(client_for, world, deputy):
    appeal = world.appeal("in_progress")
    url = reverse("admin:appeals_appeal_action", args=[appeal.pk, "extend"])

    response = client_for(deputy).post(url, {"extend-days": 5, "extend-reason": "Експертиза."})

    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.deadline_extended


def test_overdue_escalation_tells_the_head_and_the_deputies(world, deputy):
    appeal = world.appeal("accepted")
    today = appeal.deadline + dt.timedelta(days=1)

    appeals_escalate_overdue(today=today)

    told = set(
        Notification.objects.filter(event="appeals.escalated").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {world.head.pk, deputy.pk}
