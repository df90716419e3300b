"""Sending outbox rows: claim atomically, send, record the outcome.

A row is claimed by one UPDATE ... WHERE status = 'pending' that stamps it
with a fresh token (on PostgreSQL the candidates are first locked with
SELECT ... FOR UPDATE SKIP LOCKED so concurrent workers never wait on each
other). Only the worker holding the token may record the outcome, so a task
that runs twice, or a redelivered task, never sends a row twice.

The claim also records the worker process (mycity.lib.process.identity) and
a heartbeat that the sending loop renews; the claim lasts lease() after the
last heartbeat. A worker that dies leaves its rows 'sending': the sweep gives
them back once the lease ran out, or at once when the claimant was a process
on the sweeping worker's own host that is no longer running. A new worker
runs the sweep when it starts and again when any claim of a worker that died
before it started has expired (citizens.tasks). If the worker died after the
provider accepted a message but before recording it, that message goes out
a second time, with the same Message-ID (e-mail) or push Topic: see
docs/operations.md, "Notification outbox after a crash".
"""

import datetime as dt
import logging
import os
import time
import uuid
from concurrent import futures

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from mycity.lib import process
from mycity.lib import tasks as task_queue

from . import channels
from .channels import PermanentFailure, TemporaryFailure
from .events import get_event, priority_keys
from .keys import delivery_key, message_id  # noqa: F401 (message_id: the channels' name for it)
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
# Rows younger than this are left to the on_commit queueing that wrote them.
SWEEP_GRACE = dt.timedelta(seconds=30)
SWEEP_LIMIT = 20000
# Sent rows are recorded at least this often (and every NOTIFICATIONS_RECORD_EVERY rows).
RECORD_WITHIN_SECONDS = 1.0


