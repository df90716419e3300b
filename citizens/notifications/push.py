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
import re

from cryptography.hazmat.primitives.asymmetric import ec
from django.utils.translation import gettext as _

from ..models import User
from . import addresses, channels
from .errors import NotificationError
from .events import WEBPUSH
from .models import PushSubscription
from .push_endpoints import endpoint_problem, loopback_endpoints_allowed  # noqa: F401


def is_configured() -> bool:
    """Push is offered only with both VAPID keys set."""
    return WEBPUSH in channels.available()


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
    new owner. Past addresses.MAX_PER_PERSON, the person's oldest device is removed.
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
    return addresses.register(
        PushSubscription,
        user=user,
        key={"endpoint": endpoint},
        fields=fields,
        recent_first=("-created_at", "-pk"),
    )


def push_unsubscribe(*, user: User, endpoint: str) -> bool:
    """Remove one of `user`'s push devices by its endpoint; False if they have no such device.

    Messages still waiting for that device are cancelled. Someone else's
    device is never touched, and the answer does not tell it exists.
    """
    return addresses.remove(PushSubscription, user=user, key={"endpoint": endpoint})
