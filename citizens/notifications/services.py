"""Writing notifications: every state change of the outbox starts here.

`notify()` and `notify_audience()` run inside the caller's transaction, so a
notification exists exactly when the change it tells about was saved.
Delivery is queued with on_commit; if the broker is down then, the rows stay
pending and the periodic sweep (delivery.sweep) sends them later.
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mycity.lib import tasks as task_queue

from ..models import User
from ..pagecache import bump_person_on_commit
from . import audiences, channels
from .errors import NotificationError
from .events import (
    APP,
    EMAIL,
    SMS,
    TELEGRAM,
    WEBPUSH,
    EventType,
    get_event,
    priority_keys,
    registry,
)
from .models import (
    Broadcast,
    Delivery,
    Device,
    Notification,
    NotificationPreference,
    NotificationSettings,
    PushSubscription,
    TelegramLink,
)
from .sms.phone import verified_phones

BATCH_SIZE = 1000
# Queued by name (mycity.lib.tasks.queue): the tasks module imports this one.
DELIVER_BATCH = "citizens.tasks.deliver_batch"
FAN_OUT_BROADCAST = "citizens.tasks.fan_out_broadcast"
logger = logging.getLogger(__name__)


def notify(
    *,
    recipients: Iterable,
    event: str,
    context: dict | None = None,
    url: str = "",
) -> int:
    """Tell each recipient (users or user ids) about `event`, on every channel they want.

    Writes one inbox notification per recipient and one outbox row per
    channel (and push device) in the caller's transaction, in batches with
    bulk inserts. Returns the number of notifications written.
    """
    event_type = get_event(event)
    ids = list(dict.fromkeys(getattr(r, "pk", r) for r in recipients))
    written = 0
    for start in range(0, len(ids), BATCH_SIZE):
        notifications, delivery_ids = _write_batch(
            user_ids=ids[start : start + BATCH_SIZE],
            event=event_type,
            context=context or {},
            url=url,
        )
        written += notifications
        _enqueue_on_commit(delivery_ids, on=lane(event_type))
    return written


def lane(event: EventType) -> str | None:
    """The Celery queue of this event's messages: the priority lane, or the default (None)."""
    return settings.NOTIFICATIONS_PRIORITY_QUEUE if event.priority else None


def notify_audience(
    *,
    event: str,
    context: dict | None = None,
    url: str = "",
    district_ids: Iterable[int] | None = None,
    verified_only: bool = False,
    also: Iterable[tuple[str, dict]] | None = None,
    exclude: Iterable[tuple[str, dict]] | None = None,
) -> Broadcast:
    """Tell a whole audience (a set of districts, or the whole city) about `event`.

    Only a Broadcast row is written in the caller's transaction; a task fans
    it out in batches after commit, so a city-wide alert does not hold the
    caller's transaction open for 100,000 rows. `also` adds people of named
    audiences (audiences.py) to those living in `district_ids` (with no
    district_ids, only they are told); `exclude` leaves people of named
    audiences out.
    """
    event_type = get_event(event)
    audience = {"verified_only": bool(verified_only)}
    if district_ids is not None:
        audience["district_ids"] = sorted({int(d) for d in district_ids})
    if also:
        audience["also"] = audiences.normalise(also)
    if exclude:
        audience["exclude"] = audiences.normalise(exclude)
    broadcast = Broadcast.objects.create(
        event=event, context=context or {}, url=url, audience=audience
    )

    # An alert's fan-out runs in the priority lane too, ahead of digests.
    transaction.on_commit(
        lambda: task_queue.queue(FAN_OUT_BROADCAST, broadcast.pk, on=lane(event_type))
    )
    return broadcast


def audience_queryset(audience: dict):
    users = User.objects.filter(is_active=True)
    scope = None
    if "district_ids" in audience:
        scope = Q(district_id__in=audience["district_ids"])
    for key, params in audience.get("also", ()):
        named = Q(pk__in=audiences.user_ids(key, params))
        scope = named if scope is None else scope | named
    if scope is not None:
        users = users.filter(scope)
    for key, params in audience.get("exclude", ()):
        users = users.exclude(pk__in=audiences.user_ids(key, params))
    if audience.get("verified_only"):
        users = users.filter(is_verified_resident=True)
    return users


