"""One status vocabulary: the named sets come from the transition table, and the
admin's action panel offers exactly what the services accept."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from appeals.admin_views import ACTIONS
from appeals.models import Appeal
from appeals.services import AppealError, staff
from appeals.workflow import (
    ANSWERED_STATUSES,
    AUTHOR_CAN_ADD,
    DEPARTMENT,
    FINAL_STATUSES,
    HEAD,
    MODERATOR,
    OPEN_STATUSES,
    PUBLIC_STATUSES,
    TRANSITIONS,
    UNRESOLVED_STATUSES,
    WORKING_STATUSES,
    Status,
    allowed,
)
from tests.factories import CategoryFactory, submit_appeal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("everything_in_english")]


def test_the_named_sets_of_statuses():
    named = {
        "final": FINAL_STATUSES,
        "answered": ANSWERED_STATUSES,
        "unresolved": UNRESOLVED_STATUSES,
        "open": OPEN_STATUSES,
        "working": WORKING_STATUSES,
        "author_can_add": AUTHOR_CAN_ADD,
        "public": PUBLIC_STATUSES,
    }
    unresolved = {Status.MODERATION, Status.RETURNED, Status.ACCEPTED, Status.IN_PROGRESS}

    assert named == {
        "final": {Status.REJECTED, Status.MERGED, Status.FORWARDED, Status.LAPSED},
        "answered": {Status.ANSWERED, Status.CLOSED},
        "unresolved": unresolved,
        # The deadline does not run while the author is asked for information.
        "open": unresolved - {Status.RETURNED},
        "working": {Status.ACCEPTED, Status.IN_PROGRESS},
        "author_can_add": unresolved,
        "public": {
            Status.ACCEPTED,
            Status.IN_PROGRESS,
            Status.ANSWERED,
            Status.CLOSED,
            Status.FORWARDED,
        },
    }


def test_every_status_is_unresolved_answered_or_final_exactly_once():
    groups = [UNRESOLVED_STATUSES, ANSWERED_STATUSES, FINAL_STATUSES]

    assert set().union(*groups) == set(Status)
    assert sum(len(g) for g in groups) == len(Status)


@pytest.fixture
def own_appeal(resident, moderator, other_department):
    appeal = submit_appeal(resident, CategoryFactory(department=other_department), title="Own")
    return staff.appeal_accept(appeal=appeal, moderator=moderator)


def in_status(appeal, status):
    Appeal.objects.filter(pk=appeal.pk).update(status=status)
    return Appeal.objects.get(pk=appeal.pk)


def panel_keys(client, appeal):
    response = client.get(reverse("admin:appeals_appeal_change", args=[appeal.pk]))
    return {item["spec"].key for item in response.context["panel_actions"]}


def service_assigns(appeal, user) -> bool:
    try:
        staff.appeal_assign(appeal=appeal, assignee=user, actor=user)
    except AppealError:
        return False
    return True


@pytest.mark.parametrize("status", Status.values)
def test_admin_offers_assign_exactly_when_the_service_assigns(
    client_for, department_staff, own_appeal, status
):
    appeal = in_status(own_appeal, status)

    offered = "assign" in panel_keys(client_for(department_staff), appeal)

    assert offered == service_assigns(appeal, department_staff)
    assert offered == (status in WORKING_STATUSES)


@pytest.mark.parametrize("status", [Status.MODERATION, Status.RETURNED, Status.ANSWERED])
def test_an_appeal_the_department_does_not_work_on_cannot_be_assigned(
    client_for, department_staff, own_appeal, status
):
    # Decision (issue 18): assigning is for appeals the department can answer.
    # Before acceptance the moderator may still route it elsewhere; once
    # answered or returned to the author nobody is to be assigned.
    appeal = in_status(own_appeal, status)

    with pytest.raises(AppealError, match="cannot be assigned"):
        staff.appeal_assign(appeal=appeal, assignee=department_staff, actor=department_staff)
    response = client_for(department_staff).post(
        reverse("admin:appeals_appeal_action", args=[appeal.pk, "assign"]),
        {"assign-assignee": department_staff.pk},
        follow=True,
    )

    assert Appeal.objects.get(pk=appeal.pk).assignee is None
    assert "This action is not available for this request now." in [
        str(m) for m in get_messages(response.wsgi_request)
    ]


@pytest.mark.parametrize("status", sorted(WORKING_STATUSES))
def test_an_appeal_the_department_works_on_is_assigned_from_the_panel(
    client_for, department_staff, own_appeal, status
):
    appeal = in_status(own_appeal, status)

    client_for(department_staff).post(
        reverse("admin:appeals_appeal_action", args=[appeal.pk, "assign"]),
        {"assign-assignee": department_staff.pk},
    )

    assert Appeal.objects.get(pk=appeal.pk).assignee == department_staff


STAFF = {MODERATOR, DEPARTMENT, HEAD}


def test_every_staff_action_of_the_table_has_its_panel_entry():
    in_panel = {spec.workflow for spec in ACTIONS.values() if spec.workflow}
    staff_actions = {action for action, (_s, _t, actors) in TRANSITIONS.items() if actors & STAFF}

    assert in_panel == staff_actions


@pytest.mark.parametrize("status", Status.values)
def test_the_panel_offers_no_workflow_action_the_table_refuses(
    client_for, moderator, department_staff, own_appeal, status
):
    appeal = in_status(own_appeal, status)

    for user, role in ((moderator, MODERATOR), (department_staff, DEPARTMENT)):
        offered = {
            ACTIONS[key].workflow
            for key in panel_keys(client_for(user), appeal)
            if ACTIONS[key].workflow
        }
        assert all(allowed(action, status, role) for action in offered), (role, offered)
        # The ones the table allows (with the law's windows open) are all offered,
        # except where the action's own condition on the appeal says no.
        expected = {
            spec.workflow
            for spec in ACTIONS.values()
            if spec.workflow
            and allowed(spec.workflow, status, role)
            and (spec.when is None or spec.when(appeal))
        }
        assert offered == expected, role
