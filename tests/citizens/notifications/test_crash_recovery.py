"""The outbox after a worker dies: its claims come back within one short lease
(at once when the dead process ran on the sweeping worker's host), a live
claim is never taken, and a message sent again carries the same Message-ID
or push Topic as the first attempt."""

import datetime as dt
import itertools
import os
import re
import smtplib
import subprocess
import sys
import threading

import pytest
from celery.signals import worker_ready
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from citizens import tasks
from citizens.notifications import delivery as outbox
from citizens.notifications.delivery import (
    claim,
    deliver_many,
    delivery_key,
    lease,
    message_id,
    release_lost_claims,
    sweep,
)
from citizens.notifications.events import EMAIL, WEBPUSH
from citizens.notifications.models import Delivery, Notification, PushSubscription
from mycity.lib import process
from mycity.lib import tasks as task_queue
from tests.factories import UserFactory, verify_email

pytestmark = pytest.mark.django_db

Status = Delivery.Status
DELIVER = "citizens.tasks.deliver_batch"

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent sweeps need PostgreSQL: SQLite serialises writers, so there is no race",
)
needs_proc = pytest.mark.skipif(
    not os.path.exists("/proc/self/ns/pid"),
    reason="telling a dead process from a live one needs Linux's /proc",
)


def outbox_row(**fields) -> Delivery:
    user = UserFactory()
    verify_email(user)
    notification = Notification.objects.create(recipient=user, event="citizens.test", url="/me/")
    return Delivery.objects.create(notification=notification, channel=EMAIL, **fields)


def ago(delta: dt.timedelta) -> dt.datetime:
    return timezone.now() - delta


def message_ids() -> list[str]:
    return [m.extra_headers["Message-ID"] for m in mail.outbox]


@pytest.fixture
def queued(monkeypatch):
    """What would go to the broker, as (task name, args), instead of sending it.

    A task put on another queue than its own (the priority lane) is recorded
    as (task name, args, queue).
    """
    calls = []

    def record(task, *args, on=None):
        name = task if isinstance(task, str) else task.name
        calls.append((name, args) if on is None else (name, args, on))
        return True

    monkeypatch.setattr(task_queue, "queue", record)
    return calls