def broadcast_fan_out_step(*, broadcast_id: int, batch_size: int = BATCH_SIZE) -> bool:
    """Write the next batch of a broadcast. Returns True while more remain.

    The broadcast row is locked and its cursor advanced in the same
    transaction as the batch it covers: a task run twice writes nothing twice.
    """
    with transaction.atomic():
        broadcast = Broadcast.objects.select_for_update().get(pk=broadcast_id)
        if broadcast.status == Broadcast.Status.DONE:
            return False
        ids = list(
            audience_queryset(broadcast.audience)
            .filter(pk__gt=broadcast.cursor)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            broadcast.status = Broadcast.Status.DONE
            broadcast.save(update_fields=["status", "updated_at"])
            return False
        event = get_event(broadcast.event)
        written, delivery_ids = _write_batch(
            user_ids=ids,
            event=event,
            context=broadcast.context,
            url=broadcast.url,
            broadcast=broadcast,
        )
        broadcast.cursor = ids[-1]
        broadcast.recipient_count += written
        broadcast.save(update_fields=["cursor", "recipient_count", "updated_at"])
        _enqueue_on_commit(delivery_ids, on=lane(event))
    return True


def broadcast_lane(broadcast_id: int) -> str | None:
    """The queue a broadcast's fan-out continues on (see lane())."""
    key = Broadcast.objects.filter(pk=broadcast_id).values_list("event", flat=True).first()
    return lane(get_event(key)) if key else None


def _write_batch(
    *, user_ids: list[int], event: EventType, context: dict, url: str, broadcast=None
) -> tuple[int, list[int]]:
    """Bulk-insert notifications and their outbox rows for up to BATCH_SIZE users."""
    now = timezone.now()
    available = channels.available()
    verified_email = EmailAddress.objects.filter(
        user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
    )
    users = list(
        User.objects.filter(pk__in=user_ids, is_active=True)
        .annotate(email_ok=Exists(verified_email))
        .order_by("pk")
        .values_list("pk", "email_ok")
    )
    if not users:
        return 0, []
    ids = [pk for pk, _ok in users]
    prefs = {
        (user_id, channel): enabled
        for user_id, channel, enabled in NotificationPreference.objects.filter(
            user_id__in=ids, event=event.key
        ).values_list("user_id", "channel", "enabled")
    }
    quiet = {
        user_id: (start, end, event.urgent and event.key not in (held or []))
        for user_id, start, end, held in NotificationSettings.objects.filter(
            user_id__in=ids, quiet_hours_start__isnull=False
        ).values_list("user_id", "quiet_hours_start", "quiet_hours_end", "held_in_quiet_hours")
    }
    devices = _devices_by_user(PushSubscription, ids, WEBPUSH in available)
    phones_with_app = _devices_by_user(Device, ids, APP in available)
    telegram = set()
    if TELEGRAM in available:
        telegram = set(
            TelegramLink.objects.filter(user_id__in=ids, chat_id__isnull=False).values_list(
                "user_id", flat=True
            )
        )
    phones = set()
    if SMS in available and event.sms:
        phones = set(verified_phones(ids))

    notifications = Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=pk,
                event=event.key,
                context=context,
                url=url,
                urgent=event.urgent,
                broadcast=broadcast,
                created_at=now,
            )
            for pk in ids
        ]
    )
    # The bell on each recipient's kept pages counts one more.
    bump_person_on_commit(*ids)

    def wants(user_id, channel):
        default = channel in event.default_channels
        if not event.mutable:
            return default
        return prefs.get((user_id, channel), default)

    deliveries = []
    for notification, (pk, email_ok) in zip(notifications, users, strict=True):
        due = release_time(now=now, quiet=quiet.get(pk))

        def row(channel, subscription=None, device=None, n=notification, due=due):
            return Delivery(
                notification=n,
                channel=channel,
                push_subscription_id=subscription,
                device_id=device,
                next_attempt_at=due,
                created_at=now,
            )

        if email_ok and wants(pk, EMAIL):
            deliveries.append(row(EMAIL))
        if devices[pk] and wants(pk, WEBPUSH):
            deliveries.extend(row(WEBPUSH, sub) for sub in devices[pk])
        if phones_with_app[pk] and wants(pk, APP):
            deliveries.extend(row(APP, device=phone) for phone in phones_with_app[pk])
        if pk in telegram and wants(pk, TELEGRAM):
            deliveries.append(row(TELEGRAM))
        if pk in phones and wants(pk, SMS):
            deliveries.append(row(SMS))
    Delivery.objects.bulk_create(deliveries, batch_size=BATCH_SIZE)
    due_now = [d.pk for d in deliveries if d.next_attempt_at <= now]
    return len(notifications), due_now


def _devices_by_user(model, user_ids: list[int], offered: bool) -> defaultdict:
    """user id -> ids of their web push subscriptions or app devices (none if not offered)."""
    found = defaultdict(list)
    if offered:
        for user_id, pk in model.objects.filter(user_id__in=user_ids).values_list("user_id", "pk"):
            found[user_id].append(pk)
    return found


