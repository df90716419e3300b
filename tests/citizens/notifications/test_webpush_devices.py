"""Web push devices: a browser subscribes and is refused on bad input, a person
removes a device, the service worker and the settings section listing devices."""

import json

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from citizens.notifications.delivery import deliver_many
from citizens.notifications.models import Delivery, PushSubscription
from citizens.notifications.services import notify
from tests.citizens.notifications.webpush_helpers import (
    ANDROID_CHROME,
    FCM,
    SUBSCRIBE,
    UNSUBSCRIBE,
    Browser,
    b64url,
    new_vapid_keys,
    push_delivery,
    subscribe,
)

pytestmark = pytest.mark.django_db


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
    from citizens.notifications.addresses import MAX_PER_PERSON as MAX_DEVICES

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
