"""A time slot's booked seats stay equal to the appointments that hold them.

Appointments protect the resident's account already (erase it instead), so
the counter can only drift by a write that skipped the services; the daily
check reports it and `check_counters --fix` recounts it.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import ProtectedError

from citizens.models import User
from citizens.personal_data import user_erase
from services.models import Slot
from services.services import appointment_book, appointment_cancel
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def slot(service, centre, tomorrow_10):
    """A slot with two visits booked and one cancelled."""
    centre.slot_capacity = 3
    centre.save()
    people = UserFactory.create_batch(3)
    for person in people:
        appointment_book(resident=person, service=service, centre=centre, starts_at=tomorrow_10)
    appointment_cancel(appointment=people[2].service_appointments.get(), by=people[2])
    slot = Slot.objects.get()
    assert slot.booked == 2
    return slot, people


def test_a_resident_with_a_visit_cannot_be_hard_deleted(slot):
    slot, people = slot
    with pytest.raises(ProtectedError):
        User.objects.filter(pk=people[0].pk).delete()
    assert Slot.objects.get().booked == 2


def test_erasing_a_resident_gives_their_future_seat_back(slot):
    slot, people = slot

    user_erase(user=people[0])

    assert Slot.objects.get().booked == 1
    call_command("check_counters", "--only", "services.slot_booked")  # no difference


def test_the_check_finds_a_planted_difference_and_fix_repairs_it(slot, capsys):
    slot, _people = slot
    Slot.objects.filter(pk=slot.pk).update(booked=3)

    with pytest.raises(CommandError):
        call_command("check_counters", "--only", "services.slot_booked")
    assert f"slot #{slot.pk}: stored 3, rows 2" in capsys.readouterr().out

    call_command("check_counters", "--fix", "--only", "services.slot_booked")
    assert "fixed to 2" in capsys.readouterr().out
    assert Slot.objects.get().booked == 2


def test_a_fix_that_would_overbook_the_slot_is_left_for_a_person(slot, capsys, caplog):
    slot, _people = slot
    Slot.objects.filter(pk=slot.pk).update(booked=1, capacity=1)

    with pytest.raises(CommandError, match="1 counter"):
        call_command("check_counters", "--fix", "--only", "services.slot_booked")

    assert "fixed" not in capsys.readouterr().out
    assert any("the fix failed" in r.getMessage() for r in caplog.records)
    assert Slot.objects.get().booked == 1