def release_time(*, now: dt.datetime, quiet: tuple | None) -> dt.datetime:
    """When a message may go out: now, or the end of the person's quiet hours.

    `quiet`: (start, end, passes), `passes` when the message is of an urgent
    kind the person did not choose to hold (critical alerts, by default).
    """
    if not quiet:
        return now
    start, end, passes = quiet
    if start == end or passes:
        return now
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    t = local.time()
    in_quiet = (start <= t < end) if start < end else (t >= start or t < end)
    if not in_quiet:
        return now
    release = local.replace(
        hour=end.hour, minute=end.minute, second=end.second, microsecond=end.microsecond
    )
    if release <= local:
        release += dt.timedelta(days=1)
    return release


def _enqueue_on_commit(delivery_ids: list[int], *, on: str | None = None) -> None:
    if delivery_ids:
        transaction.on_commit(lambda ids=tuple(delivery_ids): enqueue_deliveries(ids, on=on))


def enqueue_deliveries(delivery_ids, *, chunk: int = 100, on: str | None = None) -> None:
    """Queue delivery tasks (on the queue `on`); a broker failure is left to the sweep."""
    ids = list(delivery_ids)
    for start in range(0, len(ids), chunk):
        if not task_queue.queue(DELIVER_BATCH, ids[start : start + chunk], on=on):
            return  # the broker is down: the sweep picks up the rest


def enqueue_by_lane(delivery_ids) -> None:
    """Queue rows whose events are not known here: the priority lane's first, on its queue."""
    ids = list(delivery_ids)
    if not ids:
        return
    urgent = set(
        Delivery.objects.filter(pk__in=ids, notification__event__in=priority_keys()).values_list(
            "pk", flat=True
        )
    )
    enqueue_deliveries([pk for pk in ids if pk in urgent], on=settings.NOTIFICATIONS_PRIORITY_QUEUE)
    enqueue_deliveries([pk for pk in ids if pk not in urgent])


# --- The person's side: inbox and preferences ------------------------------


def notification_mark_read(*, user: User, notification_id: int) -> Notification:
    try:
        notification = Notification.objects.get(pk=notification_id, recipient=user)
    except Notification.DoesNotExist:
        raise NotificationError(_("This notification does not exist.")) from None
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    bump_person_on_commit(user.pk)
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def preferences_set(*, user: User, choices: dict[tuple[str, str], bool]) -> None:
    """Store (event, channel) -> on/off; a choice equal to the default removes the row."""
    for (event_key, channel), enabled in choices.items():
        event = get_event(event_key)
        if not event.mutable:
            continue
        if channel not in channels.SENDERS:
            raise NotificationError(_("Unknown channel."))
        if not event.allows(channel):
            raise NotificationError(_("This kind of message cannot come by SMS."))
        if enabled == (channel in event.default_channels):
            NotificationPreference.objects.filter(
                user=user, event=event_key, channel=channel
            ).delete()
        else:
            NotificationPreference.objects.update_or_create(
                user=user, event=event_key, channel=channel, defaults={"enabled": enabled}
            )


def urgent_events() -> list[EventType]:
    """The kinds of message that come during quiet hours unless a person holds them."""
    return [event for event in registry().values() if event.urgent]


def quiet_hours_set(
    *,
    user: User,
    start: dt.time | None,
    end: dt.time | None,
    held: Iterable[str] = (),
) -> NotificationSettings:
    """Quiet hours, and the urgent kinds (`held`) that wait for their end too."""
    if (start is None) != (end is None):
        raise NotificationError(_("Give both the start and the end of quiet hours, or neither."))
    urgent = {event.key for event in urgent_events()}
    unknown = set(held) - urgent
    if unknown:
        raise NotificationError(_("Only urgent alerts can be let through quiet hours."))
    row, _created = NotificationSettings.objects.update_or_create(
        user=user,
        defaults={
            "quiet_hours_start": start,
            "quiet_hours_end": end,
            "held_in_quiet_hours": sorted(set(held)),
        },
    )
    return row


def unsubscribe(*, user_id: int, event: str, channel: str = EMAIL) -> None:
    """Switch one event off on one channel (the e-mail unsubscribe link)."""
    user = User.objects.get(pk=user_id)
    if event == "*":
        choices = {
            (key, channel): False
            for key, e in registry().items()
            if e.mutable and e.allows(channel)
        }
    else:
        choices = {(event, channel): False}
    preferences_set(user=user, choices=choices)
    # Rows already waiting for this channel are not sent either.
    pending = Delivery.objects.filter(
        notification__recipient_id=user_id, channel=channel, status=Delivery.Status.PENDING
    )
    if event != "*":
        pending = pending.filter(notification__event=event)
    pending.update(status=Delivery.Status.CANCELLED, last_error="unsubscribed")
