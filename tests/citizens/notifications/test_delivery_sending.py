"""Sending the outbox: each row is claimed by one worker, sent at most once, and
retried with backoff when its channel fails."""

import datetime as dt
import logging
import threading

import pytest
from django.db import connection
from django.utils import timezone

from citizens.notifications import events
from citizens.notifications.channels import PermanentFailure, TemporaryFailure
from citizens.notifications.delivery import (
    BACKOFF,
    MAX_ATTEMPTS,
    claim,
    deliver_many,
    deliver_one,
    sweep,
)
from citizens.notifications.events import EventType
from citizens.notifications.models import Delivery, Notification
from citizens.tasks import deliver_batch
from tests.citizens.notifications.delivery_helpers import (
    LEASE,
    Status,
    ago,
    outbox_row,
    statuses,
)

pytestmark = pytest.mark.django_db


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent workers need PostgreSQL: SQLite serialises writers, so there is no race",
)

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
