"""Delivery channels. Each module has `send(delivery, title, text, url)` that
returns on success and raises TemporaryFailure or PermanentFailure.

A channel without configuration is not offered: no rows are written for it
and the preferences page does not show it.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from ..events import EMAIL, TELEGRAM, WEBPUSH


class TemporaryFailure(Exception):  # noqa: N818 (reads as an outcome)
    """Worth trying again later (network, 4xx SMTP, 5xx HTTP, rate limits)."""


class PermanentFailure(Exception):  # noqa: N818
    """Will never work for this row (address refused, subscription gone)."""


SENDERS = {
    EMAIL: "citizens.notifications.channels.email.send",
    WEBPUSH: "citizens.notifications.channels.webpush.send",
    TELEGRAM: "citizens.notifications.channels.telegram.send",
}


def available() -> tuple[str, ...]:
    """The channels this installation is configured for, in display order."""
    found = [EMAIL]
    if settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY:
        found.append(WEBPUSH)
    if settings.TELEGRAM_BOT_TOKEN:
        found.append(TELEGRAM)
    return tuple(found)


def sender(channel: str):
    return import_string(SENDERS[channel])
