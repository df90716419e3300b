"""SMS: the pluggable gateway (SMS_BACKEND), segment counting, phone verification
and the fallback of critical alerts that did not reach a device by push.

The outbox's channel is citizens/notifications/channels/sms.py.
"""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


class SmsError(Exception):
    """A gateway refused or failed. The message never holds the gateway's token."""


class SmsTemporaryError(SmsError):
    """Worth trying again later: the gateway is down, slow or busy."""


class SmsPermanentError(SmsError):
    """Will never work: the number or the message was refused."""


def is_configured() -> bool:
    return bool(settings.SMS_BACKEND)


@cache
def _backend_class(path: str):
    return import_string(path)


def get_backend():
    """An instance of SMS_BACKEND (a dotted path)."""
    if not settings.SMS_BACKEND:
        raise SmsTemporaryError("SMS is not configured (SMS_BACKEND)")
    return _backend_class(settings.SMS_BACKEND)()


def send_sms(*, phone: str, text: str, reference: str = "") -> str:
    """Send one SMS through SMS_BACKEND; returns the gateway's message id (or "")."""
    return get_backend().send(phone=phone, text=text, reference=reference)
