"""SMS gateways. A backend has `send(*, phone, text, reference) -> str` that
returns the gateway's message id (or "") and raises SmsTemporaryError or
SmsPermanentError.

- JsonGatewayBackend: an HTTP gateway of the kind Ukrainian cities use, a
  JSON POST with a bearer token (SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN,
  SMS_SENDER). 2xx sent; 4xx refused for good (a bad number, a sender name
  not registered, no money on the account is 402: an operator must act);
  408, 429, 5xx, timeouts and network errors are tried again later.
- ConsoleBackend: prints the message (the embedded default while DEBUG).
- LocmemBackend: keeps messages in `outbox` (tests).
"""

import json
import logging
import sys
import threading
from dataclasses import dataclass

import requests
from django.conf import settings

from . import SmsPermanentError, SmsTemporaryError

logger = logging.getLogger(__name__)

RETRY_STATUSES = {408, 425, 429}
_local = threading.local()


def _session() -> requests.Session:
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        # A gateway that redirects is misconfigured: never carry the token elsewhere.
        session.max_redirects = 0
        _local.session = session
    return session


def msisdn(phone: str) -> str:
    """+380501234567 -> 380501234567, the form the gateways take."""
    return str(phone).lstrip("+")


class JsonGatewayBackend:
    """POST {"recipients": [...], "sms": {"sender", "text"}, "reference"} with a bearer token."""

    def send(self, *, phone: str, text: str, reference: str = "") -> str:
        token = settings.SMS_GATEWAY_TOKEN
        if not (settings.SMS_GATEWAY_URL and token):
            raise SmsTemporaryError("the SMS gateway is not configured (SMS_GATEWAY_URL, token)")
        body = {
            "recipients": [msisdn(phone)],
            "sms": {"sender": settings.SMS_SENDER, "text": text},
        }
        if reference:
            body["reference"] = reference
        try:
            response = _session().post(
                settings.SMS_GATEWAY_URL,
                json=body,
                headers={"Authorization": f"Bearer {token}"},
                timeout=(settings.SMS_GATEWAY_CONNECT_TIMEOUT, settings.SMS_GATEWAY_READ_TIMEOUT),
            )
        except requests.TooManyRedirects:
            raise SmsPermanentError("the SMS gateway answered with a redirect") from None
        except requests.Timeout:
            raise SmsTemporaryError("the SMS gateway did not answer in time") from None
        except requests.RequestException as exc:
            # Only the class: requests' messages may repeat the request.
            raise SmsTemporaryError(
                f"the SMS gateway is unreachable ({type(exc).__name__})"
            ) from None
        status = response.status_code
        detail = _redact(response.text[:300], token)
        if 200 <= status < 300:
            return _message_id(response)
        if status in RETRY_STATUSES or status >= 500:
            raise SmsTemporaryError(f"the SMS gateway answered {status}: {detail}")
        raise SmsPermanentError(f"the SMS gateway answered {status}: {detail}")


def _message_id(response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    if isinstance(data, dict):
        for key in ("message_id", "id", "result"):
            value = data.get(key)
            if isinstance(value, str | int) and not isinstance(value, bool):
                return str(value)[:100]
    return ""


def _redact(text: str, token: str) -> str:
    """A gateway that echoes the request must not put the token into last_error."""
    return text.replace(token, "[token]") if token else text


class ConsoleBackend:
    """Writes each message to standard output, like Django's console e-mail backend."""

    stream = sys.stdout

    def send(self, *, phone: str, text: str, reference: str = "") -> str:
        line = json.dumps(
            {"to": msisdn(phone), "sender": settings.SMS_SENDER, "text": text},
            ensure_ascii=False,
        )
        self.stream.write(f"SMS {line}\n")
        self.stream.flush()
        return ""


@dataclass(frozen=True)
class SentSms:
    phone: str
    text: str
    reference: str


# What LocmemBackend sent, oldest first (tests empty it).
outbox: list[SentSms] = []


class LocmemBackend:
    def send(self, *, phone: str, text: str, reference: str = "") -> str:
        outbox.append(SentSms(phone=str(phone), text=text, reference=reference))
        return str(len(outbox))
