"""Broadcasts through the outbox: one row in the caller's transaction, then a
fan-out in steps that writes each recipient of the audience exactly once."""

import threading

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from citizens.models import User
from citizens.notifications.models import (
    Broadcast,
    Delivery,
    Notification,
)
from citizens.notifications.services import (
    BATCH_SIZE,
    broadcast_fan_out_step,
    notify_audience,
)
from tests.citizens.notifications.outbox_helpers import (
    FAN_OUT,
    RollbackError,
    person,
    write_then_roll_back,
)
from tests.factories import DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL: SQLite serialises them, so there is no race",
)

# --- Broadcasts ------------------------------------------------------------


def residents(count: int, **fields) -> list[User]:
    return [person(**fields) for _ in range(count)]


def run_fan_out(broadcast, batch_size=BATCH_SIZE) -> list[bool]:
    steps = []
    while True:
        more = broadcast_fan_out_step(broadcast_id=broadcast.pk, batch_size=batch_size)
        steps.append(more)
        if not more:
            return steps


def recipients_of(broadcast) -> list[int]:
    return sorted(
        Notification.objects.filter(broadcast=broadcast).values_list("recipient", flat=True)
    )


def test_notify_audience_writes_only_a_broadcast_row_in_the_callers_transaction(
    queued, django_capture_on_commit_callbacks
):
    residents(3)

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        broadcast = notify_audience(event="citizens.test", context={"n": 1}, url="/news/")

    assert list(Broadcast.objects.values_list("pk", "status")) == [
        (broadcast.pk, Broadcast.Status.PENDING)
    ]
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert queued == []

    for callback in callbacks:
        callback()

    assert queued == [(FAN_OUT, (broadcast.pk,))]


def test_rolled_back_broadcast_leaves_nothing(queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RollbackError):
        write_then_roll_back(notify_audience, event="citizens.test")

    assert not Broadcast.objects.exists()
    assert queued == []


def test_fan_out_steps_write_each_recipient_once(queued):
    people = residents(5)
    broadcast = notify_audience(event="citizens.test")

    steps = run_fan_out(broadcast, batch_size=2)

    assert steps == [True, True, True, False]
    assert recipients_of(broadcast) == sorted(u.pk for u in people)
    assert Delivery.objects.filter(notification__broadcast=broadcast).count() == 5
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.DONE
    assert broadcast.recipient_count == 5
    assert broadcast.cursor == max(u.pk for u in people)


def test_fan_out_step_after_done_writes_nothing(queued):
    residents(3)
    broadcast = notify_audience(event="citizens.test")
    run_fan_out(broadcast, batch_size=2)

    assert broadcast_fan_out_step(broadcast_id=broadcast.pk) is False
    assert run_fan_out(broadcast) == [False]
    assert Notification.objects.filter(broadcast=broadcast).count() == 3


def test_fan_out_does_not_reach_people_who_joined_after_it_finished(queued):
    residents(2)
    broadcast = notify_audience(event="citizens.test")
    run_fan_out(broadcast)
    person()

    run_fan_out(broadcast)

    assert Notification.objects.filter(broadcast=broadcast).count() == 2


def test_replayed_step_with_a_stale_cursor_writes_nobody_twice(queued):
    residents(3)
    broadcast = notify_audience(event="citizens.test")
    broadcast_fan_out_step(broadcast_id=broadcast.pk, batch_size=2)
    # A step that read the broadcast before the first one committed: the
    # row lock makes it impossible, the unique constraint is the backstop.
    Broadcast.objects.filter(pk=broadcast.pk).update(cursor=0, recipient_count=0)

    with pytest.raises(IntegrityError):
        broadcast_fan_out_step(broadcast_id=broadcast.pk, batch_size=2)

    assert Notification.objects.filter(broadcast=broadcast).count() == 2
    assert Broadcast.objects.get(pk=broadcast.pk).cursor == 0


def test_database_refuses_a_second_notification_of_one_broadcast_to_one_person(resident):
    broadcast = Broadcast.objects.create(event="citizens.test")
    Notification.objects.create(recipient=resident, event="citizens.test", broadcast=broadcast)

    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=resident, event="citizens.test", broadcast=broadcast)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_fan_out_tasks_write_each_recipient_once(queued):
    people = [u.pk for u in residents(30)]
    broadcast = notify_audience(event="citizens.test")
    start = threading.Barrier(3)
    errors = []

    def worker():
        try:
            start.wait()
            while broadcast_fan_out_step(broadcast_id=broadcast.pk, batch_size=4):
                pass
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert recipients_of(broadcast) == sorted(people)
    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.recipient_count) == (Broadcast.Status.DONE, 30)


def test_fan_out_to_districts_reaches_only_their_residents(queued):
    north, south, east = DistrictFactory(), DistrictFactory(), DistrictFactory()
    in_north = residents(2, district=north)
    in_south = residents(1, district=south)
    residents(2, district=east)
    residents(1)  # no district given

    broadcast = notify_audience(event="citizens.test", district_ids=[north.pk, south.pk])
    run_fan_out(broadcast)

    assert recipients_of(broadcast) == sorted(u.pk for u in in_north + in_south)


def test_fan_out_to_verified_residents_only(queued):
    verified = [person(is_verified_resident=True, verified_at=timezone.now()) for _ in range(2)]
    residents(2)

    broadcast = notify_audience(event="citizens.test", verified_only=True)
    run_fan_out(broadcast)

    assert recipients_of(broadcast) == sorted(u.pk for u in verified)


def test_fan_out_combines_district_and_verified_filters(queued):
    north, south = DistrictFactory(), DistrictFactory()
    wanted = person(district=north, is_verified_resident=True, verified_at=timezone.now())
    person(district=north)
    person(district=south, is_verified_resident=True, verified_at=timezone.now())

    broadcast = notify_audience(event="citizens.test", district_ids=[north.pk], verified_only=True)
    run_fan_out(broadcast)

    assert recipients_of(broadcast) == [wanted.pk]


def test_fan_out_skips_inactive_accounts(queued):
    active = residents(2)
    residents(1, is_active=False)

    broadcast = notify_audience(event="citizens.test")
    run_fan_out(broadcast)

    assert recipients_of(broadcast) == sorted(u.pk for u in active)


def test_city_wide_broadcast_reaches_every_resident_once(eager, django_capture_on_commit_callbacks):
    people = residents(7)
    UserFactory()  # no verified address: inbox only

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify_audience(event="citizens.test")

    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in people)
    assert Notification.objects.count() == 8
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
