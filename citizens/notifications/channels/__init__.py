"""Delivery channels. Each module has `send(delivery, title, text, url)` that
returns on success and raises TemporaryFailure or PermanentFailure.

A channel whose message is one HTTP request that mostly waits on the network
(web push, Telegram, the app's native push) also has `prepare(delivery, title, text, url)`: it does
the database work and builds the request in the sending loop's thread, and
returns `transmit()`, which only talks to the provider and so may run in a
thread of its own (delivery.py sends several at once). Database work that a
provider's answer calls for (forget an expired device, unlink a blocked
chat) rides on the failure as `then`, which the loop runs in its thread.

A channel without configuration is not offered: no rows are written for it
and the preferences page does not show it.
"""

import contextlib

from django.conf import settings
from django.utils.module_loading import import_string

from ..events import APP, EMAIL, SMS, TELEGRAM, WEBPUSH


class TemporaryFailure(Exception):  # noqa: N818 (reads as an outcome)
    """Worth trying again later (network, 4xx SMTP, 5xx HTTP, rate limits)."""


class PermanentFailure(Exception):  # noqa: N818
    """Will never work for this row (address refused, subscription gone)."""


def failure(kind: type[Exception], message: str, *, then=None) -> Exception:
    """A failure to raise from transmit(), with database work for the loop to do."""
    exc = kind(message)
    exc.then = then
    return exc


def run(transmit) -> None:
    """Transmit in this thread, doing what a failure asks for: `send()` of a two-step channel."""
    try:
        transmit()
    except (TemporaryFailure, PermanentFailure) as exc:
        aftermath(exc)
        raise


def aftermath(exc: BaseException) -> None:
    then = getattr(exc, "then", None)
    if then is not None:
        exc.then = None
        then()


SENDERS = {
    EMAIL: "citizens.notifications.channels.email.send",
    WEBPUSH: "citizens.notifications.channels.webpush.send",
    TELEGRAM: "citizens.notifications.channels.telegram.send",
    SMS: "citizens.notifications.channels.sms.send",
    APP: "citizens.notifications.channels.app.send",
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
    if settings.FCM_CREDENTIALS and settings.FCM_PROJECT_ID:
        found.append(APP)
    return tuple(found)


# Channels that keep a connection open for a whole batch of messages.
BATCHES = {EMAIL: "citizens.notifications.channels.email.batch"}


# Channels whose messages may be transmitted several at a time.
PREPARERS = {
    WEBPUSH: "citizens.notifications.channels.webpush.prepare",
    TELEGRAM: "citizens.notifications.channels.telegram.prepare",
    APP: "citizens.notifications.channels.app.prepare",
}


def sender(channel: str):
    return import_string(SENDERS[channel])


def preparer(channel: str):
    """The channel's `prepare`, or None if its messages go one at a time."""
    path = PREPARERS.get(channel)
    return import_string(path) if path else None


@contextlib.contextmanager
def batch():
    """Around the sending of many rows: each channel that can reuses one connection."""
    with contextlib.ExitStack() as stack:
        for path in BATCHES.values():
            stack.enter_context(import_string(path)())
        yield
