"""SMS instead of a critical alert that did not reach the person: the receipt
the service worker sends for a push, and the sweep that writes the SMS."""

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from citizens import tasks
from citizens.notifications.delivery import deliver_many
from citizens.notifications.events import SMS, TELEGRAM, WEBPUSH
from citizens.notifications.models import Delivery, Notification, NotificationSettings
from citizens.notifications.sms.fallback import receipt_token, sms_fallback_sweep
from tests.citizens.notifications.outbox_helpers import push_device
from tests.citizens.notifications.sms_helpers import (
    ALERT,
    ALERT_CONTEXT,
    PHONE,
    choose_sms,
    resident_with_phone,
    sms_rows,
)
from tests.citizens.notifications.webpush_helpers import push_delivery
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = Delivery.Status


def ago(minutes: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=minutes)


def alert_row(user, *, channel=WEBPUSH, event=ALERT, status=Status.SENT, minutes=10, **fields):
    """A push (or Telegram) row of an alert written `minutes` ago, sent then unless told."""
    notification = Notification.objects.create(
        recipient=user, event=event, context=ALERT_CONTEXT, created_at=ago(minutes)
    )
    if channel == WEBPUSH and "push_subscription" not in fields:
        fields["push_subscription"] = push_device(user, Delivery.objects.count())
    if status == Status.SENT:
        fields.setdefault("sent_at", ago(minutes))
    fields.setdefault("attempts", 1 if status != Status.PENDING else 0)
    return Delivery.objects.create(
        notification=notification, channel=channel, status=status, created_at=ago(minutes), **fields
    )


def sweep(capture) -> list[int]:
    with capture(execute=True):
        return sms_fallback_sweep()


# --- The sweep ---------------------------------------------------------------


def test_an_unreceived_critical_push_falls_back_to_exactly_one_sms(
    sms, queued, django_capture_on_commit_callbacks
):
    user = resident_with_phone()
    push = alert_row(user)

    ids = sweep(django_capture_on_commit_callbacks)
    again = sweep(django_capture_on_commit_callbacks)

    [row] = sms_rows(user)
    assert ids == [row.pk]
    assert again == []
    assert row.notification_id == push.notification_id
    assert row.is_fallback
    assert row.status == Status.PENDING
    assert queued == [("citizens.tasks.deliver_batch", ([row.pk],), "priority")]


def test_the_fallback_sms_goes_out_through_the_worker(
    sms, queued, django_capture_on_commit_callbacks
):
    user = resident_with_phone(preferred_language="uk")
    alert_row(user)
    [row_id] = sweep(django_capture_on_commit_callbacks)

    assert deliver_many([row_id])["sent"] == 1
    [message] = sms
    assert message.phone == PHONE
    assert message.text.startswith("🚨 Повітряна тривога")


def test_a_received_push_does_not_fall_back(sms, queued, django_capture_on_commit_callbacks):
    user = resident_with_phone()
    alert_row(user, received_at=ago(9))

    assert sweep(django_capture_on_commit_callbacks) == []
    assert not sms_rows(user).exists()


def test_one_received_device_of_several_is_enough(sms, queued, django_capture_on_commit_callbacks):
    user = resident_with_phone()
    first = alert_row(user)
    Delivery.objects.create(
        notification=first.notification,
        channel=WEBPUSH,
        push_subscription=push_device(user, 1),
        status=Status.SENT,
        sent_at=ago(10),
        created_at=ago(10),
        received_at=ago(9),
    )

    assert sweep(django_capture_on_commit_callbacks) == []


def test_a_push_younger_than_the_wait_does_not_fall_back_yet(
    sms, queued, django_capture_on_commit_callbacks
):
    user = resident_with_phone()
    alert_row(user, minutes=2)

    assert sweep(django_capture_on_commit_callbacks) == []


def test_without_a_confirmed_phone_nothing_falls_back(
    sms, queued, django_capture_on_commit_callbacks
):
    user = UserFactory(phone=PHONE)  # never confirmed
    alert_row(user)

    assert sweep(django_capture_on_commit_callbacks) == []
    assert not sms_rows().exists()


@pytest.mark.parametrize("event", ["news.alert", "news.alert_update", "citizens.test"])
def test_other_events_never_fall_back(event, sms, queued, django_capture_on_commit_callbacks):
    user = resident_with_phone()
    alert_row(user, event=event)

    assert sweep(django_capture_on_commit_callbacks) == []


def test_a_resident_who_turned_the_fallback_off_gets_no_sms(
    sms, queued, django_capture_on_commit_callbacks
):
    user = resident_with_phone()
    NotificationSettings.objects.create(user=user, sms_fallback=False)
    alert_row(user)

    assert sweep(django_capture_on_commit_callbacks) == []


def test_the_fallback_is_off_when_its_minutes_are_zero(
    sms, settings, queued, django_capture_on_commit_callbacks
):
    settings.SMS_FALLBACK_AFTER_MINUTES = 0
    user = resident_with_phone()
    alert_row(user)

    assert sweep(django_capture_on_commit_callbacks) == []


def test_a_resident_who_chose_sms_gets_no_second_one(
    sms, queued, django_capture_on_commit_callbacks
):
    user = resident_with_phone()
    choose_sms(user)
    push = alert_row(user)
    Delivery.objects.create(notification=push.notification, channel=SMS, status=Status.SENT)

    assert sweep(django_capture_on_commit_callbacks) == []
    assert sms_rows(user).count() == 1


