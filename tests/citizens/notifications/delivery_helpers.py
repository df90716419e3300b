"""Helpers shared by the tests of sending the outbox: a fake channel that records
what it was asked to send and fails on demand, and outbox rows to send."""

import datetime as dt
import threading
import time

from django.utils import timezone

from citizens.notifications.delivery import lease
from citizens.notifications.events import EMAIL
from citizens.notifications.models import Delivery, Notification
from tests.factories import UserFactory, verify_email

DELIVER = "citizens.tasks.deliver_batch"
FAN_OUT = "citizens.tasks.fan_out_broadcast"
Status = Delivery.Status
LEASE = lease()


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


def person(**fields):
    user = UserFactory(**fields)
    verify_email(user)
    return user


def outbox_row(user=None, event="citizens.test", **fields) -> Delivery:
    notification = Notification.objects.create(recipient=user or person(), event=event, url="/me/")
    return Delivery.objects.create(notification=notification, channel=EMAIL, **fields)


def ago(delta: dt.timedelta) -> dt.datetime:
    return timezone.now() - delta


def statuses(*rows) -> list[str]:
    return [Delivery.objects.get(pk=row.pk).status for row in rows]
