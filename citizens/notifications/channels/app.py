"""Native push to the city's phone app: one FCM HTTP v1 request per phone.

POST {FCM_ENDPOINT}/v1/projects/{FCM_PROJECT_ID}/messages:send with an
OAuth 2 access token of the service account (FCM_CREDENTIALS), which
google-auth obtains from the key's token_uri and renews before it expires.
Android phones and iPhones both go through FCM (FCM hands iPhones' messages
to APNs).

The answer decides the row's fate: 2xx sent; the token unregistered (404,
UNREGISTERED), malformed (400 INVALID_ARGUMENT about the token) or of another
Firebase project (SENDER_ID_MISMATCH) means the phone will never get it, so
the device is forgotten; other 4xx will never work; 401, 429, 5xx and network
errors are tried again later, not before the provider's Retry-After.
"""

import datetime as dt
import functools
import json
import logging
import threading
from email.utils import parsedate_to_datetime

import google.auth.exceptions
import requests
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from google.auth.transport.requests import Request
from google.oauth2 import service_account

from ..device_tokens import device_forget
from ..events import APP
from ..keys import delivery_key
from ..links import absolute
from . import PermanentFailure, TemporaryFailure, available, failure, run

logger = logging.getLogger(__name__)

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
TIMEOUT = (5, 15)  # connect, read
TTL_SECONDS = 12 * 3600  # as web push: how long FCM keeps it for a phone that is offline
# FCM takes 4,096 bytes of payload; Cyrillic takes two bytes a character.
TITLE_MAX = 200
BODY_MAX = 1000
RETRY_AFTER_MAX = 3600  # a provider's wait longer than an hour is not taken at its word
# FCM's word that the token will never work for this project.
GONE_CODES = {"UNREGISTERED", "SENDER_ID_MISMATCH"}

_local = threading.local()


def _session() -> requests.Session:
    """One keep-alive session per worker thread: FCM is one host."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.max_redirects = 0
        _local.session = session
    return session


class _Auth:
    """The service account's access token, shared by the sending threads."""

    def __init__(self, key: str):
        self.credentials = service_account.Credentials.from_service_account_info(
            json.loads(key), scopes=[SCOPE]
        )
        self.lock = threading.Lock()

    def token(self) -> str:
        with self.lock:  # one refresh, not one per thread
            if not self.credentials.valid:
                # google-auth's own default waits two minutes, past a claim's lease.
                self.credentials.refresh(functools.partial(Request(_session()), timeout=TIMEOUT))
            return self.credentials.token

    def forget(self) -> None:
        with self.lock:
            self.credentials.token = None


@functools.cache
def _auth(key: str) -> _Auth:
    return _Auth(key)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def message(delivery, title: str, text: str, url: str) -> dict:
    """The FCM v1 message for this row's phone, in the active language.

    `notification` is what the phone shows (and what the app reads when it
    is in the foreground); `data` (strings only, as FCM wants) is what the
    app reads to open the right screen. The text is not repeated in `data`:
    FCM takes 4 KB in all. The collapse key is the row's stable key: a copy sent again
    after a crash replaces the first one on the phone.
    """
    notification = delivery.notification
    title = _shorten(title, TITLE_MAX)
    body = _shorten(text, BODY_MAX)
    key = delivery_key(delivery)
    urgent = notification.urgent
    return {
        "token": delivery.device.token,
        "notification": {"title": title, "body": body},
        "data": {
            "url": absolute(url or reverse("notifications:inbox")),
            "event": notification.event,
            "notification_id": str(notification.pk),
            "lang": translation.get_language() or settings.LANGUAGE_CODE,
        },
        "android": {
            "priority": "high" if urgent else "normal",
            "ttl": f"{TTL_SECONDS}s",
            "collapse_key": key,
        },
        "apns": {
            "headers": {
                "apns-priority": "10" if urgent else "5",
                "apns-collapse-id": key,
                "apns-expiration": str(int(timezone.now().timestamp()) + TTL_SECONDS),
            },
        },
    }


