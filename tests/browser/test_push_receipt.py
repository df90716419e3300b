"""The service worker acknowledges a critical alert's push in a real Chromium.

The push is handed to the worker through the DevTools protocol
(ServiceWorker.deliverPushMessage), as a push service would after
decrypting it: the worker shows it and POSTs its receipt, and the outbox
row records that the device got it, so no SMS falls back for it.
"""

import datetime as dt
import json
import time

import pytest
from django.utils import timezone

from citizens.notifications.channels.webpush import payload
from citizens.notifications.models import Delivery, Notification
from citizens.notifications.sms.fallback import sms_fallback_sweep
from tests.citizens.notifications.outbox_helpers import push_device
from tests.citizens.notifications.sms_helpers import ALERT, ALERT_CONTEXT, resident_with_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sms_site(settings):
    settings.SMS_BACKEND = "citizens.notifications.sms.backends.LocmemBackend"
    settings.SMS_FALLBACK_AFTER_MINUTES = 5
    return settings


def registration_id(cdp, page, url: str) -> str:
    found: dict[str, str] = {}

    def updated(event):
        for registration in event.get("registrations", []):
            if registration.get("scopeURL") == f"{url}/" and not registration.get("isDeleted"):
                found["id"] = registration["registrationId"]

    cdp.on("ServiceWorker.workerRegistrationUpdated", updated)
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while "id" not in found and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert "id" in found, "the service worker did not register"
    return found["id"]


def test_the_worker_acknowledges_a_critical_push_so_no_sms_follows(
    sms_site, phone_page, live_server
):
    user = resident_with_phone()
    notification = Notification.objects.create(recipient=user, event=ALERT, context=ALERT_CONTEXT)
    row = Delivery.objects.create(
        notification=notification, channel="webpush", push_subscription=push_device(user)
    )
    data = payload(row, "🚨 Повітряна тривога", "Прямуйте до укриття.", "/")
    assert "receipt" in data
    page = phone_page
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.goto(f"{live_server.url}/")
    page.evaluate("navigator.serviceWorker.register('/sw.js', {scope: '/'})")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = page.context.new_cdp_session(page)

    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_server.url,
            "registrationId": registration_id(cdp, page, live_server.url),
            "data": json.dumps(data),
        },
    )

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        row.refresh_from_db()
        if row.received_at:
            break
        page.wait_for_timeout(100)
    assert row.received_at is not None
    ten_minutes_ago = timezone.now() - dt.timedelta(minutes=10)
    Delivery.objects.filter(pk=row.pk).update(
        status=Delivery.Status.SENT, created_at=ten_minutes_ago, sent_at=ten_minutes_ago
    )
    assert sms_fallback_sweep() == []  # unacknowledged, the same row would fall back
