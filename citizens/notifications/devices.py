"""Phones with the city's app: which installs may receive a person's native push.

The app hands us the registration token its push provider gave it
(Firebase Cloud Messaging, for Android and for iOS through FCM). A token is
one app install, so it is stored once per provider: registering it again
refreshes it, and if it belonged to someone else (a shared phone, a new
sign-in) it moves to the person registering it now, and the former owner's
messages still waiting for it are cancelled rather than shown to the new
owner. Past addresses.MAX_PER_PERSON the person's least recent phone is
removed (the rules shared with browsers: addresses.py).
"""

import re

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import User
from . import addresses, channels
from .errors import NotificationError
from .events import APP
from .models import Device

TOKEN_MAX_LENGTH = Device._meta.get_field("token").max_length
NAME_MAX_LENGTH = Device._meta.get_field("name").max_length
# FCM registration tokens are URL-safe base64 with ':' separators (about
# 160 characters today); nothing else is a token.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_:.\-]{16,1000}$")


def is_configured() -> bool:
    """Native push is offered only with FCM's credentials set."""
    return APP in channels.available()


def clean_token(token) -> str:
    """The token as stored, or NotificationError when it cannot be one."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        raise NotificationError(_("This is not a push token of the app."))
    return token


def device_register(
    *,
    user: User,
    token: str,
    platform: str,
    provider: str = Device.Provider.FCM,
    name: str = "",
) -> tuple[Device, bool]:
    """Store the app's push token for `user`; returns (device, created).

    Idempotent: the same token again updates its platform, name and
    last-seen time. Raises NotificationError for bad input or when native
    push is not configured.
    """
    if not is_configured():
        raise NotificationError(_("App notifications are not available on this site."))
    if platform not in Device.Platform.values:
        raise NotificationError(_("Unknown platform."))
    if provider not in Device.Provider.values:
        raise NotificationError(_("Unknown push provider."))
    token = clean_token(token)
    now = timezone.now()
    fields = {
        "user": user,
        "platform": platform,
        "name": (name or "").replace("\x00", "").strip()[:NAME_MAX_LENGTH],
        "last_seen_at": now,
    }
    return addresses.register(
        Device,
        user=user,
        key={"provider": provider, "token": token},
        fields=fields,
        on_create={"created_at": now},
        recent_first=("-last_seen_at", "-pk"),
    )


def device_remove(*, user: User, token: str, provider: str = Device.Provider.FCM) -> bool:
    """Remove one of `user`'s phones by its token; False if they have no such phone.

    Messages still waiting for it are cancelled. Someone else's phone is
    never touched, and the answer does not tell it exists.
    """
    if not isinstance(token, str):
        return False
    return addresses.remove(Device, user=user, key={"provider": provider, "token": token})