def lease() -> dt.timedelta:
    """How long a claim lasts after its last heartbeat (NOTIFICATIONS_CLAIM_LEASE_SECONDS)."""
    return dt.timedelta(seconds=settings.NOTIFICATIONS_CLAIM_LEASE_SECONDS)


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
            claimed_by=process.identity(),
            heartbeat_at=now,
            attempts=F("attempts") + 1,
        )
    return list(
        Delivery.objects.filter(claim_token=token, status=Delivery.Status.SENDING).select_related(
            "notification__recipient", "push_subscription", "device"
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
    """Send the given outbox rows that are due and not taken. Returns outcome counts.

    Web push and Telegram messages, each an HTTP request that mostly waits
    on the network, are transmitted NOTIFICATIONS_SEND_THREADS at a time
    while e-mails go one after another over the batch's SMTP connection.
    Only the calling thread touches the database.

    Sent rows are recorded a few at a time (one UPDATE for up to
    NOTIFICATIONS_RECORD_EVERY rows, or for what was sent in the last
    second): a statement per message would be most of the cost of a
    city-wide alert. A worker killed between two writes sends those few
    messages again, with the same Message-ID (docs/operations.md).
    Failures and retries are recorded at once.
    """
    outcome = {"sent": 0, "retry": 0, "failed": 0}
    claimed = claim(ids)
    if not claimed:
        return outcome
    loop = _Loop(claimed[0].claim_token)
    together = settings.NOTIFICATIONS_SEND_THREADS > 1
    in_flight = {}
    try:
        with channels.batch():  # one SMTP connection for the batch's e-mails
            for delivery in claimed:
                loop.tick()
                prepare = channels.preparer(delivery.channel) if together else None
                if prepare is None:
                    outcome[deliver_one(delivery, sent=loop.sent)] += 1
                    continue
                transmit = _prepared(delivery, prepare)
                if isinstance(transmit, str):  # failed while preparing
                    outcome[transmit] += 1
                else:
                    in_flight[_pool().submit(transmit)] = delivery
            for future in futures.as_completed(in_flight):
                loop.tick()
                delivery = in_flight.pop(future)
                outcome[_transmitted(delivery, future.exception(), sent=loop.sent)] += 1
    finally:
        # Also when something escapes the loop: what was sent is recorded.
        # (Messages still in flight were handed to the provider or never
        # will be; their rows stay claimed until the lease runs out.)
        loop.sent.flush()
    return outcome


class _Loop:
    """The sending loop's chores between two messages: the heartbeat and the record."""

    def __init__(self, token):
        self.token = token
        self.renewed = time.monotonic()
        self.sent = _SentRows(token, since=self.renewed)

    def tick(self) -> None:
        now = time.monotonic()
        # The heartbeat: a batch takes as long as it takes, a claim lives
        # lease() after the last renewal. Only rows still held are renewed.
        if now - self.renewed >= lease().total_seconds() / 3:
            heartbeat(self.token)
            self.renewed = now
        if now - self.sent.since >= RECORD_WITHIN_SECONDS:
            self.sent.flush(now)


_executor: tuple[int, futures.ThreadPoolExecutor] | None = None


def _pool() -> futures.ThreadPoolExecutor:
    """This process's sending threads (made after a fork: Celery's prefork pool)."""
    global _executor
    if _executor is None or _executor[0] != os.getpid():
        pool = futures.ThreadPoolExecutor(
            max_workers=settings.NOTIFICATIONS_SEND_THREADS, thread_name_prefix="outbox"
        )
        _executor = (os.getpid(), pool)
    return _executor[1]


def _prepared(delivery: Delivery, prepare):
    """The row's transmit(), or its outcome if it failed before reaching the network."""
    notification = delivery.notification
    with translation.override(notification.recipient.preferred_language):
        try:
            title, text = notification.rendered()
            return prepare(delivery, title, text, notification.url)
        except Exception as exc:
            return _failed(delivery, exc)


def _transmitted(delivery: Delivery, exc: BaseException | None, *, sent) -> str:
    if exc is None:
        sent.add(delivery)
        return "sent"
    if not isinstance(exc, Exception):
        raise exc  # not a failure to record: let it end the task
    try:
        channels.aftermath(exc)
    except Exception:
        logger.exception("delivery %s: the provider's answer could not be acted on", delivery.pk)
    return _failed(delivery, exc)


class _SentRows:
    """Rows of one claim that were sent and are not yet recorded."""

    def __init__(self, token, *, since: float):
        self.token = token
        self.pks: list[int] = []
        self.since = since

    def add(self, delivery: Delivery) -> None:
        self.pks.append(delivery.pk)
        if len(self.pks) >= settings.NOTIFICATIONS_RECORD_EVERY:
            self.flush()

    def flush(self, now: float | None = None) -> None:
        if self.pks:
            _record_sent(self.token, self.pks)
            self.pks = []
        if now is not None:
            self.since = now


def _record_sent(token, pks) -> int:
    """Mark sent the rows among `pks` that this claim (`token`) still holds."""
    return Delivery.objects.filter(
        pk__in=pks, claim_token=token, status=Delivery.Status.SENDING
    ).update(status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="")


def heartbeat(token) -> int:
    """Extend this worker's claims (those with `token` still 'sending')."""
    return Delivery.objects.filter(claim_token=token, status=Delivery.Status.SENDING).update(
        heartbeat_at=timezone.now()
    )


def deliver_one(delivery: Delivery, *, sent: _SentRows | None = None) -> str:
    """Send one claimed row and record the outcome (a sent row through `sent`, if given)."""
    notification = delivery.notification
    recipient = notification.recipient
    with translation.override(recipient.preferred_language):
        try:
            # Inside the try: a broken translation must fail this row only,
            # not leave the rest of the batch claimed until the lease runs out.
            title, text = notification.rendered()
            channels.sender(delivery.channel)(delivery, title, text, notification.url)
        except Exception as exc:
            return _failed(delivery, exc)
    if sent is None:
        _record_sent(delivery.claim_token, [delivery.pk])
    else:
        sent.add(delivery)
    return "sent"


def _failed(delivery: Delivery, exc: Exception) -> str:
    """Record a failed attempt: given up, or to be tried again later."""
    if isinstance(exc, PermanentFailure):
        _record(delivery, status=Delivery.Status.FAILED, last_error=str(exc)[:2000])
        return "failed"
    if not isinstance(exc, TemporaryFailure):
        logger.error("delivery %s failed unexpectedly", delivery.pk, exc_info=exc)
    return _retry_or_fail(
        delivery,
        f"{type(exc).__name__}: {exc}",
        retry_after=getattr(exc, "retry_after", None),
    )


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
    from .services import enqueue_by_lane

    ids = list(ids)
    count = Delivery.objects.filter(
        pk__in=ids, status__in=[Delivery.Status.FAILED, Delivery.Status.CANCELLED]
    ).update(
        status=Delivery.Status.PENDING,
        attempts=0,
        next_attempt_at=timezone.now(),
        claim_token=None,
    )
    transaction.on_commit(lambda: enqueue_by_lane(ids))
    return count


def release_lost_claims(now: dt.datetime | None = None) -> list[int]:
    """Give back the rows of workers that are gone; returns their ids.

    Lost: the lease ran out (no heartbeat for lease()), or the claimant was a
    process on this host that no longer runs (a killed worker, seen by the
    new one at start). A live claim is never taken: each row is released by
    one conditional UPDATE that still requires it to be 'sending' with a
    lapsed heartbeat or a dead owner, so a heartbeat or a concurrent sweep
    that came first wins.
    """
    now = now or timezone.now()
    sending = Delivery.objects.filter(status=Delivery.Status.SENDING)
    cutoff = now - lease()
    owners = set(
        sending.filter(heartbeat_at__gte=cutoff)
        .order_by()
        .values_list("claimed_by", flat=True)
        .distinct()
    )
    dead = [owner for owner in owners if owner and process.is_dead(owner)]
    lost = sending.filter(Q(heartbeat_at__lt=cutoff) | Q(claimed_by__in=dead))
    # A row whose worker died on every attempt is given up, not released forever.
    lost.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Delivery.Status.FAILED,
        claim_token=None,
        last_error="the worker was lost during the last attempt",
    )
    with transaction.atomic():
        # As in claim(): a concurrent sweep skips the rows this one is taking.
        if connection.features.has_select_for_update_skip_locked:
            lost = lost.select_for_update(skip_locked=True)
        ids = list(lost.values_list("pk", flat=True)[:SWEEP_LIMIT])
        if not ids:
            return []
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.PENDING, claim_token=None
        )
    logger.warning("released %s outbox rows of lost workers", len(ids))
    return ids


