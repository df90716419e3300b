"""Sending the outbox: each row is claimed by one worker, sent at most once,
retried with backoff, and never lost, even when the broker is down."""

import datetime as dt
import logging
import threading
import time

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from citizens.notifications import channels, events
from citizens.notifications.channels import PermanentFailure, TemporaryFailure
from citizens.notifications.delivery import (
    BACKOFF,
    MAX_ATTEMPTS,
    SWEEP_GRACE,
    claim,
    deliver_many,
    deliver_one,
    lease,
    retry,
    sweep,
)
from citizens.notifications.events import EMAIL, EventType
from citizens.notifications.models import Broadcast, Delivery, Notification
from citizens.notifications.services import notify_audience
from citizens.services import user_verify_resident
from citizens.tasks import deliver_batch
from mycity.celery import app as celery_app
from mycity.lib import tasks as task_queue
from tests.factories import UserFactory, verify_email

pytestmark = pytest.mark.django_db

DELIVER = "citizens.tasks.deliver_batch"
FAN_OUT = "citizens.tasks.fan_out_broadcast"
Status = Delivery.Status
LEASE = lease()

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent workers need PostgreSQL: SQLite serialises writers, so there is no race",
)


class FakeChannel:
    """A channel that records what it was asked to send and can fail on demand."""

    def __init__(self):
        self.sent: list[int] = []
        self.error: Exception | None = None
        self.pause = 0.0
        self.during_send = None
        self._lock = threading.Lock()

    def __call__(self, delivery, title, text, url):
        if self.pause:
            time.sleep(self.pause)
        if self.during_send:
            self.during_send(delivery)
        if self.error:
            raise self.error
        with self._lock:
            self.sent.append(delivery.pk)


@pytest.fixture
def channel(monkeypatch):
    fake = FakeChannel()
    monkeypatch.setattr(channels, "sender", lambda name: fake)
    return fake


@pytest.fixture
def queued(monkeypatch):
    """What would go to the broker, as (task name, args), instead of sending it."""
    calls = []

    def record(task, *args):
        calls.append((task if isinstance(task, str) else task.name, args))
        return True

    monkeypatch.setattr(task_queue, "queue", record)
    return calls


def person(**fields):
    user = UserFactory(**fields)
    verify_email(user)
    return user


def outbox_row(user=None, **fields) -> Delivery:
    notification = Notification.objects.create(
        recipient=user or person(), event="citizens.test", url="/me/"
    )
    return Delivery.objects.create(notification=notification, channel=EMAIL, **fields)


def ago(delta: dt.timedelta) -> dt.datetime:
    return timezone.now() - delta


def statuses(*rows) -> list[str]:
    return [Delivery.objects.get(pk=row.pk).status for row in rows]


# --- Claiming --------------------------------------------------------------


def test_second_claim_of_the_same_rows_gets_nothing():
    rows = [outbox_row() for _ in range(3)]
    ids = [r.pk for r in rows]

    first = claim(ids)
    second = claim(ids)

    assert sorted(d.pk for d in first) == sorted(ids)
    assert second == []
    assert statuses(*rows) == [Status.SENDING] * 3
    assert len({d.claim_token for d in first}) == 1


def test_claim_lost_between_select_and_update_gets_nothing():
    row = outbox_row()
    taken = []

    def other_worker_claims_first(execute, sql, params, many, context):
        # Worker B has chosen its candidates; worker A claims them before B's UPDATE.
        if sql.lstrip().upper().startswith("UPDATE") and not taken:
            taken.append(None)  # A's own UPDATE passes through
            taken[0] = claim([row.pk])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(other_worker_claims_first):
        lost = claim([row.pk])

    assert [d.pk for d in taken[0]] == [row.pk]
    assert lost == []
    assert Delivery.objects.get(pk=row.pk).claim_token == taken[0][0].claim_token


