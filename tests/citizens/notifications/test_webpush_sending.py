"""Web push sending, end to end: the outbox sends, a fake push service on
127.0.0.1 receives the request and decrypts it with the browser's own keys,
and its answers decide what happens to the delivery and the device; when push
is offered at all, and the command that makes the VAPID keys."""

import datetime as dt
import io
import json
import socket

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from py_vapid import Vapid, Vapid02

from citizens.notifications import channels, events
from citizens.notifications.delivery import deliver_many
from citizens.notifications.models import Delivery, Notification, PushSubscription
from citizens.notifications.services import notify
from tests.citizens.notifications.webpush_helpers import (
    SUBJECT,
    Browser,
    b64url_decode,
    new_vapid_keys,
    push_delivery,
    rendered,
    send_test_notification,
    subscribe,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


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


@pytest.mark.parametrize(("threads", "together"), [(8, 6), (1, 1)])
def test_pushes_wait_on_the_push_service_together(
    settings, subscribed, push_service, threads, together
):
    settings.NOTIFICATIONS_SEND_THREADS = threads
    push_service.delay = 0.3
    people = UserFactory.create_batch(6)
    for number, person in enumerate(people):
        subscribed(person, f"device-{number}")
        notify(recipients=[person], event="citizens.test", url="/me/")
    rows = Delivery.objects.filter(channel=events.WEBPUSH)

    assert deliver_many(rows.values_list("pk", flat=True)) == {"sent": 6, "retry": 0, "failed": 0}

    assert push_service.most_in_flight == together
    assert set(rows.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert len(push_service.received) == 6


def test_a_push_that_fails_while_others_are_in_flight_fails_alone(subscribed, push_service):
    push_service.delay = 0.1
    good, bad = UserFactory(), UserFactory()
    subscribed(good, "good")
    subscribed(bad, "bad")
    PushSubscription.objects.filter(user=bad).update(endpoint="https://10.0.0.1/push/bad")
    for person in (good, bad):
        notify(recipients=[person], event="citizens.test", url="/me/")
    rows = Delivery.objects.filter(channel=events.WEBPUSH)

    assert deliver_many(rows.values_list("pk", flat=True)) == {"sent": 1, "retry": 0, "failed": 1}
    assert push_delivery(good).status == Delivery.Status.SENT
    assert "endpoint refused" in push_delivery(bad).last_error


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
