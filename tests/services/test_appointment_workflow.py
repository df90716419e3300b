"""The appointments' transition table: the services change a visit's status only as it allows."""

import datetime as dt

import pytest

from services.appointment_workflow import (
    CHANGEABLE_STATUSES,
    FINAL_STATUSES,
    OFFICER,
    RESIDENT,
    SEAT_STATUSES,
    TRANSITIONS,
    Action,
    Status,
    allowed,
    target,
)
from services.models import Appointment
from services.services import (
    ServiceError,
    appointment_book,
    appointment_cancel,
    appointment_mark,
    appointment_reschedule,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("everything_in_english")]


def test_the_named_sets_of_statuses():
    named = {
        "changeable": CHANGEABLE_STATUSES,
        "seat": SEAT_STATUSES,
        "final": FINAL_STATUSES,
    }

    assert named == {
        "changeable": {Status.BOOKED},
        "seat": {Status.BOOKED, Status.ATTENDED, Status.NO_SHOW},
        "final": {Status.CANCELLED},
    }


def test_every_action_of_the_table_has_an_actor_and_known_statuses():
    for sources, to, actors in TRANSITIONS.values():
        assert actors <= {RESIDENT, OFFICER}
        assert sources <= set(Status)
        assert to is None or to in Status.values
    assert target(Action.BOOK, None) == Status.BOOKED
    assert target(Action.RESCHEDULE, Status.BOOKED) == Status.BOOKED
    assert not allowed(Action.ATTEND, Status.BOOKED, RESIDENT)
    assert not allowed(Action.RESCHEDULE, Status.BOOKED, OFFICER)


@pytest.fixture
def visit(resident, service, centre, tomorrow_10):
    return appointment_book(
        resident=resident, service=service, centre=centre, starts_at=tomorrow_10
    )


def in_status(appointment, status, *, started=False):
    fields = {"status": status}
    if started:
        fields["starts_at"] = appointment.starts_at - dt.timedelta(days=2)
    Appointment.objects.filter(pk=appointment.pk).update(**fields)
    return Appointment.objects.get(pk=appointment.pk)


@pytest.mark.parametrize("who", ["resident", "officer"])
@pytest.mark.parametrize("status", Status.values)
def test_a_visit_is_cancelled_only_from_where_the_table_allows(request, visit, status, who):
    appointment = in_status(visit, status)
    by = request.getfixturevalue(who)
    role = RESIDENT if who == "resident" else OFFICER

    if allowed(Action.CANCEL, status, role):
        assert appointment_cancel(appointment=appointment, by=by).status == Status.CANCELLED
    else:
        with pytest.raises(ServiceError, match="no longer booked"):
            appointment_cancel(appointment=appointment, by=by)
        assert Appointment.objects.get(pk=visit.pk).status == status
    assert allowed(Action.CANCEL, status, role) == (status == Status.BOOKED)


@pytest.mark.parametrize("status", Status.values)
def test_a_visit_is_moved_only_while_booked(resident, visit, status):
    appointment = in_status(visit, status)
    later = visit.starts_at + dt.timedelta(hours=1)

    if status in CHANGEABLE_STATUSES:
        moved = appointment_reschedule(appointment=appointment, by=resident, starts_at=later)
        assert (moved.status, moved.starts_at) == (status, later)
    else:
        with pytest.raises(ServiceError, match="can no longer be changed"):
            appointment_reschedule(appointment=appointment, by=resident, starts_at=later)


@pytest.mark.parametrize("mark", [Status.ATTENDED, Status.NO_SHOW])
@pytest.mark.parametrize("status", Status.values)
def test_an_officer_marks_a_started_visit_unless_it_was_cancelled(officer, visit, status, mark):
    appointment = in_status(visit, status, started=True)

    if status in FINAL_STATUSES:
        with pytest.raises(ServiceError, match="was cancelled"):
            appointment_mark(appointment=appointment, officer=officer, status=mark)
        assert Appointment.objects.get(pk=visit.pk).status == status
    else:
        marked = appointment_mark(appointment=appointment, officer=officer, status=mark)
        assert marked.status == mark
        assert Appointment.objects.get(pk=visit.pk).status == mark