@pytest.mark.parametrize("status", [Status.SENDING, Status.SENT, Status.FAILED, Status.CANCELLED])
def test_claim_takes_only_pending_rows(status):
    row = outbox_row(status=status)

    assert claim([row.pk]) == []
    assert statuses(row) == [status]


def test_claim_leaves_rows_that_are_not_due_yet():
    later = outbox_row(next_attempt_at=timezone.now() + dt.timedelta(minutes=5))

    assert claim([later.pk]) == []


def test_claim_counts_the_attempt():
    row = outbox_row(attempts=2)

    [claimed] = claim([row.pk])

    assert claimed.attempts == 3
    assert claimed.claimed_at is not None


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_send_each_row_exactly_once(channel):
    channel.pause = 0.005
    ids = [outbox_row().pk for _ in range(40)]
    workers = 4
    start = threading.Barrier(workers)
    outcomes, errors = [], []

    def worker():
        try:
            start.wait()
            outcomes.append(deliver_many(ids))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sorted(channel.sent) == sorted(ids)
    assert sum(o["sent"] for o in outcomes) == len(ids)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Status.SENT}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


def test_worker_arriving_while_another_is_sending_finds_nothing(channel):
    rows = [outbox_row() for _ in range(3)]
    ids = [r.pk for r in rows]
    second_worker = []
    channel.during_send = lambda d: second_worker.append(deliver_many(ids))

    first = deliver_many(ids)

    assert first == {"sent": 3, "retry": 0, "failed": 0}
    assert second_worker == [{"sent": 0, "retry": 0, "failed": 0}] * 3
    assert sorted(channel.sent) == sorted(ids)


def test_task_delivered_twice_sends_once(channel, eager):
    row = outbox_row()

    deliver_batch.delay([row.pk])
    deliver_batch.delay([row.pk])

    assert channel.sent == [row.pk]


# --- Outcomes --------------------------------------------------------------


def test_sent_row_records_when(channel):
    row = outbox_row()
    before = timezone.now()

    assert deliver_many([row.pk]) == {"sent": 1, "retry": 0, "failed": 0}

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 1, "")
    assert before <= row.sent_at <= timezone.now()


def test_temporary_failure_is_retried_after_the_first_backoff(channel):
    channel.error = TemporaryFailure("mail server busy")
    row = outbox_row()
    before = timezone.now()

    assert deliver_many([row.pk]) == {"sent": 0, "retry": 1, "failed": 0}

    row.refresh_from_db()
    assert (row.status, row.attempts, row.claim_token) == (Status.PENDING, 1, None)
    assert "mail server busy" in row.last_error
    assert before + BACKOFF[0] <= row.next_attempt_at <= timezone.now() + BACKOFF[0]


@pytest.mark.parametrize("attempts_before", range(len(BACKOFF)))
def test_each_retry_waits_longer(channel, attempts_before):
    channel.error = TemporaryFailure("busy")
    row = outbox_row(attempts=attempts_before)
    before = timezone.now()

    deliver_many([row.pk])

    row.refresh_from_db()
    wait = BACKOFF[attempts_before]
    assert row.attempts == attempts_before + 1
    assert before + wait <= row.next_attempt_at <= timezone.now() + wait


def test_a_provider_asking_for_a_longer_wait_is_obeyed(channel):
    failure = TemporaryFailure("Too Many Requests")
    failure.retry_after = 900
    channel.error = failure
    row = outbox_row()
    before = timezone.now()

    deliver_many([row.pk])

    row.refresh_from_db()
    assert row.next_attempt_at >= before + dt.timedelta(seconds=900)


def test_a_provider_asking_for_a_shorter_wait_still_gets_the_backoff(channel):
    failure = TemporaryFailure("Too Many Requests")
    failure.retry_after = 1
    channel.error = failure
    row = outbox_row()
    before = timezone.now()

    deliver_many([row.pk])

    row.refresh_from_db()
    assert row.next_attempt_at >= before + BACKOFF[0]


