"""The outbox is never lost: the sweep gives back stuck rows and resends due ones,
the admin's retry gives failed rows a fresh start, and a broker down at commit
loses nothing."""

import datetime as dt
import logging

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from citizens.notifications.delivery import (
    MAX_ATTEMPTS,
    SWEEP_GRACE,
    retry,
    sweep,
)
from citizens.notifications.models import Broadcast, Delivery, Notification
from citizens.notifications.services import notify_audience
from citizens.services import user_verify_resident
from mycity.celery import app as celery_app
from tests.citizens.notifications.delivery_helpers import (
    DELIVER,
    FAN_OUT,
    LEASE,
    Status,
    ago,
    outbox_row,
    person,
    statuses,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# --- The sweep ---------------------------------------------------------------


def test_sweep_gives_back_rows_stuck_in_sending_past_the_lease(queued):
    stuck = outbox_row(
        status=Status.SENDING,
        heartbeat_at=ago(LEASE + dt.timedelta(seconds=1)),
        created_at=ago(LEASE * 2),
        attempts=1,
    )
    working = outbox_row(
        status=Status.SENDING, heartbeat_at=ago(LEASE / 2), created_at=ago(LEASE), attempts=1
    )

    result = sweep()

    assert result["released"] == 1
    assert statuses(stuck, working) == [Status.PENDING, Status.SENDING]
    assert Delivery.objects.get(pk=stuck.pk).claim_token is None
    assert queued == [(DELIVER, ([stuck.pk],))]


def test_sweep_gives_up_a_row_whose_worker_died_on_every_attempt(queued):
    # Released again and again, it would be retried (and perhaps sent) forever.
    lost = outbox_row(
        status=Status.SENDING,
        heartbeat_at=ago(LEASE + dt.timedelta(seconds=1)),
        created_at=ago(LEASE * 10),
        attempts=MAX_ATTEMPTS,
    )

    sweep()

    lost.refresh_from_db()
    assert (lost.status, lost.claim_token) == (Status.FAILED, None)
    assert "worker" in lost.last_error
    assert queued == []


def test_sweep_queues_due_rows_older_than_the_grace_period(queued):
    old = outbox_row(created_at=ago(SWEEP_GRACE + dt.timedelta(seconds=1)))
    young = outbox_row(created_at=ago(SWEEP_GRACE / 2))
    not_due = outbox_row(
        created_at=ago(dt.timedelta(hours=1)),
        next_attempt_at=timezone.now() + dt.timedelta(minutes=5),
    )
    outbox_row(status=Status.SENT, created_at=ago(dt.timedelta(hours=1)))
    outbox_row(status=Status.FAILED, created_at=ago(dt.timedelta(hours=1)))

    result = sweep()

    assert result["queued"] == 1
    assert queued == [(DELIVER, ([old.pk],))]
    assert statuses(old, young, not_due) == [Status.PENDING] * 3


def test_sweep_sends_quiet_hours_rows_once_the_window_is_over(channel, eager):
    row = outbox_row(
        created_at=ago(dt.timedelta(hours=8)), next_attempt_at=ago(dt.timedelta(seconds=1))
    )

    sweep()
    sweep()

    assert channel.sent == [row.pk]


def test_sweep_resumes_broadcasts_that_stopped(queued):
    stopped = Broadcast.objects.create(event="citizens.test")
    Broadcast.objects.create(event="citizens.test")  # still running: updated just now
    done = Broadcast.objects.create(event="citizens.test", status=Broadcast.Status.DONE)
    # updated_at is auto_now: only update() can put it in the past.
    Broadcast.objects.filter(pk__in=[stopped.pk, done.pk]).update(
        updated_at=ago(SWEEP_GRACE + dt.timedelta(seconds=1))
    )

    result = sweep()

    assert result["broadcasts"] == 1
    assert queued == [(FAN_OUT, (stopped.pk,))]


def test_sweep_of_an_empty_outbox_does_nothing(queued):
    assert sweep() == {"released": 0, "queued": 0, "broadcasts": 0}
    assert queued == []


# --- Retry (the admin's action) -------------------------------------------------


def test_retry_gives_failed_and_cancelled_rows_a_fresh_start(
    queued, django_capture_on_commit_callbacks
):
    failed = outbox_row(status=Status.FAILED, attempts=MAX_ATTEMPTS, last_error="550")
    cancelled = outbox_row(status=Status.CANCELLED, last_error="unsubscribed")
    sent = outbox_row(status=Status.SENT, attempts=1)
    pending = outbox_row(attempts=2)
    ids = [failed.pk, cancelled.pk, sent.pk, pending.pk]

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        count = retry(ids)
        assert queued == []

    assert count == 2
    assert statuses(failed, cancelled, sent, pending) == [Status.PENDING] * 2 + [
        Status.SENT,
        Status.PENDING,
    ]
    failed.refresh_from_db()
    assert failed.attempts == 0
    assert failed.next_attempt_at <= timezone.now()
    assert Delivery.objects.get(pk=pending.pk).attempts == 2
    assert queued == [(DELIVER, (ids,))]


def test_retried_row_is_sent(channel, eager, django_capture_on_commit_callbacks):
    row = outbox_row(status=Status.FAILED, attempts=MAX_ATTEMPTS)

    with django_capture_on_commit_callbacks(execute=True):
        retry([row.pk])

    assert channel.sent == [row.pk]
    assert statuses(row) == [Status.SENT]


# --- The broker is down when the transaction commits --------------------------


def reset_producer_pool():
    # The app keeps the producer pool of the first broker it published to;
    # forget it (without closing: kombu's registry hands the same pool back
    # when the URL is restored).
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """Publishing fails: nothing listens on port 1. Returns a function that brings it back."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates, conf.broker_url
    conf.task_always_eager = False
    conf.broker_url = "redis://127.0.0.1:1/0"
    reset_producer_pool()

    def back():
        # In-process execution stands for a working broker and worker.
        conf.broker_url = saved[2]
        conf.task_always_eager = conf.task_eager_propagates = True
        reset_producer_pool()

    yield back
    conf.task_always_eager, conf.task_eager_propagates, conf.broker_url = saved
    reset_producer_pool()


@pytest.mark.django_db(transaction=True)
def test_broker_down_at_commit_keeps_the_change_and_the_sweep_sends_it_later(broker_down, caplog):
    resident = person()
    officer = UserFactory(is_staff=True)

    with caplog.at_level(logging.WARNING, logger="citizens.notifications.services"):
        assert user_verify_resident(user=resident, by=officer) is True

    resident.refresh_from_db()
    assert resident.is_verified_resident
    row = Delivery.objects.get()
    assert (row.status, row.attempts) == (Status.PENDING, 0)
    assert "could not queue citizens.tasks.deliver_batch" in caplog.text
    assert mail.outbox == []

    broker_down()  # the broker is back
    assert sweep()["queued"] == 0  # too young: its own on_commit may still be on the way
    Delivery.objects.filter(pk=row.pk).update(created_at=ago(SWEEP_GRACE * 2))
    sweep()
    sweep()

    assert [m.to for m in mail.outbox] == [[resident.email]]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)


@pytest.mark.django_db(transaction=True)
def test_broker_down_at_commit_of_a_broadcast_is_resumed_by_the_sweep(broker_down):
    people = [person() for _ in range(3)]

    with transaction.atomic():
        broadcast = notify_audience(event="citizens.test")

    assert Broadcast.objects.get().status == Broadcast.Status.PENDING
    assert not Notification.objects.exists()

    broker_down()
    Broadcast.objects.filter(pk=broadcast.pk).update(updated_at=ago(SWEEP_GRACE * 2))
    sweep()  # resumes the fan-out, whose deliveries are queued as each batch commits
    sweep()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert Broadcast.objects.get().status == Broadcast.Status.DONE
