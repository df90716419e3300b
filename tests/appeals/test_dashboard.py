"""The staff dashboard: per department open, overdue, answered in time, median days."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal
from appeals.services import staff
from tests.factories import CategoryFactory, submit_appeal
from tests.query_counts import forget_cache

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:appeals_appeal_dashboard")


def accepted(resident, moderator, department):
    appeal = submit_appeal(resident, CategoryFactory(department=department))
    return staff.appeal_accept(appeal=appeal, moderator=moderator)


def answered(resident, moderator, department, *, days_to_answer, term=15):
    """An appeal registered `days_to_answer` + 1 days ago and answered one day ago."""
    appeal = accepted(resident, moderator, department)
    answerer = department.members.first()
    staff.appeal_answer(appeal=appeal, staff=answerer, text="Зроблено.")
    answered_at = timezone.now() - dt.timedelta(days=1)
    registered = answered_at - dt.timedelta(days=days_to_answer)
    Appeal.objects.filter(pk=appeal.pk).update(
        registered_at=registered,
        answered_at=answered_at,
        deadline=timezone.localdate(registered) + dt.timedelta(days=term),
    )
    return appeal


@pytest.fixture
def known_data(resident, moderator, department, other_department, department_staff):
    department.members.add(department_staff)
    accepted(resident, moderator, department)  # open, in time
    late = accepted(resident, moderator, department)  # open, overdue
    Appeal.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - dt.timedelta(days=3))
    answered(resident, moderator, department, days_to_answer=2)  # in time
    answered(resident, moderator, department, days_to_answer=20)  # late
    answered(resident, moderator, other_department, days_to_answer=4)
    old = answered(resident, moderator, other_department, days_to_answer=4)
    # Answered before the 30-day window: not counted.
    Appeal.objects.filter(pk=old.pk).update(answered_at=timezone.now() - dt.timedelta(days=60))


def rows_by_slug(response):
    return {row["department"].slug: row for row in response.context["rows"]}


def test_dashboard_counts_a_known_data_set(client_for, moderator, known_data):
    rows = rows_by_slug(client_for(moderator).get(DASHBOARD))

    assert rows["roads"] == {
        "department": rows["roads"]["department"],
        "open": 2,
        "overdue": 1,
        "priority_open": 0,
        "priority_overdue": 0,
        "answered": 2,
        "answered_late": 1,
        "in_time_percent": 50,
        "median_days": 11.0,
    }
    assert rows["housing"]["open"] == 0
    assert rows["housing"]["answered"] == 1
    assert rows["housing"]["answered_late"] == 0
    assert rows["housing"]["in_time_percent"] == 100
    assert rows["housing"]["median_days"] == 4.0


def test_dashboard_shows_department_staff_only_their_departments(
    client_for, department_staff, known_data, department
):
    department.members.remove(department_staff)

    rows = rows_by_slug(client_for(department_staff).get(DASHBOARD))

    assert set(rows) == {"housing"}


def test_dashboard_is_linked_from_the_appeals_app_and_changelist(client_for, moderator):
    client = client_for(moderator)

    assert DASHBOARD in client.get(reverse("admin:app_list", args=["appeals"])).content.decode()
    assert DASHBOARD in client.get(reverse("admin:appeals_appeal_changelist")).content.decode()


def test_dashboard_is_refused_to_staff_without_appeal_access(client_for, staff_with_mfa):
    assert client_for(staff_with_mfa).get(DASHBOARD).status_code == 403


def test_dashboard_query_count_does_not_grow_with_appeals(
    client_for, django_assert_max_num_queries, moderator, resident, department, known_data
):
    client = client_for(moderator)
    for _n in range(20):
        answered(resident, moderator, department, days_to_answer=3)

    with django_assert_max_num_queries(9):
        response = client.get(DASHBOARD)

    assert rows_by_slug(response)["roads"]["answered"] == 22


def test_dashboard_figures_are_kept_a_minute_for_the_same_scope(
    client_for, moderator, resident, department, known_data, django_assert_max_num_queries
):

    client = client_for(moderator)
    client.get(DASHBOARD)
    accepted(resident, moderator, department)

    with django_assert_max_num_queries(5):  # the session, the user, the admin's own
        kept = client.get(DASHBOARD)
    forget_cache()  # what a minute does
    fresh = client.get(DASHBOARD)

    assert rows_by_slug(kept)["roads"]["open"] == 2
    assert rows_by_slug(fresh)["roads"]["open"] == 3
    assert "Figures as of" in fresh.content.decode() or "Дані станом на" in fresh.content.decode()


def test_dashboard_figures_of_a_wider_scope_are_never_shown_to_a_narrower_one(
    client_for, moderator, department_staff, known_data, department
):
    department.members.remove(department_staff)
    assert {"roads", "housing"} <= set(rows_by_slug(client_for(moderator).get(DASHBOARD)))

    rows = rows_by_slug(client_for(department_staff).get(DASHBOARD))

    assert set(rows) == {"housing"}
