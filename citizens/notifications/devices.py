"""Phones with the city's app: which installs may receive a person's native push.

The app hands us the registration token its push provider gave it
(Firebase Cloud Messaging, for Android and for iOS through FCM). A token is
one app install, so it is stored once per provider: registering it again
refreshes it, and if it belonged to someone else (a shared phone, a new
sign-in) it moves to the person registering it now, and the former owner's
messages still waiting for it are cancelled rather than shown to the new
owner. Past MAX_DEVICES the person's oldest phone is removed, so one
account cannot make every notification fan out to thousands of rows.
"""

import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import User
from . import channels
from .device_tokens import cancel_pending
from .errors import NotificationError
from .events import APP
from .models import Device

MAX_DEVICES = 10
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
    with transaction.atomic():
        device = Device.objects.select_for_update().filter(provider=provider, token=token).first()
        created = False
        if device is None:
            try:
                with transaction.atomic():
                    device = Device.objects.create(
                        provider=provider, token=token, created_at=now, **fields
                    )
                    created = True
            except IntegrityError:  # the same app registered twice at once
                device = Device.objects.select_for_update().get(provider=provider, token=token)
        if not created:
            if device.user_id != user.pk:
                cancel_pending(device, reason="device moved to another account")
            for key, value in fields.items():
                setattr(device, key, value)
            device.save(update_fields=list(fields))
        surplus = list(
            Device.objects.filter(user=user)
            .order_by("-last_seen_at", "-pk")
            .values_list("pk", flat=True)[MAX_DEVICES:]
        )
        for old in Device.objects.filter(pk__in=surplus):
            cancel_pending(old, reason="device replaced by a newer one")
            old.delete()
    return device, created


def device_remove(*, user: User, token: str, provider: str = Device.Provider.FCM) -> bool:
    """Remove one of `user`'s phones by its token; False if they have no such phone.

    Messages still waiting for it are cancelled. Someone else's phone is
    never touched, and the answer does not tell it exists.
    """
    if not isinstance(token, str):
        return False
    with transaction.atomic():
        device = (
            Device.objects.select_for_update()
            .filter(user=user, provider=provider, token=token)
            .first()
        )
        if device is None:
            return False
        cancel_pending(device, reason="device removed")
        device.delete()
    return True
