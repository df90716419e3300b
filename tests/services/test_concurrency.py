"""Many residents booking the last place at once; reminder runs at once — on PostgreSQL.

Each thread has its own database connection and closes it when done. SQLite
serialises writers on the whole file and cannot show these races.
"""

import pytest
from django.conf import settings

from citizens.notifications.models import Notification
from services.models import Appointment, Slot
from services.services import ServiceError, appointment_book, appointments_remind
from tests.concurrency import at_once
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="row locks and concurrent transactions need PostgreSQL (set DATABASE_URL)",
    ),
]


def test_ten_residents_booking_the_last_place_at_once_leave_exactly_one(
    service, centre, tomorrow_10
):
    centre.slot_capacity = 3
    centre.save()
    for person in UserFactory.create_batch(2):
        appointment_book(resident=person, service=service, centre=centre, starts_at=tomorrow_10)
    people = UserFactory.create_batch(10)

    results, errors = at_once(
        [
            lambda p=p: appointment_book(
                resident=p, service=service, centre=centre, starts_at=tomorrow_10
            )
            for p in people
        ]
    )

    assert len(results) == 1
    assert len(errors) == 9
    assert all(isinstance(e, ServiceError) for e in errors)
    assert Slot.objects.get().booked == 3
    assert Appointment.objects.filter(status="booked").count() == 3


def test_the_first_bookings_of_a_new_slot_race_to_create_it(service, centre, tomorrow_10):
    centre.slot_capacity = 4
    centre.save()
    people = UserFactory.create_batch(8)

    results, errors = at_once(
        [
            lambda p=p: appointment_book(
                resident=p, service=service, centre=centre, starts_at=tomorrow_10
            )
            for p in people
        ]
    )

    assert len(results) == 4
    assert len(errors) == 4
    assert all(isinstance(e, ServiceError) for e in errors)
    assert Slot.objects.count() == 1
    assert Slot.objects.get().booked == 4


def test_two_reminder_runs_at_once_remind_each_visit_once(service, centre, tomorrow_10):
    centre.slot_capacity = 10
    centre.save()
    for person in UserFactory.create_batch(6):
        appointment_book(resident=person, service=service, centre=centre, starts_at=tomorrow_10)

    results, errors = at_once([appointments_remind] * 4)

    assert errors == []
    assert sum(results) == 6
    assert Notification.objects.filter(event="services.appointment_reminder").count() == 6
