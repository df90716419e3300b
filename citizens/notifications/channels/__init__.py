"""Delivery channels. Each module has `send(delivery, title, text, url)` that
returns on success and raises TemporaryFailure or PermanentFailure.

A channel without configuration is not offered: no rows are written for it
and the preferences page does not show it.
"""

import contextlib

from django.conf import settings
from django.utils.module_loading import import_string

from ..events import EMAIL, SMS, TELEGRAM, WEBPUSH


class TemporaryFailure(Exception):  # noqa: N818 (reads as an outcome)
    """Worth trying again later (network, 4xx SMTP, 5xx HTTP, rate limits)."""


class PermanentFailure(Exception):  # noqa: N818
    """Will never work for this row (address refused, subscription gone)."""


SENDERS = {
    EMAIL: "citizens.notifications.channels.email.send",
    WEBPUSH: "citizens.notifications.channels.webpush.send",
    TELEGRAM: "citizens.notifications.channels.telegram.send",
    SMS: "citizens.notifications.channels.sms.send",
}


def available() -> tuple[str, ...]:
    """The channels this installation is configured for, in display order."""
    found = [EMAIL]
    if settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY:
        found.append(WEBPUSH)
    if settings.TELEGRAM_BOT_TOKEN:
        found.append(TELEGRAM)
    if settings.SMS_BACKEND:
        found.append(SMS)
    return tuple(found)


# Channels that keep a connection open for a whole batch of messages.
BATCHES = {EMAIL: "citizens.notifications.channels.email.batch"}


def sender(channel: str):
    return import_string(SENDERS[channel])


@contextlib.contextmanager
def batch():
    """Around the sending of many rows: each channel that can reuses one connection."""
    with contextlib.ExitStack() as stack:
        for path in BATCHES.values():
            stack.enter_context(import_string(path)())
        yield
