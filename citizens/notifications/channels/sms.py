"""SMS: the title and text, shortened to SMS_MAX_SEGMENTS, with the link, to
the recipient's confirmed phone through SMS_BACKEND.

The phone is looked up when the message is sent: a person who removed or
changed their phone since gets nothing. Each SMS costs the city money, so
before sending the row is refused for good (with the reason in last_error,
shown in the admin) when the person already got SMS_DAILY_CAP_PER_RESIDENT
messages today, or the whole city SMS_DAILY_CAP_TOTAL (0: no cap). "Today"
is the local day (TIME_ZONE). Rows being sent by other workers count too,
so two workers at once do not both pass the last place.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ..events import SMS, get_event
from ..keys import delivery_key
from ..links import absolute
from ..models import Delivery
from ..sms import SmsPermanentError, SmsTemporaryError, segments, send_sms
from ..sms.phone import verified_phone
from . import PermanentFailure, TemporaryFailure


def start_of_day(now: dt.datetime) -> dt.datetime:
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _used_today(delivery, *, per_person: bool) -> int:
    """SMS sent today (and being sent now by other workers), of this person or of all."""
    day = start_of_day(timezone.now())
    rows = Delivery.objects.filter(channel=SMS).filter(
        Q(status=Delivery.Status.SENT, sent_at__gte=day)
        | Q(status=Delivery.Status.SENDING, claimed_at__gte=day)
    )
    if per_person:
        rows = rows.filter(notification__recipient_id=delivery.notification.recipient_id)
    return rows.exclude(pk=delivery.pk).count()


def compose(title: str, text: str, url: str) -> str:
    """The SMS: title and text on lines of their own, the absolute link last."""
    body = f"{title}\n{text}" if text and text != title else title
    return segments.shorten(
        body, link=absolute(url) if url else "", max_segments=settings.SMS_MAX_SEGMENTS
    )


def send(delivery, title: str, text: str, url: str) -> None:
    notification = delivery.notification
    try:
        allowed = get_event(notification.event).allows(SMS)
    except LookupError:
        allowed = False
    if not allowed:
        raise PermanentFailure(f"SMS is not allowed for {notification.event}")
    phone = verified_phone(notification.recipient)
    if phone is None:
        raise PermanentFailure("no confirmed phone")
    cap = settings.SMS_DAILY_CAP_PER_RESIDENT
    if cap and _used_today(delivery, per_person=True) >= cap:
        raise PermanentFailure(f"daily SMS limit of this resident reached ({cap} a day)")
    total = settings.SMS_DAILY_CAP_TOTAL
    if total and _used_today(delivery, per_person=False) >= total:
        raise PermanentFailure(f"daily SMS limit of the city reached ({total} a day)")
    try:
        send_sms(phone=phone, text=compose(title, text, url), reference=delivery_key(delivery))
    except SmsPermanentError as exc:
        raise PermanentFailure(str(exc)) from None
    except SmsTemporaryError as exc:
        raise TemporaryFailure(str(exc)) from None
