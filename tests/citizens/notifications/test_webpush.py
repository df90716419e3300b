"""Web push, end to end: a browser subscribes, the outbox sends, a fake push
service on 127.0.0.1 receives the request and decrypts it with the browser's
own keys, and its answers decide what happens to the delivery and the device."""

import base64
import datetime as dt
import io
import json
import os
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from py_vapid import Vapid, Vapid02

from citizens.notifications import channels, events
from citizens.notifications.delivery import deliver_many
from citizens.notifications.models import Delivery, Notification, PushSubscription
from citizens.notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

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
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                service.received.append(
                    Received(
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=self.rfile.read(length),
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


@pytest.fixture
def push_service():
    service = FakePushService()
    yield service
    service.close()


def new_vapid_keys() -> tuple[str, str]:
    vapid = Vapid()
    vapid.generate_keys()
    public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    return b64url(public), b64url(private)


@pytest.fixture
def vapid(settings):
    """Push configured with a fresh key pair; endpoints on 127.0.0.1 accepted."""
    public, private = new_vapid_keys()
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_SUBJECT = SUBJECT
    settings.WEBPUSH_ALLOW_LOOPBACK = True
    return public


def subscribe(client: Client, browser: Browser, endpoint: str, **extra):
    return client.post(
        SUBSCRIBE,
        data=json.dumps(browser.subscription(endpoint)),
        content_type="application/json",
        **extra,
    )


@pytest.fixture
def subscribed(vapid, push_service, client_for):
    """Give a person a push device on the fake push service; returns its Browser."""

    def make(user, device: str = "device-1") -> Browser:
        browser = Browser()
        response = subscribe(client_for(user), browser, push_service.endpoint(device))
        assert response.status_code == 201, response.content
        return browser

    return make


def send_test_notification(user, capture) -> Notification:
    with capture(execute=True):
        notify(recipients=[user], event="citizens.test", url="/me/")
    return Notification.objects.get(recipient=user)


def push_delivery(user) -> Delivery:
    return Delivery.objects.get(notification__recipient=user, channel=events.WEBPUSH)


def rendered(language: str) -> tuple[str, str]:
    with translation.override(language):
        return events.render(events.get_event("citizens.test"), {})


# --- Delivery ---------------------------------------------------------------


@pytest.mark.parametrize(("language", "other"), [("en", "uk"), ("uk", "en")])
def test_push_arrives_encrypted_in_the_recipients_language(
    language, other, settings, subscribed, push_service, eager, django_capture_on_commit_callbacks
):
    user = UserFactory(preferred_language=language)
    browser = subscribed(user)
    title, text = rendered(language)

    # Whoever triggers it, in whatever language their own request is.
    with translation.override(other):
        notification = send_test_notification(user, django_capture_on_commit_callbacks)

    [request] = push_service.received
    assert request.path == "/push/device-1"
    assert browser.decrypt(request.body) == {
        "title": title,
        "body": text,
        "url": f"{settings.SITE_URL}/me/",
        "tag": f"notification-{notification.pk}",
        "lang": language,
        "icon": "/static/img/favicon.svg",
    }
    if language == "en":
        assert title == "Test notification"
    delivery = push_delivery(user)
    assert delivery.status == Delivery.Status.SENT
    assert delivery.sent_at is not None


def test_push_request_is_signed_with_the_sites_vapid_key(
    vapid, subscribed, push_service, resident, eager, django_capture_on_commit_callbacks
):
    subscribed(resident)

    send_test_notification(resident, django_capture_on_commit_callbacks)

    [request] = push_service.received
    authorization = request.headers["authorization"]
    scheme, params = authorization.split(" ", 1)
    parts = dict(part.split("=", 1) for part in params.split(","))
    assert scheme == "vapid"
    assert parts["k"] == vapid
    assert Vapid02.verify(authorization)
    claims = json.loads(b64url_decode(parts["t"].split(".")[1]))
    assert claims["aud"] == push_service.origin
    assert claims["sub"] == SUBJECT
    assert 0 < claims["exp"] - timezone.now().timestamp() <= 24 * 3600
    assert request.headers["content-encoding"] == "aes128gcm"
    assert request.headers["ttl"] == str(12 * 3600)
    assert request.headers["urgency"] == "normal"


def test_urgent_notification_asks_the_push_service_for_high_urgency(
    subscribed, push_service, resident
):
    subscribed(resident)
    notification = Notification.objects.create(
        recipient=resident, event="citizens.test", urgent=True, url="/alerts/1/"
    )
    delivery = Delivery.objects.create(
        notification=notification,
        channel=events.WEBPUSH,
        push_subscription=PushSubscription.objects.get(user=resident),
    )

    assert deliver_many([delivery.pk]) == {"sent": 1, "retry": 0, "failed": 0}

    [request] = push_service.received
    assert request.headers["urgency"] == "high"


def test_push_goes_to_every_device_of_the_person(
    subscribed, push_service, resident, eager, django_capture_on_commit_callbacks
):
    phone, laptop = subscribed(resident, "phone"), subscribed(resident, "laptop")

    send_test_notification(resident, django_capture_on_commit_callbacks)

    by_path = {r.path: r for r in push_service.received}
    assert set(by_path) == {"/push/phone", "/push/laptop"}
    assert phone.decrypt(by_path["/push/phone"].body)["url"].endswith("/me/")
    assert laptop.decrypt(by_path["/push/laptop"].body)["url"].endswith("/me/")


@pytest.mark.parametrize("status", [404, 410])
def test_expired_subscription_is_forgotten_and_its_delivery_failed(
    status, subscribed, push_service, resident, eager, django_capture_on_commit_callbacks
):
    subscribed(resident)
    push_service.status = status

    send_test_notification(resident, django_capture_on_commit_callbacks)

    assert not PushSubscription.objects.filter(user=resident).exists()
    delivery = push_delivery(resident)
    assert delivery.status == Delivery.Status.FAILED
    assert str(status) in delivery.last_error
    assert delivery.attempts == 1


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_push_service_trouble_leaves_the_delivery_for_a_later_attempt(
    status, subscribed, push_service, resident, eager, django_capture_on_commit_callbacks
):
    subscribed(resident)
    push_service.status = status
    push_service.extra_headers = {"Retry-After": "120"}

    send_test_notification(resident, django_capture_on_commit_callbacks)

    delivery = push_delivery(resident)
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.next_attempt_at > timezone.now()
    assert str(status) in delivery.last_error
    assert PushSubscription.objects.filter(user=resident).exists()


def test_delivery_that_failed_for_a_while_is_sent_on_the_next_attempt(
    subscribed, push_service, resident, eager, django_capture_on_commit_callbacks
):
    browser = subscribed(resident)
    push_service.status = 503
    send_test_notification(resident, django_capture_on_commit_callbacks)
    push_service.status = 201
    delivery = push_delivery(resident)
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )

    assert deliver_many([delivery.pk]) == {"sent": 1, "retry": 0, "failed": 0}

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 2
    assert browser.decrypt(push_service.received[-1].body)["title"] == rendered("uk")[0]


@pytest.mark.parametrize("status", [400, 403, 413])
def test_refused_push_fails_without_retrying_and_keeps_the_device(
    status, subscribed, push_service, resident, eager, django_capture_on_commit_callbacks
):
    subscribed(resident)
    push_service.status = status

    send_test_notification(resident, django_capture_on_commit_callbacks)

    delivery = push_delivery(resident)
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 1
    assert PushSubscription.objects.filter(user=resident).exists()


def test_redirect_from_a_push_service_is_not_followed(
    subscribed, push_service, resident, eager, django_capture_on_commit_callbacks
):
    subscribed(resident)
    push_service.status = 307
    push_service.extra_headers = {"Location": f"{push_service.origin}/internal"}

    send_test_notification(resident, django_capture_on_commit_callbacks)

    assert [r.path for r in push_service.received] == ["/push/device-1"]
    assert push_delivery(resident).status == Delivery.Status.FAILED


def test_unreachable_push_service_is_tried_again_later(
    vapid, client_for, resident, eager, django_capture_on_commit_callbacks
):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/push/gone"
    assert subscribe(client_for(resident), Browser(), closed).status_code == 201

    send_test_notification(resident, django_capture_on_commit_callbacks)

    delivery = push_delivery(resident)
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1
    assert "ConnectionError" in delivery.last_error


def test_delivery_to_a_device_deleted_meanwhile_fails(
    subscribed, push_service, resident, django_capture_on_commit_callbacks
):
    subscribed(resident)
    with django_capture_on_commit_callbacks(execute=False):
        notify(recipients=[resident], event="citizens.test")
    PushSubscription.objects.filter(user=resident).delete()  # e.g. by an admin
    delivery = push_delivery(resident)

    deliver_many([delivery.pk])

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert push_service.received == []


def test_device_taken_over_by_another_account_never_shows_the_former_owners_messages(
    subscribed, push_service, resident, other_resident, client_for
):
    browser = subscribed(resident)
    notify(recipients=[resident], event="citizens.test")  # not yet sent
    waiting = push_delivery(resident)
    # The same browser profile, now signed in as someone else.
    assert (
        subscribe(client_for(other_resident), browser, push_service.endpoint()).status_code == 200
    )

    deliver_many([waiting.pk])

    waiting.refresh_from_db()
    assert waiting.status == Delivery.Status.CANCELLED
    assert push_service.received == []


def test_push_is_not_sent_to_a_loopback_endpoint_in_production(
    subscribed, push_service, resident, settings, eager, django_capture_on_commit_callbacks
):
    subscribed(resident)
    settings.WEBPUSH_ALLOW_LOOPBACK = False

    send_test_notification(resident, django_capture_on_commit_callbacks)

    assert push_service.received == []
    assert push_delivery(resident).status == Delivery.Status.FAILED


# --- When push is offered -------------------------------------------------


@pytest.mark.parametrize(
    ("public", "private", "offered"),
    [(True, True, True), (True, False, False), (False, True, False), (False, False, False)],
)
def test_push_is_offered_only_with_both_vapid_keys(settings, public, private, offered):
    public_key, private_key = new_vapid_keys()
    settings.VAPID_PUBLIC_KEY = public_key if public else ""
    settings.VAPID_PRIVATE_KEY = private_key if private else ""

    assert (events.WEBPUSH in channels.available()) is offered


def test_no_push_rows_are_written_when_push_is_not_configured(subscribed, resident, settings):
    subscribed(resident)
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""

    notify(recipients=[resident], event="citizens.test")

    assert not Delivery.objects.filter(channel=events.WEBPUSH).exists()


# --- Subscribing a device ---------------------------------------------------


def test_anonymous_visitor_cannot_subscribe(vapid, client):
    response = subscribe(client, Browser(), f"{FCM}abc")

    assert response.status_code == 401
    assert "error" in response.json()
    assert not PushSubscription.objects.exists()


def test_subscribe_stores_the_device_with_a_readable_name(vapid, client_for, resident):
    browser = Browser()

    response = subscribe(client_for(resident), browser, f"{FCM}abc", HTTP_USER_AGENT=ANDROID_CHROME)

    assert response.status_code == 201
    device = PushSubscription.objects.get()
    assert response.json() == {"id": device.pk, "device": "Chrome · Android", "created": True}
    assert (device.user, device.endpoint) == (resident, f"{FCM}abc")
    assert (device.p256dh, device.auth) == (browser.p256dh, browser.auth)
    assert device.user_agent == "Chrome · Android"


def test_subscribing_the_same_browser_again_updates_its_keys(vapid, client_for, resident):
    client = client_for(resident)
    subscribe(client, Browser(), f"{FCM}abc")
    renewed = Browser()

    response = subscribe(client, renewed, f"{FCM}abc")

    assert response.status_code == 200
    assert response.json()["created"] is False
    device = PushSubscription.objects.get()
    assert (device.p256dh, device.auth) == (renewed.p256dh, renewed.auth)


def test_browser_subscribed_by_another_account_moves_to_the_new_one(
    vapid, client_for, resident, other_resident
):
    browser = Browser()
    subscribe(client_for(resident), browser, f"{FCM}abc")

    response = subscribe(client_for(other_resident), browser, f"{FCM}abc")

    assert response.status_code == 200
    assert PushSubscription.objects.get().user == other_resident


def test_oldest_device_goes_when_a_person_adds_too_many(vapid, client_for, resident):
    from citizens.notifications.push import MAX_DEVICES

    client = client_for(resident)
    for n in range(MAX_DEVICES + 1):
        assert subscribe(client, Browser(), f"{FCM}device-{n}").status_code == 201

    endpoints = set(PushSubscription.objects.values_list("endpoint", flat=True))
    assert len(endpoints) == MAX_DEVICES
    assert f"{FCM}device-0" not in endpoints


def _keys(**changes):
    keys = Browser().subscription("")["keys"]
    keys.update(changes)
    return keys


NOT_ON_CURVE = b64url(b"\x04" + b"\x01" * 64)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("not json", id="not-json"),
        pytest.param(json.dumps(["a list"]), id="json-list"),
        pytest.param(json.dumps({"endpoint": f"{FCM}abc"}), id="no-keys"),
        pytest.param(json.dumps({"keys": _keys()}), id="no-endpoint"),
        pytest.param(json.dumps({"endpoint": 42, "keys": _keys()}), id="endpoint-not-text"),
        pytest.param(json.dumps({"endpoint": f"{FCM}abc", "keys": "x"}), id="keys-not-object"),
        pytest.param(
            json.dumps({"endpoint": f"{FCM}abc", "keys": _keys(p256dh="short")}), id="p256dh-short"
        ),
        pytest.param(
            json.dumps({"endpoint": f"{FCM}abc", "keys": _keys(p256dh="!!not base64!!")}),
            id="p256dh-not-base64",
        ),
        pytest.param(
            json.dumps({"endpoint": f"{FCM}abc", "keys": _keys(p256dh=NOT_ON_CURVE)}),
            id="p256dh-not-on-the-curve",
        ),
        pytest.param(
            json.dumps({"endpoint": f"{FCM}abc", "keys": _keys(auth=b64url(b"x" * 8))}),
            id="auth-short",
        ),
        pytest.param(
            json.dumps({"endpoint": f"{FCM}abc", "keys": _keys(auth=None)}), id="auth-missing"
        ),
        pytest.param(
            json.dumps({"endpoint": "http://fcm.googleapis.com/fcm/send/abc", "keys": _keys()}),
            id="plain-http",
        ),
        pytest.param(
            json.dumps({"endpoint": FCM + "a" * 1000, "keys": _keys()}), id="endpoint-too-long"
        ),
    ],
)
def test_bad_subscription_is_refused_with_a_message(vapid, client_for, resident, body):
    response = client_for(resident).post(SUBSCRIBE, data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    ("endpoint", "allow_loopback", "accepted"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc", False, True),
        ("https://updates.push.services.mozilla.com/wpush/v2/abc", False, True),
        ("https://web.push.apple.com/abc", False, True),
        ("https://wns2-par02p.notify.windows.com/w/?token=abc", False, True),
        ("http://fcm.googleapis.com/fcm/send/abc", True, False),
        ("ftp://push.example.com/abc", True, False),
        ("https://user:secret@fcm.googleapis.com/abc", False, False),
        # Not a browser's push service: a name may resolve to an internal address.
        ("https://push.example.com/abc", True, False),
        ("https://fcm.googleapis.com.attacker.example/abc", True, False),
        ("https://8.8.8.8/push/abc", True, False),
        # This machine: only for development and tests with a fake push service.
        ("http://127.0.0.1:8123/push/abc", True, True),
        ("http://127.0.0.1:8123/push/abc", False, False),
        ("https://127.0.0.1/push/abc", False, False),
        ("http://localhost:8123/push/abc", True, True),
        ("http://localhost:8123/push/abc", False, False),
        ("http://[::1]:8123/push/abc", True, True),
        # Private networks: never, whatever the switches say.
        ("https://10.0.0.5/push/abc", True, False),
        ("https://192.168.1.1/push/abc", True, False),
        ("https://169.254.169.254/latest/meta-data", True, False),
        ("https://[fd00::1]/push/abc", True, False),
    ],
)
def test_which_push_endpoints_are_accepted(
    vapid, settings, client_for, resident, endpoint, allow_loopback, accepted
):
    settings.WEBPUSH_ALLOW_LOOPBACK = allow_loopback

    response = subscribe(client_for(resident), Browser(), endpoint)

    assert response.status_code == (201 if accepted else 400), response.content
    assert PushSubscription.objects.filter(endpoint=endpoint).exists() is accepted


