"""SMS tests: a fake JSON SMS gateway on loopback, and residents with a confirmed phone."""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.utils import timezone

from citizens.notifications.models import Delivery, PhoneVerification
from citizens.notifications.sms import backends
from tests.factories import UserFactory, verify_email

TOKEN = "sms-gateway-token-c0ffee"
PHONE = "+380501234567"
OTHER_PHONE = "+380671112233"


@dataclass
class GatewayCall:
    path: str
    headers: dict
    body: dict


class FakeSmsGateway(ThreadingHTTPServer):
    """Records each POST; answers `status` (and sleeps `delay` seconds first)."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.calls: list[GatewayCall] = []
        self.status = 200
        self.answer: dict = {"message_id": "gw-1"}
        self.delay = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api/message/send.json"

    def reset(self):
        self.calls.clear()
        self.status = 200
        self.answer = {"message_id": "gw-1"}
        self.delay = 0.0


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        server: FakeSmsGateway = self.server
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        server.calls.append(
            GatewayCall(path=self.path, headers=dict(self.headers), body=json.loads(raw or b"{}"))
        )
        if server.delay:
            time.sleep(server.delay)
        payload = json.dumps(server.answer).encode()
        try:
            self.send_response(server.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            pass

    def log_message(self, *args):
        pass


def serve_gateway():
    server = FakeSmsGateway()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


def confirm_phone(user, phone: str = PHONE):
    """Give `user` a confirmed phone, as the confirmation by code leaves it."""
    user.phone = phone
    user.save(update_fields=["phone"])
    PhoneVerification.objects.update_or_create(
        user=user, defaults={"verified_phone": phone, "verified_at": timezone.now()}
    )
    return user


def resident_with_phone(phone: str = PHONE, **fields):
    user = UserFactory(**fields)
    verify_email(user)
    return confirm_phone(user, phone)


def sent_sms() -> list:
    return list(backends.outbox)


def sms_rows(user=None):
    rows = Delivery.objects.filter(channel="sms")
    if user is not None:
        rows = rows.filter(notification__recipient=user)
    return rows


ALERT = "news.alert_critical"
ALERT_CONTEXT = {
    "icon": "🚨",
    "title": {"uk": "Повітряна тривога", "en": "Air-raid alert"},
    "text": {"uk": "Прямуйте до найближчого укриття.", "en": "Go to the nearest shelter."},
}


def choose_sms(user, event: str = ALERT):
    from citizens.notifications.services import preferences_set

    preferences_set(user=user, choices={(event, "sms"): True})


def send_alert(users, capture, *, url: str = "/news/alerts/1/"):
    """A critical alert to `users`, its on-commit queueing run (deliveries with `eager`)."""
    from citizens.notifications.services import notify

    with capture(execute=True):
        notify(recipients=users, event=ALERT, context=ALERT_CONTEXT, url=url)
