"""The priority lane: alerts are fanned out and sent through a queue of their own.

Critical and warning alerts (EventType.priority) go on
settings.NOTIFICATIONS_PRIORITY_QUEUE, which a dedicated worker reads alone,
so a digest to the whole city never stands in front of an air-raid alert.
(tests/citizens/notifications/test_worker.py runs it with a real worker.)
"""

import datetime as dt

import pytest

from citizens.notifications import delivery
from citizens.notifications.delivery import SWEEP_GRACE, retry, sweep
from citizens.notifications.events import get_event, priority_keys
from citizens.notifications.models import Broadcast, Delivery
from citizens.notifications.services import broadcast_fan_out_step, notify, notify_audience
from tests.citizens.notifications.delivery_helpers import DELIVER, FAN_OUT, Status, ago, outbox_row
from tests.factories import UserFactory, verify_email

pytestmark = pytest.mark.django_db

LANE = "priority"
ALERT = "news.alert_critical"
CONTEXT = {"icon": "🚨", "title": "Повітряна тривога", "text": "Пройдіть в укриття."}


def person():
    user = UserFactory()
    verify_email(user)
    return user


def rows(event: str) -> list[int]:
    return sorted(Delivery.objects.filter(notification__event=event).values_list("pk", flat=True))


def test_alerts_are_in_the_lane_and_digests_are_not():
    assert {"news.alert_critical", "news.alert", "news.alert_update"} <= priority_keys()
    assert not get_event("news.digest").priority
    assert not get_event("citizens.test").priority


def test_an_alerts_messages_are_queued_in_the_lane(queued, django_capture_on_commit_callbacks):
    user = person()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[user], event=ALERT, context=CONTEXT)
        notify(recipients=[user], event="citizens.test")

    assert queued == [(DELIVER, (rows(ALERT),), LANE), (DELIVER, (rows("citizens.test"),))]


def test_an_alerts_fan_out_runs_in_the_lane(queued, django_capture_on_commit_callbacks):
    person()
    with django_capture_on_commit_callbacks(execute=True):
        broadcast = notify_audience(event=ALERT, context=CONTEXT)
        digest = notify_audience(event="news.digest", context={"count": 1, "items": "…"})
    assert queued == [(FAN_OUT, (broadcast.pk,), LANE), (FAN_OUT, (digest.pk,))]

    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        broadcast_fan_out_step(broadcast_id=broadcast.pk)
    assert queued == [(DELIVER, (rows(ALERT),), LANE)]


def test_the_lane_has_its_own_queue_name(settings, queued, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_PRIORITY_QUEUE = "alerts-first"
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[person()], event=ALERT, context=CONTEXT)

    assert queued == [(DELIVER, (rows(ALERT),), "alerts-first")]


def test_the_sweep_queues_the_lanes_rows_first_and_apart(queued, monkeypatch):
    old = ago(SWEEP_GRACE + dt.timedelta(seconds=1))
    # More due digests than one sweep takes, all older than the alert.
    monkeypatch.setattr(delivery, "SWEEP_LIMIT", 2)
    digests = [
        outbox_row(created_at=old, next_attempt_at=ago(dt.timedelta(hours=1))) for _ in "abc"
    ]
    alert = outbox_row(event=ALERT, created_at=old)

    result = sweep()

    assert queued == [
        (DELIVER, ([alert.pk],), LANE),
        (DELIVER, ([digests[0].pk, digests[1].pk],)),
    ]
    assert result["queued"] == 3


def test_the_sweep_resumes_an_alerts_fan_out_in_the_lane(queued):
    alert = Broadcast.objects.create(event=ALERT, context=CONTEXT)
    other = Broadcast.objects.create(event="citizens.test")
    Broadcast.objects.update(updated_at=ago(SWEEP_GRACE + dt.timedelta(seconds=1)))

    sweep()

    assert sorted(queued, key=lambda call: call[1]) == [
        (FAN_OUT, (alert.pk,), LANE),
        (FAN_OUT, (other.pk,)),
    ]


def test_rows_given_back_after_a_crash_return_to_their_lane(queued, settings):
    lost = ago(dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS + 5))
    alert = outbox_row(event=ALERT, status=Status.SENDING, heartbeat_at=lost, claimed_at=lost)
    other = outbox_row(status=Status.SENDING, heartbeat_at=lost, claimed_at=lost)

    sweep()

    assert sorted(queued, key=len, reverse=True) == [
        (DELIVER, ([alert.pk],), LANE),
        (DELIVER, ([other.pk],)),
    ]


def test_the_admins_retry_puts_each_row_back_in_its_lane(
    queued, django_capture_on_commit_callbacks
):
    alert = outbox_row(event=ALERT, status=Status.FAILED)
    other = outbox_row(status=Status.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        assert retry([other.pk, alert.pk]) == 2

    assert queued == [(DELIVER, ([alert.pk],), LANE), (DELIVER, ([other.pk],))]