def test_a_failed_telegram_message_falls_back_at_once(
    sms, queued, django_capture_on_commit_callbacks
):
    user = resident_with_phone()
    alert_row(user, channel=TELEGRAM, status=Status.FAILED, minutes=1)

    assert len(sweep(django_capture_on_commit_callbacks)) == 1


def test_a_failed_push_falls_back_at_once(sms, queued, django_capture_on_commit_callbacks):
    user = resident_with_phone()
    alert_row(user, status=Status.FAILED, minutes=1)

    assert len(sweep(django_capture_on_commit_callbacks)) == 1


def test_a_message_telegram_took_does_not_fall_back(
    sms, queued, django_capture_on_commit_callbacks
):
    user = resident_with_phone()
    push = alert_row(user)
    Delivery.objects.create(
        notification=push.notification,
        channel=TELEGRAM,
        status=Status.SENT,
        sent_at=ago(10),
        created_at=ago(10),
    )

    assert sweep(django_capture_on_commit_callbacks) == []


def test_a_push_held_for_quiet_hours_does_not_fall_back(
    sms, queued, django_capture_on_commit_callbacks
):
    user = resident_with_phone()
    alert_row(user, status=Status.PENDING, next_attempt_at=timezone.now() + dt.timedelta(hours=5))

    assert sweep(django_capture_on_commit_callbacks) == []


def test_a_push_still_failing_after_the_wait_falls_back(
    sms, queued, django_capture_on_commit_callbacks
):
    user = resident_with_phone()
    alert_row(user, status=Status.PENDING, attempts=2, last_error="push service answered 503")

    assert len(sweep(django_capture_on_commit_callbacks)) == 1


def test_an_alert_older_than_the_fallback_window_is_left_alone(
    sms, queued, django_capture_on_commit_callbacks
):
    user = resident_with_phone()
    alert_row(user, minutes=60 * (django_settings.SMS_FALLBACK_MAX_AGE_HOURS + 1))

    assert sweep(django_capture_on_commit_callbacks) == []


def test_the_beat_task_runs_the_sweep(sms, queued, settings):
    user = resident_with_phone()
    alert_row(user)

    assert tasks.sms_fallback() == 1
    assert sms_rows(user).count() == 1
    assert "notifications-sms-fallback" in settings.CELERY_BEAT_SCHEDULE


# --- The push receipt ------------------------------------------------------------


def receipt_path(row) -> str:
    return reverse("notifications:push_received", args=[row.pk, receipt_token(row)])


def test_a_critical_push_carries_its_receipt_and_the_receipt_stops_the_fallback(
    sms,
    subscribed,
    push_service,
    eager,
    queued,
    client,
    django_capture_on_commit_callbacks,
):
    from citizens.notifications.services import notify

    user = resident_with_phone()
    browser = subscribed(user)
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[user], event=ALERT, context=ALERT_CONTEXT, url="/news/")
    row = push_delivery(user)
    deliver_many([row.pk])
    [request] = push_service.received
    payload = browser.decrypt(request.body)
    assert payload["receipt"] == receipt_path(row)

    response = client.post(payload["receipt"])  # no session, no CSRF token: the service worker

    assert response.status_code == 204
    row.refresh_from_db()
    assert row.received_at is not None
    Delivery.objects.filter(pk=row.pk).update(created_at=ago(10), sent_at=ago(10))
    assert sweep(django_capture_on_commit_callbacks) == []


def test_a_push_of_another_event_carries_no_receipt(
    sms, subscribed, push_service, eager, django_capture_on_commit_callbacks
):
    from tests.citizens.notifications.webpush_helpers import send_test_notification

    user = resident_with_phone()
    browser = subscribed(user)
    send_test_notification(user, django_capture_on_commit_callbacks)

    [request] = push_service.received
    assert "receipt" not in browser.decrypt(request.body)


def test_the_receipt_refuses_a_wrong_token(sms, client):
    row = alert_row(resident_with_phone())

    response = client.post(reverse("notifications:push_received", args=[row.pk, "0" * 32]))

    assert response.status_code == 404
    row.refresh_from_db()
    assert row.received_at is None


def test_the_receipt_of_one_row_does_not_fit_another(sms, client):
    user = resident_with_phone()
    first, second = alert_row(user), alert_row(user)
    token = receipt_token(first)

    response = client.post(reverse("notifications:push_received", args=[second.pk, token]))

    assert response.status_code == 404
    second.refresh_from_db()
    assert second.received_at is None


def test_the_receipt_is_idempotent(sms, client):
    row = alert_row(resident_with_phone())
    assert client.post(receipt_path(row)).status_code == 204
    row.refresh_from_db()
    first = row.received_at

    assert client.post(receipt_path(row)).status_code == 204
    row.refresh_from_db()
    assert row.received_at == first


def test_the_receipt_takes_only_post(sms, client):
    row = alert_row(resident_with_phone())

    assert client.get(receipt_path(row)).status_code == 405


def test_the_service_worker_acknowledges_a_push_with_its_receipt(client):
    source = client.get(reverse("notifications:service_worker")).content.decode()

    assert "acknowledge(data.receipt)" in source
    assert 'method: "POST"' in source


def test_the_receipt_of_a_row_that_does_not_exist_is_refused(sms, client):
    for delivery_id in (0, 2**31, 10**30):
        path = reverse("notifications:push_received", args=[delivery_id, "0" * 32])
        assert client.post(path).status_code == 404