def test_retried_row_is_not_taken_before_its_time(channel):
    channel.error = TemporaryFailure("busy")
    row = outbox_row()
    deliver_many([row.pk])
    channel.error = None

    assert deliver_many([row.pk]) == {"sent": 0, "retry": 0, "failed": 0}
    assert channel.sent == []


def test_row_fails_after_the_last_attempt(channel):
    channel.error = TemporaryFailure("still busy")
    row = outbox_row(attempts=MAX_ATTEMPTS - 1)

    assert deliver_many([row.pk]) == {"sent": 0, "retry": 0, "failed": 1}

    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, MAX_ATTEMPTS)
    assert "still busy" in row.last_error


def test_a_row_is_tried_max_attempts_times_in_all(channel):
    channel.error = TemporaryFailure("down")
    row = outbox_row()

    for _ in range(MAX_ATTEMPTS + 2):
        Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        deliver_many([row.pk])

    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, MAX_ATTEMPTS)


def test_permanent_failure_fails_at_once(channel):
    channel.error = PermanentFailure("550 no such mailbox")
    row = outbox_row()

    assert deliver_many([row.pk]) == {"sent": 0, "retry": 0, "failed": 1}

    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert row.last_error == "550 no such mailbox"


def test_unexpected_error_is_logged_and_retried(channel, caplog):
    channel.error = ValueError("template bug")
    row = outbox_row()

    with caplog.at_level(logging.ERROR, logger="citizens.notifications.delivery"):
        assert deliver_many([row.pk]) == {"sent": 0, "retry": 1, "failed": 0}

    row.refresh_from_db()
    assert row.status == Status.PENDING
    assert row.last_error == "ValueError: template bug"
    assert f"delivery {row.pk} failed unexpectedly" in caplog.text


def test_one_failing_row_does_not_stop_the_batch(channel):
    rows = [outbox_row() for _ in range(3)]
    bad = rows[1].pk

    def fail_one(d):
        channel.error = PermanentFailure("refused") if d.pk == bad else None

    channel.during_send = fail_one

    assert deliver_many([r.pk for r in rows]) == {"sent": 2, "retry": 0, "failed": 1}
    assert statuses(*rows) == [Status.SENT, Status.FAILED, Status.SENT]


def test_row_that_cannot_be_rendered_does_not_hold_up_its_batch(channel, monkeypatch, caplog):
    # A translator's typo in a placeholder ("%(count)d" given no number) fails
    # rendering; the rest of the batch must still go out.
    broken = EventType(key="tests.broken", label="x", title="%(count)d new answers", text="")
    monkeypatch.setitem(events.registry(), broken.key, broken)
    good = outbox_row()
    bad = outbox_row()
    Notification.objects.filter(pk=bad.notification_id).update(event=broken.key)

    with caplog.at_level(logging.ERROR, logger="citizens.notifications.delivery"):
        outcome = deliver_many([bad.pk, good.pk])

    assert outcome == {"sent": 1, "retry": 1, "failed": 0}
    assert channel.sent == [good.pk]
    bad.refresh_from_db()
    assert (bad.status, bad.attempts) == (Status.PENDING, 1)
    assert bad.last_error.startswith("TypeError")


@pytest.mark.parametrize(
    "error", [None, PermanentFailure("refused"), TemporaryFailure("busy")], ids=str
)
def test_worker_that_lost_its_claim_cannot_write_the_outcome(channel, queued, error):
    row = outbox_row()
    [stale] = claim([row.pk])  # worker A, then it hangs past the lease
    Delivery.objects.filter(pk=row.pk).update(heartbeat_at=ago(LEASE + dt.timedelta(seconds=1)))
    sweep()
    deliver_many([row.pk])  # worker B sends it
    sent = Delivery.objects.get(pk=row.pk)
    assert sent.status == Status.SENT

    channel.error = error
    deliver_one(stale)  # worker A wakes up

    row.refresh_from_db()
    assert (row.status, row.sent_at, row.last_error) == (Status.SENT, sent.sent_at, "")
    assert row.claim_token == sent.claim_token != stale.claim_token


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


