"""Web push: one POST per device to the browser vendor's push service.

The payload is encrypted for the browser (RFC 8291, aes128gcm) and the
request is signed with our VAPID key (RFC 8292), both by pywebpush. The
push service's answer decides the row's fate: 2xx sent; 404/410 the
subscription expired, so the device is forgotten; other 4xx will never
work; 408, 429, 5xx and network errors are tried again later.
"""

import json
import logging
import threading
from functools import cache

import requests
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from ..addresses import cancel_pending
from ..keys import delivery_key
from ..links import absolute
from ..models import PushSubscription
from ..push_endpoints import endpoint_problem
from ..sms.fallback import receipt_url
from . import PermanentFailure, TemporaryFailure, failure, run

logger = logging.getLogger(__name__)

# How long the push service keeps a message for a phone that is offline.
TTL_SECONDS = 12 * 3600
TIMEOUT = (5, 15)  # connect, read
# Push services take about 4 KB of encrypted payload; a lock screen shows a
# few lines anyway.
TITLE_MAX = 200
BODY_MAX = 1000
ICON = "/static/img/favicon.svg"
RETRY_STATUSES = {408, 425, 429}
GONE_STATUSES = {404, 410}

_local = threading.local()


def _session() -> requests.Session:
    """One keep-alive session per worker thread: push services are few hosts."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        # A push service never redirects; following one could reach a host
        # the endpoint check never saw.
        session.max_redirects = 0
        _local.session = session
    return session


@cache
def _vapid(private_key: str) -> Vapid:
    vapid = Vapid.from_string(private_key=private_key)
    # py_vapid's own check of `sub` refuses valid https URLs that have a path
    # or a trailing slash (like the default f"{SITE_URL}/"); RFC 8292 only
    # asks for a mailto: or https: URI.
    vapid.conf = {"no-strict": True}
    return vapid


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def payload(delivery, title: str, text: str, url: str) -> dict:
    """What the service worker receives (static/js/sw.js shows it).

    A critical alert that falls back to SMS carries `receipt`, where the
    worker acknowledges it (citizens.notifications.sms.fallback).
    """
    data = {
        "title": _shorten(title, TITLE_MAX),
        "body": _shorten(text, BODY_MAX),
        "url": absolute(url or reverse("notifications:inbox")),
        "tag": f"notification-{delivery.notification_id}",
        "lang": translation.get_language() or settings.LANGUAGE_CODE,
        "icon": ICON,
    }
    receipt = receipt_url(delivery)
    if receipt:
        data["receipt"] = receipt
    return data


def send(delivery, title: str, text: str, url: str) -> None:
    run(prepare(delivery, title, text, url))


def prepare(delivery, title: str, text: str, url: str):
    """Check the device and build the payload now; `transmit()` posts it (any thread)."""
    subscription = delivery.push_subscription
    notification = delivery.notification
    if subscription is None:
        raise PermanentFailure("the device was removed")
    if subscription.user_id != notification.recipient_id:
        raise PermanentFailure("the device now belongs to another account")
    if not (settings.VAPID_PRIVATE_KEY and settings.VAPID_PUBLIC_KEY):
        raise TemporaryFailure("web push is not configured (VAPID keys)")
    problem = endpoint_problem(subscription.endpoint)
    if problem:
        raise PermanentFailure(f"endpoint refused: {problem}")

    data = json.dumps(payload(delivery, title, text, url), ensure_ascii=False)
    subscription_info = {
        "endpoint": subscription.endpoint,
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    headers = {
        "Urgency": "high" if notification.urgent else "normal",
        # RFC 8030 5.4: a message with the same topic replaces one the push
        # service still holds, so a retry after a lost worker does not queue
        # a second copy for a phone that is offline.
        "Topic": delivery_key(delivery),
    }

    def transmit() -> None:
        try:
            webpush(
                subscription_info=subscription_info,
                data=data,
                vapid_private_key=_vapid(settings.VAPID_PRIVATE_KEY),
                # A fresh dict each time: pywebpush fills in aud and exp in place.
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                ttl=TTL_SECONDS,
                headers=dict(headers),
                timeout=TIMEOUT,
                requests_session=_session(),
            )
        except WebPushException as exc:
            _answered(exc, subscription)
        except requests.TooManyRedirects as exc:
            raise PermanentFailure("the push service answered with a redirect") from exc

    return transmit


def _answered(exc: WebPushException, subscription: PushSubscription) -> None:
    """Return if the push service took the message; raise the failure it calls for."""
    response = exc.response
    if response is None:  # pywebpush refused the subscription's keys
        raise PermanentFailure(f"web push: {exc.message}") from exc
    status = response.status_code
    if 200 <= status < 300:
        return
    detail = f"push service answered {status}: {response.text[:300]}"
    if status in GONE_STATUSES:
        # The push service's word that this subscription expired or was revoked.
        raise failure(PermanentFailure, detail, then=lambda: _forget(subscription, status)) from exc
    if status in RETRY_STATUSES or status >= 500:
        retry_after = response.headers.get("Retry-After")
        if retry_after:
            detail += f" (Retry-After: {retry_after})"
        raise TemporaryFailure(detail) from exc
    raise PermanentFailure(detail) from exc


def _forget(subscription: PushSubscription, status: int) -> None:
    cancel_pending(subscription, reason="subscription expired")
    PushSubscription.objects.filter(pk=subscription.pk, endpoint=subscription.endpoint).delete()
    logger.info("push subscription %s expired (%s); removed", subscription.pk, status)