@pytest.fixture
def dead_worker():
    """The identity of a process on this host that ran and has exited."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        owner = process.identity(child.pid)
    finally:
        child.kill()
        child.wait()
    return owner


class KilledError(BaseException):
    """The worker process is killed: nothing after this line runs."""


# --- A stable Message-ID --------------------------------------------------

SENT_BY_SERVER: list[str] = []


class AcceptedThenLost(BaseEmailBackend):
    """An SMTP server that accepts the first message, then the connection drops
    before its answer reaches us; later messages go through."""

    def send_messages(self, messages):
        for message in messages:
            SENT_BY_SERVER.append(message.message()["Message-ID"])
        if len(SENT_BY_SERVER) == 1:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return len(messages)


def test_a_resend_after_a_lost_answer_has_the_same_message_id(settings):
    settings.EMAIL_BACKEND = f"{__name__}.AcceptedThenLost"
    SENT_BY_SERVER.clear()
    row = outbox_row()

    assert deliver_many([row.pk]) == {"sent": 0, "retry": 1, "failed": 0}
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert deliver_many([row.pk]) == {"sent": 1, "retry": 0, "failed": 0}

    first, second = SENT_BY_SERVER
    assert first == second == message_id(row)
    domain = settings.SITE_URL.split("//", 1)[1].split(":")[0].split("/")[0]
    assert re.fullmatch(rf"<d{row.pk}-[0-9a-f]{{10}}@{re.escape(domain)}>", first)


@needs_proc
def test_a_killed_workers_message_is_sent_again_with_the_same_message_id(
    monkeypatch, dead_worker, queued
):
    row = outbox_row()

    def killed_before_recording(*args, **kwargs):
        raise KilledError

    with monkeypatch.context() as patch:
        patch.setattr(outbox, "_record_sent", killed_before_recording)
        with pytest.raises(KilledError):
            deliver_many([row.pk])  # the server accepted it; the worker died
    # The claim was this process's; make it a process that is gone.
    Delivery.objects.filter(pk=row.pk).update(claimed_by=dead_worker)

    assert sweep()["released"] == 1
    assert queued == [(DELIVER, ([row.pk],))]
    assert deliver_many([row.pk]) == {"sent": 1, "retry": 0, "failed": 0}

    assert len(mail.outbox) == 2
    assert message_ids() == [message_id(row)] * 2
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)


def test_each_delivery_has_its_own_message_id():
    rows = [outbox_row() for _ in range(3)]

    deliver_many([r.pk for r in rows])

    assert len(set(message_ids())) == 3
    assert sorted(message_ids()) == sorted(message_id(r) for r in rows)


def test_a_new_row_with_an_old_id_after_a_rebuilt_database_gets_another_message_id():
    row = outbox_row()
    rebuilt = Delivery(
        pk=row.pk, notification_id=row.notification_id, created_at=row.created_at + dt.timedelta(1)
    )

    assert delivery_key(rebuilt) != delivery_key(row)
    assert delivery_key(Delivery.objects.get(pk=row.pk)) == delivery_key(row)


def test_a_push_sent_again_has_the_same_topic_and_another_device_another(
    subscribed,
    push_service,
):
    user = UserFactory()
    subscribed(user, "phone")
    subscribed(user, "laptop")
    notification = Notification.objects.create(recipient=user, event="citizens.test", url="/me/")
    phone, laptop = (
        Delivery.objects.create(
            notification=notification,
            channel=WEBPUSH,
            push_subscription=PushSubscription.objects.get(endpoint=push_service.endpoint(name)),
        )
        for name in ("phone", "laptop")
    )
    push_service.status = 503
    assert deliver_many([phone.pk]) == {"sent": 0, "retry": 1, "failed": 0}
    Delivery.objects.filter(pk=phone.pk).update(next_attempt_at=timezone.now())
    push_service.status = 201
    assert deliver_many([phone.pk, laptop.pk]) == {"sent": 2, "retry": 0, "failed": 0}

    topics = {(r.path, r.headers["topic"]) for r in push_service.received}
    assert topics == {("/push/phone", delivery_key(phone)), ("/push/laptop", delivery_key(laptop))}
    assert len(push_service.received) == 3
    # RFC 8030: at most 32 characters of the URL-safe base64 alphabet.
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,32}", topic) for _path, topic in topics)


# --- Claims of lost workers -----------------------------------------------


def test_a_claim_whose_heartbeat_stopped_comes_back_after_the_lease(settings, queued):
    settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS = 60
    lapsed = outbox_row()
    live = outbox_row()
    claim([lapsed.pk, live.pk])
    owner = "another-host|b007-1d|4026531836|4242|123456"  # its fate cannot be seen from here
    Delivery.objects.filter(pk=lapsed.pk).update(
        claimed_by=owner, heartbeat_at=ago(dt.timedelta(seconds=61))
    )
    Delivery.objects.filter(pk=live.pk).update(
        claimed_by=owner, heartbeat_at=ago(dt.timedelta(seconds=55))
    )

    result = sweep()

    assert result["released"] == 1
    assert Delivery.objects.get(pk=lapsed.pk).status == Status.PENDING
    assert Delivery.objects.get(pk=lapsed.pk).claim_token is None
    assert Delivery.objects.get(pk=live.pk).status == Status.SENDING
    # Queued at once, though younger than the sweep's grace period for new rows.
    assert queued == [(DELIVER, ([lapsed.pk],))]


def test_a_live_workers_claim_is_not_taken(queued):
    row = outbox_row()
    [held] = claim([row.pk])

    assert release_lost_claims() == []
    assert sweep()["released"] == 0

    row.refresh_from_db()
    assert (row.status, row.claim_token) == (Status.SENDING, held.claim_token)
    assert row.claimed_by == process.identity()
    assert deliver_many([row.pk]) == {"sent": 0, "retry": 0, "failed": 0}
    assert queued == []


@needs_proc
def test_a_dead_process_on_this_host_loses_its_claims_at_once(dead_worker, queued):
    row = outbox_row()
    claim([row.pk])
    Delivery.objects.filter(pk=row.pk).update(claimed_by=dead_worker)  # heartbeat just now

    assert release_lost_claims() == [row.pk]
    assert Delivery.objects.get(pk=row.pk).status == Status.PENDING


@needs_proc
def test_a_row_whose_worker_died_on_every_attempt_is_given_up(dead_worker, queued):
    row = outbox_row(attempts=outbox.MAX_ATTEMPTS - 1)
    claim([row.pk])
    Delivery.objects.filter(pk=row.pk).update(claimed_by=dead_worker)

    assert sweep()["released"] == 0

    row.refresh_from_db()
    assert (row.status, row.claim_token) == (Status.FAILED, None)
    assert queued == []


@pytest.mark.parametrize(("seconds_per_row", "renewed"), [(25, True), (5, False)])
def test_the_sending_loop_renews_the_lease_of_the_rows_it_still_holds(
    monkeypatch, settings, seconds_per_row, renewed
):
    settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS = 60
    rows = [outbox_row() for _ in range(3)]
    monkeypatch.setattr(outbox.time, "monotonic", itertools.count(0, seconds_per_row).__next__)
    heartbeat_when_sent = []
    real_sender = outbox.channels.sender

    def slow_channel(name):
        send = real_sender(name)

        def sending(delivery, *args):
            heartbeat_when_sent.append(Delivery.objects.get(pk=delivery.pk).heartbeat_at)
            # Time passes while this row is sent: the stored heartbeats age.
            Delivery.objects.filter(status=Status.SENDING).update(
                heartbeat_at=ago(dt.timedelta(seconds=50))
            )
            send(delivery, *args)

        return sending

    monkeypatch.setattr(outbox.channels, "sender", slow_channel)

    assert deliver_many([r.pk for r in rows]) == {"sent": 3, "retry": 0, "failed": 0}

    # Once a third of the lease has passed since the last renewal, the loop
    # renews its claims before the next row; otherwise it saves the query.
    recent = ago(dt.timedelta(seconds=10))
    first, *later = heartbeat_when_sent
    assert first > recent  # the claim itself
    assert [heartbeat > recent for heartbeat in later] == [renewed, renewed]


def test_a_heartbeat_renews_only_the_claims_still_held():
    held, lost = outbox_row(), outbox_row()
    [first, _second] = claim([held.pk, lost.pk])
    old = ago(dt.timedelta(seconds=80))
    Delivery.objects.filter(pk__in=[held.pk, lost.pk]).update(heartbeat_at=old)
    # The other row was given back and taken by another worker meanwhile.
    Delivery.objects.filter(pk=lost.pk).update(claim_token=None, status=Status.PENDING)

    assert outbox.heartbeat(first.claim_token) == 1

    assert Delivery.objects.get(pk=held.pk).heartbeat_at > old
    assert Delivery.objects.get(pk=lost.pk).heartbeat_at == old


# --- A worker that starts --------------------------------------------------


def test_a_starting_worker_sweeps_now_and_once_the_lease_of_the_dead_ran_out(monkeypatch, settings):
    settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS = 75
    calls = []
    monkeypatch.setattr(tasks.sweep_outbox, "delay", lambda: calls.append(0))
    monkeypatch.setattr(
        tasks.sweep_outbox, "apply_async", lambda countdown: calls.append(countdown)
    )

    worker_ready.send(sender=None)

    assert calls == [0, 80]


@needs_proc
def test_a_killed_workers_message_goes_out_when_a_new_worker_starts(dead_worker, eager):
    row = outbox_row()
    claim([row.pk])
    Delivery.objects.filter(pk=row.pk).update(claimed_by=dead_worker)

    worker_ready.send(sender=None)

    row.refresh_from_db()
    assert row.status == Status.SENT
    assert message_ids() == [message_id(row)]


def test_a_worker_start_without_a_broker_does_not_fail(monkeypatch, caplog):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.sweep_outbox, "delay", broker_down)
    monkeypatch.setattr(tasks.sweep_outbox, "apply_async", broker_down)

    worker_ready.send(sender=None)

    assert "could not queue the outbox sweep" in caplog.text


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_release_a_lost_claim_once():
    rows = [outbox_row() for _ in range(20)]
    claim([r.pk for r in rows])
    Delivery.objects.update(heartbeat_at=ago(lease() + dt.timedelta(seconds=1)))
    sweeps = 4
    start = threading.Barrier(sweeps)
    released, errors = [], []

    def one_sweep():
        try:
            start.wait()
            released.extend(release_lost_claims())
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_sweep) for _ in range(sweeps)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(released) == sorted(r.pk for r in rows)
    assert Delivery.objects.filter(status=Status.PENDING).count() == 20


# --- The setting -----------------------------------------------------------


def test_the_lease_comes_from_the_environment():
    from tests.mycity.test_settings import PRODUCTION, run

    code = "import django; django.setup(); from citizens.notifications import delivery as d; "
    result = run(
        ["-c", code + "print(d.lease().total_seconds())"],
        **PRODUCTION,
        NOTIFICATIONS_CLAIM_LEASE_SECONDS="45",
    )

    assert result.stdout.strip() == "45.0", result.stderr


def test_a_lease_shorter_than_a_slow_send_stops_startup():
    from tests.mycity.test_settings import PRODUCTION, setup_django

    result = setup_django(**PRODUCTION, NOTIFICATIONS_CLAIM_LEASE_SECONDS="10")

    assert result.returncode != 0
    assert "NOTIFICATIONS_CLAIM_LEASE_SECONDS must be at least 30" in result.stderr


# --- Outcomes written a few at a time --------------------------------------


def test_sent_rows_are_recorded_a_few_at_a_time(settings):
    settings.NOTIFICATIONS_RECORD_EVERY = 4
    rows = [outbox_row() for _ in range(10)]

    with CaptureQueriesContext(connection) as queries:
        assert deliver_many([r.pk for r in rows]) == {"sent": 10, "retry": 0, "failed": 0}

    outcome_writes = [
        q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "'sent'" in q["sql"]
    ]
    assert len(outcome_writes) == 3  # 4 + 4 + 2
    assert {(r.status, r.last_error) for r in Delivery.objects.all()} == {(Status.SENT, "")}
    assert Delivery.objects.filter(sent_at=None).count() == 0
    assert len(mail.outbox) == 10


@needs_proc
def test_a_worker_killed_between_two_writes_sends_again_only_what_it_had_not_recorded(
    monkeypatch, settings, dead_worker, queued
):
    settings.NOTIFICATIONS_RECORD_EVERY = 3
    rows = [outbox_row() for _ in range(6)]
    real_record = outbox._record_sent
    writes = itertools.count()

    def killed_at_the_second_write(*args):
        if next(writes):
            raise KilledError
        return real_record(*args)

    with monkeypatch.context() as patch:
        patch.setattr(outbox, "_record_sent", killed_at_the_second_write)
        with pytest.raises(KilledError):
            deliver_many([r.pk for r in rows])
    assert len(mail.outbox) == 6
    unrecorded = Delivery.objects.filter(status=Status.SENDING)
    assert unrecorded.count() == 3
    again = [message_id(r) for r in unrecorded]
    unrecorded.update(claimed_by=dead_worker)

    assert sweep()["released"] == 3
    assert deliver_many([r.pk for r in rows]) == {"sent": 3, "retry": 0, "failed": 0}

    # The three recorded before the kill went once; the three after it twice,
    # the second time with the same Message-ID.
    assert len(mail.outbox) == 9
    assert sorted(message_ids()[6:]) == sorted(again)
    assert {r.status for r in Delivery.objects.all()} == {Status.SENT}


def test_a_failure_in_the_loop_still_records_what_was_sent(monkeypatch, settings):
    settings.NOTIFICATIONS_RECORD_EVERY = 50
    rows = [outbox_row() for _ in range(3)]
    real_sender = outbox.channels.sender
    sent = []

    def broken_after_two(name):
        send = real_sender(name)

        def sending(delivery, *args):
            if len(sent) == 2:
                raise KilledError  # stands for any escape from the loop
            send(delivery, *args)
            sent.append(delivery.pk)

        return sending

    monkeypatch.setattr(outbox.channels, "sender", broken_after_two)
    with pytest.raises(KilledError):
        deliver_many([r.pk for r in rows])

    assert sorted(
        Delivery.objects.filter(status=Status.SENT).values_list("pk", flat=True)
    ) == sorted(sent)
