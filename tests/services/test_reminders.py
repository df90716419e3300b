"""A reminder the day before each visit, sent once however often the task runs."""

import datetime as dt

import pytest
from django.utils import timezone

from citizens.notifications.models import Notification
from services.models import Appointment
from services.services import appointment_book, appointment_cancel, appointments_remind
from services.tasks import send_appointment_reminders

pytestmark = pytest.mark.django_db


def reminders():
    return Notification.objects.filter(event="services.appointment_reminder")


def test_visits_tomorrow_are_reminded_once(resident, service, centre, tomorrow_10, eager):
    appointment = appointment_book(
        resident=resident, service=service, centre=centre, starts_at=tomorrow_10
    )
    assert appointments_remind() == 1
    assert appointments_remind() == 0
    assert send_appointment_reminders.delay().get() == 0
    told = reminders().get()
    assert told.recipient == resident
    assert told.context["code"] == appointment.code
    assert Appointment.objects.get().reminded_at is not None


def test_visits_later_than_tomorrow_wait(resident, service, centre, tomorrow_10):
    appointment_book(
        resident=resident,
        service=service,
        centre=centre,
        starts_at=tomorrow_10 + dt.timedelta(days=1),
    )
    assert appointments_remind() == 0


def test_cancelled_visits_are_not_reminded(resident, service, centre, tomorrow_10):
    appointment = appointment_book(
        resident=resident, service=service, centre=centre, starts_at=tomorrow_10
    )
    appointment_cancel(appointment=appointment, by=resident)
    assert appointments_remind() == 0
    assert not reminders().exists()


def test_a_rescheduled_visit_is_reminded_again(resident, service, centre, tomorrow_10):
    from services.services import appointment_reschedule

    appointment = appointment_book(
        resident=resident, service=service, centre=centre, starts_at=tomorrow_10
    )
    assert appointments_remind() == 1
    appointment_reschedule(
        appointment=appointment, by=resident, starts_at=tomorrow_10 + dt.timedelta(hours=1)
    )
    assert appointments_remind() == 1
    assert reminders().count() == 2


def test_tomorrow_is_the_citys_tomorrow(resident, service, centre, tomorrow_10):
    appointment_book(resident=resident, service=service, centre=centre, starts_at=tomorrow_10)
    # Late in the evening in Kyiv, the visit is the day after tomorrow.
    two_days_before = tomorrow_10 - dt.timedelta(days=2)
    assert appointments_remind(now=two_days_before.replace(hour=23, minute=30)) == 0
    assert appointments_remind(now=timezone.now()) == 1
