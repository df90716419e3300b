"""Sending outbox rows: claim atomically, send, record the outcome.

A row is claimed by one UPDATE ... WHERE status = 'pending' that stamps it
with a fresh token (on PostgreSQL the candidates are first locked with
SELECT ... FOR UPDATE SKIP LOCKED so concurrent workers never wait on each
other). Only the worker holding the token may record the outcome, so a task
that runs twice, or a redelivered task, never sends a row twice.

A worker that dies after claiming leaves the row 'sending'; the sweep gives
it back after LEASE. If the worker died after the provider accepted the
message but before recording it, that message can go out a second time:
e-mail, push services and Telegram take no idempotency key.
"""

import datetime as dt
import logging
import uuid

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone, translation

from . import channels
from .channels import PermanentFailure, TemporaryFailure
from .models import Broadcast, Delivery

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Wait before attempt n+1, by attempts made so far.
BACKOFF = [
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
]
LEASE = dt.timedelta(minutes=15)
# Rows younger than this are left to the on_commit queueing that wrote them.
SWEEP_GRACE = dt.timedelta(seconds=30)
SWEEP_LIMIT = 20000


def claim(ids) -> list[Delivery]:
    """Take the due, pending rows among `ids` for this worker; skip the rest."""
    now = timezone.now()
    token = uuid.uuid4()
    with transaction.atomic():
        candidates = Delivery.objects.filter(
            pk__in=list(ids), status=Delivery.Status.PENDING, next_attempt_at__lte=now
        )
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        pks = list(candidates.values_list("pk", flat=True))
        if not pks:
            return []
        Delivery.objects.filter(pk__in=pks, status=Delivery.Status.PENDING).update(
            status=Delivery.Status.SENDING,
            claim_token=token,
            claimed_at=now,
            attempts=F("attempts") + 1,
        )
    return list(
        Delivery.objects.filter(claim_token=token, status=Delivery.Status.SENDING).select_related(
            "notification__recipient", "push_subscription"
        )
    )


def _record(delivery: Delivery, **fields) -> bool:
    """Write the outcome only if this worker still holds the claim."""
    return bool(
        Delivery.objects.filter(
            pk=delivery.pk, claim_token=delivery.claim_token, status=Delivery.Status.SENDING
        ).update(**fields)
    )


def deliver_many(ids) -> dict[str, int]:
    """Send the given outbox rows that are due and not taken. Returns outcome counts."""
    outcome = {"sent": 0, "retry": 0, "failed": 0}
    for delivery in claim(ids):
        outcome[deliver_one(delivery)] += 1
    return outcome


def deliver_one(delivery: Delivery) -> str:
    notification = delivery.notification
    recipient = notification.recipient
    with translation.override(recipient.preferred_language):
        try:
            # Inside the try: a broken translation must fail this row only,
            # not leave the rest of the batch claimed until the lease runs out.
            title, text = notification.rendered()
            channels.sender(delivery.channel)(delivery, title, text, notification.url)
        except PermanentFailure as exc:
            _record(delivery, status=Delivery.Status.FAILED, last_error=str(exc)[:2000])
            return "failed"
        except Exception as exc:
            if not isinstance(exc, TemporaryFailure):
                logger.exception("delivery %s failed unexpectedly", delivery.pk)
            return _retry_or_fail(
                delivery,
                f"{type(exc).__name__}: {exc}",
                retry_after=getattr(exc, "retry_after", None),
            )
    _record(delivery, status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="")
    return "sent"


def _retry_or_fail(delivery: Delivery, error: str, *, retry_after: float | None = None) -> str:
    if delivery.attempts >= MAX_ATTEMPTS:
        _record(delivery, status=Delivery.Status.FAILED, last_error=error[:2000])
        return "failed"
    wait = BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
    if retry_after:
        # The provider said how long to wait (Telegram's 429 retry_after).
        wait = max(wait, dt.timedelta(seconds=float(retry_after)))
    _record(
        delivery,
        status=Delivery.Status.PENDING,
        next_attempt_at=timezone.now() + wait,
        last_error=error[:2000],
        claim_token=None,
    )
    return "retry"


def retry(ids) -> int:
    """Give failed (or stuck) rows a fresh set of attempts now (the admin's action)."""
    from .services import enqueue_deliveries

    ids = list(ids)
    count = Delivery.objects.filter(
        pk__in=ids, status__in=[Delivery.Status.FAILED, Delivery.Status.CANCELLED]
    ).update(
        status=Delivery.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claim_token=None,
    )
    transaction.on_commit(lambda: enqueue_deliveries(ids))
    return count


def sweep() -> dict[str, int]:
    """The periodic safety net: run by Celery beat every minute.

    Gives back rows whose worker died, queues pending rows that are due
    (their on_commit queueing failed, a retry came due, or quiet hours
    ended) and resumes broadcasts whose fan-out stopped.
    """
    from ..tasks import fan_out_broadcast
    from .services import _safely_queue, enqueue_deliveries

    now = timezone.now()
    stale = Delivery.objects.filter(status=Delivery.Status.SENDING, claimed_at__lt=now - LEASE)
    # A row whose worker died on every attempt is given up, not released forever.
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Delivery.Status.FAILED,
        claim_token=None,
        last_error="the worker was lost during the last attempt",
    )
    released = stale.update(status=Delivery.Status.PENDING, claim_token=None)

    due = list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING,
            next_attempt_at__lte=now,
            created_at__lte=now - SWEEP_GRACE,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    enqueue_deliveries(due)

    resumed = 0
    for broadcast_id in Broadcast.objects.filter(
        status=Broadcast.Status.PENDING, updated_at__lte=now - SWEEP_GRACE
    ).values_list("pk", flat=True):
        resumed += _safely_queue(fan_out_broadcast, broadcast_id)
    return {"released": released, "queued": len(due), "broadcasts": resumed}