def test_an_empty_host_list_accepts_any_public_push_service(vapid, settings, client_for, resident):
    settings.WEBPUSH_ALLOWED_HOSTS = []

    response = subscribe(client_for(resident), Browser(), "https://push.example.com/abc")

    assert response.status_code == 201


def test_subscribe_is_not_found_when_push_is_not_configured(settings, client_for, resident):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""

    response = subscribe(client_for(resident), Browser(), f"{FCM}abc")

    assert response.status_code == 404
    assert not PushSubscription.objects.exists()


def test_subscribe_needs_the_csrf_token_in_the_header(vapid, resident):
    from tests.conftest import sign_in

    client = sign_in(Client(enforce_csrf_checks=True), resident)
    assert subscribe(client, Browser(), f"{FCM}abc").status_code == 403
    client.get(reverse("citizens:cabinet"))  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    response = subscribe(client, Browser(), f"{FCM}abc", HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 201


def test_subscribe_accepts_only_post(vapid, client_for, resident):
    assert client_for(resident).get(SUBSCRIBE).status_code == 405


# --- Removing a device --------------------------------------------------------


def test_person_removes_their_device_with_json(vapid, client_for, resident):
    client = client_for(resident)
    subscribe(client, Browser(), f"{FCM}abc")

    response = client.post(
        UNSUBSCRIBE, data=json.dumps({"endpoint": f"{FCM}abc"}), content_type="application/json"
    )

    assert response.status_code == 200
    assert response.json() == {"removed": True}
    assert not PushSubscription.objects.exists()


def test_person_removes_their_device_with_a_plain_form(vapid, client_for, resident):
    client = client_for(resident)
    subscribe(client, Browser(), f"{FCM}abc")

    response = client.post(UNSUBSCRIBE, {"endpoint": f"{FCM}abc"})

    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:settings")
    assert not PushSubscription.objects.exists()


def test_nobody_removes_someone_elses_device(vapid, client_for, resident, other_resident):
    subscribe(client_for(resident), Browser(), f"{FCM}abc")
    stranger = client_for(other_resident)

    as_json = stranger.post(
        UNSUBSCRIBE, data=json.dumps({"endpoint": f"{FCM}abc"}), content_type="application/json"
    )
    as_form = stranger.post(UNSUBSCRIBE, {"endpoint": f"{FCM}abc"})

    assert as_json.status_code == 404
    assert as_form.status_code == 302
    assert PushSubscription.objects.get().user == resident


def test_anonymous_visitor_is_sent_to_sign_in_to_remove_a_device(
    vapid, client, client_for, resident
):
    subscribe(client_for(resident), Browser(), f"{FCM}abc")

    response = client.post(UNSUBSCRIBE, {"endpoint": f"{FCM}abc"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert PushSubscription.objects.exists()


def test_removing_a_device_cancels_what_was_waiting_for_it(
    subscribed, push_service, resident, client_for
):
    subscribed(resident)
    notify(recipients=[resident], event="citizens.test")  # not yet sent

    client_for(resident).post(UNSUBSCRIBE, {"endpoint": push_service.endpoint()})

    delivery = push_delivery(resident)
    assert delivery.status == Delivery.Status.CANCELLED
    deliver_many([delivery.pk])
    assert push_service.received == []


def test_devices_can_be_removed_after_push_is_switched_off(vapid, settings, client_for, resident):
    client = client_for(resident)
    subscribe(client, Browser(), f"{FCM}abc")
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""

    client.post(UNSUBSCRIBE, {"endpoint": f"{FCM}abc"})

    assert not PushSubscription.objects.exists()


# --- The service worker and the settings section ----------------------------


@pytest.mark.parametrize("configured", [True, False])
def test_service_worker_is_served_from_the_root_for_the_whole_site(settings, client, configured):
    if configured:
        settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = new_vapid_keys()

    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert "showNotification" in body
    assert "notificationclick" in body


def _section(user, vapid_public_key):
    request = RequestFactory().get(reverse("notifications:settings"))
    request.user = user
    return render_to_string(
        "citizens/notifications/_push.html",
        {
            "vapid_public_key": vapid_public_key,
            "push_devices": PushSubscription.objects.filter(user=user),
        },
        request=request,
    )


def test_settings_section_lists_the_persons_devices_with_remove_forms(
    vapid, client_for, resident, other_resident
):
    subscribe(client_for(resident), Browser(), f"{FCM}mine", HTTP_USER_AGENT=ANDROID_CHROME)
    subscribe(client_for(other_resident), Browser(), f"{FCM}theirs")

    html = _section(resident, vapid)

    assert "Chrome · Android" in html
    assert f'value="{FCM}mine"' in html
    assert f"{FCM}theirs" not in html
    assert f'action="{UNSUBSCRIBE}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'data-vapid-key="{vapid}"' in html
    assert 'src="/static/js/push.js"' in html


@pytest.mark.parametrize("configured", [True, False])
def test_settings_page_shows_the_push_section_only_when_push_is_configured(
    settings, client_for, resident, configured
):
    if configured:
        settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = new_vapid_keys()

    response = client_for(resident).get(reverse("notifications:settings"))

    assert response.status_code == 200
    assert ("data-push" in response.content.decode()) is configured


def test_settings_section_without_javascript_hides_the_button_and_says_why(vapid, resident):
    with translation.override("en"):
        html = _section(resident, vapid)

    assert "data-push-enable hidden" in html
    assert "This browser cannot receive notifications" in html
    assert "<script>" not in html  # the CSP allows no inline script


# --- Keys -----------------------------------------------------------------


def test_vapid_keys_command_prints_a_working_key_pair():
    out, err = io.StringIO(), io.StringIO()

    call_command("vapid_keys", stdout=out, stderr=err)

    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    assert set(lines) == {"VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY"}
    public = b64url_decode(lines["VAPID_PUBLIC_KEY"])
    assert len(public) == 65
    assert public[0] == 4
    signer = Vapid.from_string(private_key=lines["VAPID_PRIVATE_KEY"])
    headers = signer.sign({"sub": SUBJECT, "aud": "https://fcm.googleapis.com"})
    assert f"k={lines['VAPID_PUBLIC_KEY']}" in headers["Authorization"]
    assert Vapid02.verify(headers["Authorization"])
    assert "VAPID_SUBJECT" in err.getvalue()