def sweep() -> dict[str, int]:
    """The periodic safety net: run by Celery beat every minute, and by each
    worker when it starts.

    Gives back rows whose worker died, queues pending rows that are due
    (their on_commit queueing failed, a retry came due, quiet hours ended, or
    they were just given back) and resumes broadcasts whose fan-out stopped.
    """
    from .services import FAN_OUT_BROADCAST, enqueue_by_lane, enqueue_deliveries, lane

    now = timezone.now()
    released = release_lost_claims(now)

    pending = Delivery.objects.filter(
        status=Delivery.Status.PENDING,
        next_attempt_at__lte=now,
        created_at__lte=now - SWEEP_GRACE,
    ).order_by("next_attempt_at")
    # The priority lane's rows first and apart: a backlog of digests never hides them.
    lane_rows = pending.filter(notification__event__in=priority_keys())
    urgent = list(lane_rows.values_list("pk", flat=True)[:SWEEP_LIMIT])
    enqueue_deliveries(urgent, on=settings.NOTIFICATIONS_PRIORITY_QUEUE)
    due = list(
        pending.exclude(pk__in=lane_rows.values("pk")).values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    enqueue_deliveries(due)
    # Rows just given back are queued even if younger than the grace period.
    enqueue_by_lane(sorted(set(released) - set(due) - set(urgent)))
    queued = len(set(urgent) | set(due) | set(released))

    resumed = 0
    for broadcast_id, event in Broadcast.objects.filter(
        status=Broadcast.Status.PENDING, updated_at__lte=now - SWEEP_GRACE
    ).values_list("pk", "event"):
        on = lane(get_event(event))
        resumed += task_queue.queue(FAN_OUT_BROADCAST, broadcast_id, on=on)
    return {"released": len(released), "queued": queued, "broadcasts": resumed}
