"""Web push devices: which browsers may receive a person's notifications.

A browser hands us a PushSubscription (an endpoint at its vendor's push
service and two keys). The endpoint is where our server will POST, so it is
checked before it is stored: https only, and never an address on this
machine or a private network, which would let anyone make our workers call
internal services. Loopback endpoints are accepted only where
`loopback_endpoints_allowed()` says so: in development (DEBUG) and in tests
that run a fake push service, which set WEBPUSH_ALLOW_LOOPBACK.
"""

import base64
import binascii
import ipaddress
import re
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..models import User
from . import channels
from .events import WEBPUSH
from .models import Delivery, PushSubscription
from .services import NotificationError

# A person rarely has more; the oldest goes when a new one comes past this,
# so one account cannot make every notification fan out to thousands of rows.
MAX_DEVICES = 10
ENDPOINT_MAX_LENGTH = PushSubscription._meta.get_field("endpoint").max_length
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_configured() -> bool:
    """Push is offered only with both VAPID keys set."""
    return WEBPUSH in channels.available()


def loopback_endpoints_allowed() -> bool:
    """Whether endpoints on this machine (127.0.0.1, ::1, localhost) are accepted.

    Off in production. WEBPUSH_ALLOW_LOOPBACK (default: DEBUG) switches it;
    tests that run a fake push service on 127.0.0.1 turn it on.
    """
    return settings.WEBPUSH_ALLOW_LOOPBACK


def endpoint_problem(endpoint: str) -> str | None:
    """Why a push endpoint is refused, in the active language, or None if it is fine.

    The rule: https to a browser push service (WEBPUSH_ALLOWED_HOSTS). On
    loopback (127.0.0.0/8, ::1, localhost), http or https, only when
    loopback_endpoints_allowed(). Never a private, link-local or otherwise
    reserved address.
    """
    if not isinstance(endpoint, str) or not endpoint:
        return _("The subscription has no endpoint.")
    if len(endpoint) > ENDPOINT_MAX_LENGTH:
        return _("The push endpoint is too long.")
    try:
        URLValidator(schemes=["http", "https"])(endpoint)
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower().rstrip(".")
    except (ValidationError, ValueError):
        return _("The push endpoint is not a valid web address.")
    if parts.username or parts.password:
        return _("The push endpoint is not a valid web address.")
    if _is_loopback(host):
        if loopback_endpoints_allowed():
            return None
        return _("Push endpoints on this server are not accepted.")
    if parts.scheme != "https":
        return _("The push endpoint must use https.")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None  # a name; push services are reached by name
    if address is not None and not address.is_global:
        return _("Push endpoints on private networks are not accepted.")
    allowed = settings.WEBPUSH_ALLOWED_HOSTS
    if allowed and not any(host == s or host.endswith(f".{s}") for s in allowed):
        # A name can resolve to an internal address: only known push services.
        return _("This push service is not supported.")
    return None


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _b64url_bytes(value) -> bytes | None:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_-]+={0,2}", value):
        return None
    try:
        return base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def clean_keys(p256dh, auth) -> tuple[str, str]:
    """The two subscription keys, checked and normalised to unpadded base64url.

    p256dh is the browser's P-256 public key (65 bytes, uncompressed, on the
    curve); auth is a 16-byte secret. Raises NotificationError otherwise.
    """
    public = _b64url_bytes(p256dh)
    if public is None or len(public) != 65 or public[0] != 4:
        raise NotificationError(_("The subscription's public key is not valid."))
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), public)
    except ValueError:
        raise NotificationError(_("The subscription's public key is not valid.")) from None
    secret = _b64url_bytes(auth)
    if secret is None or len(secret) != 16:
        raise NotificationError(_("The subscription's auth secret is not valid."))
    return _b64url(public), _b64url(secret)


def device_label(user_agent: str) -> str:
    """A short name for a browser ("Chrome on Android") from its User-Agent.

    Shown in the person's list of devices; the raw string says little to a
    person and more than we need to keep.
    """
    ua = user_agent or ""
    browsers = [
        ("Edg/", "Edge"),
        ("EdgA/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("YaBrowser/", "Yandex Browser"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
    ]
    systems = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Macintosh", "macOS"),
        ("Linux", "Linux"),
    ]
    browser = next((name for marker, name in browsers if marker in ua), "")
    system = next((name for marker, name in systems if marker in ua), "")
    if browser and system:
        return f"{browser} · {system}"  # proper names: the same in every language
    return browser or system or ua[:100]


def push_subscribe(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> tuple[PushSubscription, bool]:
    """Store a browser's push subscription for `user`; returns (subscription, created).

    An endpoint is one browser profile, so it is stored once: a known
    endpoint gets the new keys, and if it belonged to someone else (a shared
    phone, a new sign-in) it moves to `user`, and the former owner's
    messages still waiting for it are cancelled rather than shown to the
    new owner. Past MAX_DEVICES, the person's oldest device is removed.
    Raises NotificationError for bad input or when push is not configured.
    """
    if not is_configured():
        raise NotificationError(_("Push notifications are not available on this site."))
    problem = endpoint_problem(endpoint)
    if problem:
        raise NotificationError(problem)
    p256dh, auth = clean_keys(p256dh, auth)
    fields = {
        "user": user,
        "p256dh": p256dh,
        "auth": auth,
        "user_agent": device_label(user_agent)[:300],
    }
    with transaction.atomic():
        subscription = (
            PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
        )
        created = False
        if subscription is None:
            try:
                with transaction.atomic():
                    subscription = PushSubscription.objects.create(endpoint=endpoint, **fields)
                    created = True
            except IntegrityError:  # the same browser subscribed twice at once
                subscription = PushSubscription.objects.select_for_update().get(endpoint=endpoint)
        if not created:
            if subscription.user_id != user.pk:
                cancel_pending(subscription, reason="device moved to another account")
            for name, value in fields.items():
                setattr(subscription, name, value)
            subscription.save(update_fields=list(fields))
        surplus = list(
            PushSubscription.objects.filter(user=user)
            .order_by("-created_at", "-pk")
            .values_list("pk", flat=True)[MAX_DEVICES:]
        )
        for old in PushSubscription.objects.filter(pk__in=surplus):
            cancel_pending(old, reason="device replaced by a newer one")
            old.delete()
    return subscription, created


def push_unsubscribe(*, user: User, endpoint: str) -> bool:
    """Remove one of `user`'s push devices by its endpoint; False if they have no such device.

    Messages still waiting for that device are cancelled. Someone else's
    device is never touched, and the answer does not tell it exists.
    """
    with transaction.atomic():
        subscription = (
            PushSubscription.objects.select_for_update()
            .filter(user=user, endpoint=endpoint)
            .first()
        )
        if subscription is None:
            return False
        cancel_pending(subscription, reason="device removed")
        subscription.delete()
    return True


def cancel_pending(subscription: PushSubscription, *, reason: str) -> int:
    """Cancel the messages still waiting for one device (it is going away)."""
    return Delivery.objects.filter(
        push_subscription=subscription, status=Delivery.Status.PENDING
    ).update(status=Delivery.Status.CANCELLED, last_error=reason)
