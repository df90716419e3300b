"""SMS instead of a critical alert that did not reach the person's devices.

A resident with no data connection gets no push and no Telegram message, but
an SMS still arrives. So a push of an event with `sms_fallback`
(news.alert_critical) carries a receipt link with a token only this row has
(receipt_token); the service worker (static/js/sw.js) POSTs to it when the
push arrives, and the row records `received_at`.

Every minute (Celery beat, citizens.tasks.sms_fallback) the sweep looks at
such messages of the last SMS_FALLBACK_MAX_AGE_HOURS and writes one SMS row
(is_fallback) for each one that did not reach the person: no device
acknowledged any of its pushes within SMS_FALLBACK_AFTER_MINUTES of their
sending, and Telegram did not take it either (a message Telegram accepted
counts as arrived: the Bot API gives no receipt from the phone). A push or
Telegram row that failed counts as not arrived at once; one still waiting
for quiet hours to end is not due yet, so nothing falls back for it. Only
people with a confirmed phone who did not turn the fallback off get one,
and never a second: the outbox's one-row-per-channel constraint holds it,
whatever the number of sweeps running at once. People who chose SMS for the
event already have their SMS row.
"""

import datetime as dt
import hmac
import logging
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from mycity.lib import tasks as task_queue

from ..events import APP, SMS, TELEGRAM, WEBPUSH, sms_fallback_keys
from ..keys import delivery_key
from ..models import Delivery, NotificationSettings
from . import is_configured
from .phone import verified_phones

logger = logging.getLogger(__name__)

# Queued by name, as services.DELIVER_BATCH (the services import this package).
DELIVER_BATCH = "citizens.tasks.deliver_batch"
RECEIPT_SALT = "citizens.notifications.push-receipt"
SWEEP_LIMIT = 5000
Status = Delivery.Status


def is_active() -> bool:
    return bool(settings.SMS_FALLBACK_AFTER_MINUTES) and is_configured()


def receipt_token(delivery: Delivery) -> str:
    """Unguessable, and the same for every attempt of one row (keyed by SECRET_KEY)."""
    return salted_hmac(RECEIPT_SALT, delivery_key(delivery), algorithm="sha256").hexdigest()[:32]


def receipt_url(delivery: Delivery) -> str | None:
    """Where the service worker acknowledges this push, or None when nobody waits for it."""
    if delivery.notification.event not in sms_fallback_keys() or not is_active():
        return None
    # A path: the service worker posts it to its own origin only.
    return reverse("notifications:push_received", args=[delivery.pk, receipt_token(delivery)])


def push_receipt_record(*, delivery_id: int, token: str) -> bool:
    """Record that the device got the push of row `delivery_id`; False for a wrong token.

    Idempotent: the first receipt's time stays.
    """
    delivery = Delivery.objects.filter(pk=delivery_id, channel=WEBPUSH).first()
    if delivery is None or not hmac.compare_digest(receipt_token(delivery), str(token)):
        return False
    Delivery.objects.filter(pk=delivery.pk, received_at__isnull=True).update(
        received_at=timezone.now()
    )
    return True


def _reached(row: dict) -> bool:
    if row["channel"] == WEBPUSH:
        return row["received_at"] is not None
    return row["status"] == Status.SENT  # Telegram (or FCM, for the app) took it


def _overdue(row: dict, cutoff: dt.datetime) -> bool:
    """This row had its chance and it did not arrive."""
    if row["status"] == Status.FAILED:
        return True
    if row["status"] == Status.SENT:  # a push nobody acknowledged
        return row["sent_at"] is not None and row["sent_at"] <= cutoff
    # Pending or sending: retried after failures for long enough, or not due yet.
    return row["attempts"] >= 1 and row["created_at"] <= cutoff


def needs_fallback(rows: list[dict], cutoff: dt.datetime) -> bool:
    """Whether a message's push and Telegram rows all missed the person."""
    rows = [row for row in rows if row["status"] != Status.CANCELLED]
    if not rows or any(_reached(row) for row in rows):
        return False
    return all(_overdue(row, cutoff) for row in rows)


def sms_fallback_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Write the fallback SMS rows that are due; returns their ids (queued after commit)."""
    if not is_active():
        return []
    keys = sms_fallback_keys()
    if not keys:
        return []
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.SMS_FALLBACK_AFTER_MINUTES)
    oldest = now - dt.timedelta(hours=settings.SMS_FALLBACK_MAX_AGE_HOURS)
    has_sms = Delivery.objects.filter(notification_id=OuterRef("notification_id"), channel=SMS)
    candidates = (
        Delivery.objects.filter(
            Q(created_at__lte=cutoff) | Q(status=Status.FAILED),
            channel__in=[WEBPUSH, TELEGRAM],
            received_at__isnull=True,
            created_at__gte=oldest,
            notification__event__in=keys,
        )
        .exclude(status=Status.CANCELLED)
        .exclude(Exists(has_sms))
        .order_by()
        .values_list("notification_id", flat=True)
        .distinct()
    )
    notification_ids = list(candidates[:SWEEP_LIMIT])
    if not notification_ids:
        return []
    by_notification: dict[int, list[dict]] = defaultdict(list)
    recipients: dict[int, int] = {}
    # A message FCM took for the person's phone counts as arrived, as Telegram's does.
    for row in Delivery.objects.filter(
        notification_id__in=notification_ids, channel__in=[WEBPUSH, TELEGRAM, APP]
    ).values(
        "notification_id",
        "notification__recipient_id",
        "channel",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        "received_at",
    ):
        by_notification[row["notification_id"]].append(row)
        recipients[row["notification_id"]] = row["notification__recipient_id"]
    due = [pk for pk, rows in by_notification.items() if needs_fallback(rows, cutoff)]
    if not due:
        return []
    phones = verified_phones({recipients[pk] for pk in due})
    declined = set(
        NotificationSettings.objects.filter(
            user_id__in=list(phones), sms_fallback=False
        ).values_list("user_id", flat=True)
    )
    due = [pk for pk in due if recipients[pk] in phones and recipients[pk] not in declined]
    if not due:
        return []
    with transaction.atomic():
        # A concurrent sweep's row wins the unique constraint; this one is skipped.
        Delivery.objects.bulk_create(
            [
                Delivery(
                    notification_id=pk,
                    channel=SMS,
                    is_fallback=True,
                    next_attempt_at=now,
                    created_at=now,
                )
                for pk in due
            ],
            ignore_conflicts=True,
        )
        ids = list(
            Delivery.objects.filter(
                notification_id__in=due,
                channel=SMS,
                is_fallback=True,
                status=Status.PENDING,
                created_at=now,
            ).values_list("pk", flat=True)
        )
        if ids:
            transaction.on_commit(lambda: _queue(ids))
    if ids:
        logger.info("SMS fallback for %s critical alerts that did not arrive", len(ids))
    return ids


def _queue(ids: list[int], chunk: int = 100) -> None:
    """On the priority lane; a broker that is down leaves them to the outbox's sweep."""
    for start in range(0, len(ids), chunk):
        if not task_queue.queue(
            DELIVER_BATCH, ids[start : start + chunk], on=settings.NOTIFICATIONS_PRIORITY_QUEUE
        ):
            return
