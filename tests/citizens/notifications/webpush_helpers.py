"""Web push test helpers: a browser's keys, a fake push service on 127.0.0.1,
the server's VAPID keys and small shortcuts shared by the web push tests."""

import base64
import json
import os
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client
from django.urls import reverse
from django.utils import translation
from py_vapid import Vapid

from citizens.notifications import events
from citizens.notifications.models import Delivery, Notification
from citizens.notifications.services import notify

SUBSCRIBE = reverse("notifications:push_subscribe")
UNSUBSCRIBE = reverse("notifications:push_unsubscribe")
SUBJECT = "mailto:push@mycity.example.org"
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36"
)
FCM = "https://fcm.googleapis.com/fcm/send/"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- A browser, a push service, the server's keys ----------------------------


class Browser:
    """The keys a browser makes for a push subscription, and its decryption."""

    def __init__(self):
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def subscription(self, endpoint: str) -> dict:
        """What PushSubscription.toJSON() gives in the browser."""
        return {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
        }

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        return json.loads(plain)


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


class FakePushService:
    """A push service on 127.0.0.1 that records what it is sent and answers `status`."""

    def __init__(self):
        self.received: list[Received] = []
        self.status = 201
        self.extra_headers: dict[str, str] = {}
        self.delay = 0.0  # seconds before each answer, as a distant service takes
        self.in_flight = 0
        self.most_in_flight = 0
        lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                with lock:
                    service.in_flight += 1
                    service.most_in_flight = max(service.most_in_flight, service.in_flight)
                try:
                    time.sleep(service.delay)
                    length = int(self.headers.get("Content-Length") or 0)
                    body = self.rfile.read(length)
                finally:
                    # Done before the answer goes out: a sender that waits for it may
                    # send its next request before this thread would run again.
                    with lock:
                        service.in_flight -= 1
                self.answer(body)

            def answer(self, body):
                service.received.append(
                    Received(
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=body,
                    )
                )
                self.send_response(service.status)
                for name, value in service.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def endpoint(self, device: str = "device-1") -> str:
        return f"{self.origin}/push/{device}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def new_vapid_keys() -> tuple[str, str]:
    vapid = Vapid()
    vapid.generate_keys()
    public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    return b64url(public), b64url(private)


def subscribe(client: Client, browser: Browser, endpoint: str, **extra):
    return client.post(
        SUBSCRIBE,
        data=json.dumps(browser.subscription(endpoint)),
        content_type="application/json",
        **extra,
    )


def send_test_notification(user, capture) -> Notification:
    with capture(execute=True):
        notify(recipients=[user], event="citizens.test", url="/me/")
    return Notification.objects.get(recipient=user)


def push_delivery(user) -> Delivery:
    return Delivery.objects.get(notification__recipient=user, channel=events.WEBPUSH)


def rendered(language: str) -> tuple[str, str]:
    with translation.override(language):
        return events.render(events.get_event("citizens.test"), {})