# --- The admin ---------------------------------------------------------------


@pytest.fixture
def admin_client(client_for, city_admin):
    city_admin.preferred_language = "en"
    city_admin.save(update_fields=["preferred_language"])
    return client_for(city_admin)


def test_admin_lists_deliveries_with_recipient_and_error(admin_client):
    user = person(email="oksana@example.com")
    outbox_row(user, status=Status.FAILED, last_error="SMTP 550: " + "x" * 300)

    response = admin_client.get(reverse("admin:citizens_delivery_changelist"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "oksana@example.com" in html
    assert "SMTP 550: " in html
    assert "x" * 100 not in html  # an excerpt, not the whole error


def test_admin_finds_deliveries_by_recipient_email(admin_client):
    outbox_row(person(email="oksana@example.com"))
    outbox_row(person(email="taras@example.com"))

    response = admin_client.get(reverse("admin:citizens_delivery_changelist"), {"q": "oksana"})

    assert response.status_code == 200
    assert [d.notification.recipient.email for d in response.context["cl"].result_list] == [
        "oksana@example.com"
    ]


def test_admin_filters_deliveries_by_status_and_channel(admin_client):
    failed = outbox_row(status=Status.FAILED)
    outbox_row(status=Status.SENT)

    response = admin_client.get(
        reverse("admin:citizens_delivery_changelist"), {"status": "failed", "channel": "email"}
    )

    assert [d.pk for d in response.context["cl"].result_list] == [failed.pk]


def test_admin_delivery_list_makes_the_same_queries_for_many_rows(
    admin_client, django_assert_max_num_queries
):
    for _ in range(30):
        outbox_row()
    url = reverse("admin:citizens_delivery_changelist")
    admin_client.get(url)  # sessions, permissions and MFA state warmed up

    with django_assert_max_num_queries(12):
        assert admin_client.get(url).status_code == 200


def test_admin_retry_action_resets_failed_rows_and_says_so(
    admin_client, queued, django_capture_on_commit_callbacks
):
    failed = outbox_row(status=Status.FAILED, attempts=MAX_ATTEMPTS, last_error="550")
    sent = outbox_row(status=Status.SENT)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:citizens_delivery_changelist"),
            {"action": "retry_deliveries", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert statuses(failed, sent) == [Status.PENDING, Status.SENT]
    assert Delivery.objects.get(pk=failed.pk).attempts == 0
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "1 delivery will be sent again.",
        "1 delivery was left alone: only failed or cancelled ones are retried.",
    ]
    [(task, (ids,))] = queued
    assert (task, sorted(ids)) == (DELIVER, sorted([failed.pk, sent.pk]))


def test_admin_shows_a_delivery_read_only(admin_client):
    row = outbox_row(status=Status.FAILED, last_error="550 no such mailbox")
    url = reverse("admin:citizens_delivery_change", args=[row.pk])

    page = admin_client.get(url)
    admin_client.post(url, {"status": "sent", "attempts": 0})

    assert page.status_code == 200
    assert "550 no such mailbox" in page.content.decode()
    assert 'name="status"' not in page.content.decode()
    assert statuses(row) == [Status.FAILED]


def test_admin_cannot_add_or_delete_outbox_rows(admin_client):
    row = outbox_row()

    add = admin_client.get(reverse("admin:citizens_delivery_add"))
    delete = admin_client.post(
        reverse("admin:citizens_delivery_delete", args=[row.pk]), {"post": "yes"}
    )

    assert add.status_code == 403
    assert delete.status_code == 403
    assert Delivery.objects.filter(pk=row.pk).exists()


def test_staff_without_change_permission_is_not_offered_retry(client_for, moderator):
    outbox_row()
    moderator.user_permissions.add(Permission.objects.get(codename="view_delivery"))

    response = client_for(moderator).get(reverse("admin:citizens_delivery_changelist"))

    assert response.status_code == 200
    assert "retry_deliveries" not in response.content.decode()