def send(delivery, title: str, text: str, url: str) -> None:
    run(prepare(delivery, title, text, url))


def prepare(delivery, title: str, text: str, url: str):
    """Check the phone and build the message now; `transmit()` posts it (any thread)."""
    device = delivery.device
    if device is None:
        raise PermanentFailure("the device was removed")
    if device.user_id != delivery.notification.recipient_id:
        raise PermanentFailure("the device now belongs to another account")
    if APP not in available():
        raise TemporaryFailure("app push is not configured (FCM_CREDENTIALS)")
    body = json.dumps({"message": message(delivery, title, text, url)}, ensure_ascii=False).encode()
    endpoint = f"{settings.FCM_ENDPOINT}/v1/projects/{settings.FCM_PROJECT_ID}/messages:send"
    auth = _auth(settings.FCM_CREDENTIALS)
    device_id, token = device.pk, device.token

    def transmit() -> None:
        try:
            access = auth.token()
        except (google.auth.exceptions.GoogleAuthError, requests.RequestException) as exc:
            raise TemporaryFailure(f"FCM access token: {exc}") from exc
        try:
            response = _session().post(
                endpoint,
                data=body,
                headers={
                    "Authorization": f"Bearer {access}",
                    "Content-Type": "application/json; charset=utf-8",
                },
                timeout=TIMEOUT,
            )
        except requests.TooManyRedirects as exc:
            raise PermanentFailure("FCM answered with a redirect") from exc
        except requests.RequestException as exc:
            raise TemporaryFailure(f"FCM unreachable: {exc}") from exc
        _answered(response, auth=auth, device_id=device_id, token=token)

    return transmit


def _error(response: requests.Response) -> tuple[str, str, str]:
    """(status, FCM error code, message) of an error answer, as far as it says."""
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return "", "", response.text[:300]
    if not isinstance(error, dict):
        return "", "", response.text[:300]
    code = ""
    for detail in error.get("details") or ():
        if isinstance(detail, dict) and detail.get("errorCode"):
            code = str(detail["errorCode"])
    return str(error.get("status") or ""), code, str(error.get("message") or "")[:300]


def _about_token(response: requests.Response, message_text: str) -> bool:
    """Whether a 400 INVALID_ARGUMENT is about the token, not about our message."""
    if "registration token" in message_text.lower():
        return True
    try:
        details = response.json()["error"].get("details") or ()
    except (ValueError, KeyError, TypeError, AttributeError):
        return False
    for detail in details:
        for violation in (detail.get("fieldViolations") or ()) if isinstance(detail, dict) else ():
            if isinstance(violation, dict) and violation.get("field") == "message.token":
                return True
    return False


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        seconds = (when - timezone.now()).total_seconds()
    if seconds != seconds or seconds <= 0:  # NaN or past
        return None
    return min(seconds, RETRY_AFTER_MAX)


def _answered(response: requests.Response, *, auth: _Auth, device_id: int, token: str) -> None:
    """Return if FCM took the message; raise the failure its answer calls for."""
    status = response.status_code
    if 200 <= status < 300:
        return
    fcm_status, code, text = _error(response)
    detail = f"FCM answered {status} {code or fcm_status}: {text}".strip()
    invalid = "INVALID_ARGUMENT" in (fcm_status, code)
    if status == 404 or code in GONE_CODES or (invalid and _about_token(response, text)):
        raise failure(
            PermanentFailure,
            f"{detail} (device removed)",
            then=lambda: _forget(device_id, token, code or str(status)),
        )
    if status == 401:
        auth.forget()  # a fresh access token next time
        raise TemporaryFailure(detail)
    if status in (408, 429) or status >= 500:
        exc = TemporaryFailure(detail)
        exc.retry_after = retry_after(response.headers.get("Retry-After"))
        raise exc
    raise PermanentFailure(detail)


def _forget(device_id: int, token: str, why: str) -> None:
    device_forget(device_id=device_id, token=token, reason=f"token refused by FCM ({why})")
    logger.info("app device %s: token refused by FCM (%s); removed", device_id, why)
