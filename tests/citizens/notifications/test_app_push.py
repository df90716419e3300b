"""Native push to the city's app, end to end: the outbox sends through the
'app' channel to a fake FCM on 127.0.0.1 (which also plays Google's OAuth
token endpoint), and FCM's answers decide what happens to the delivery and
the phone."""

import datetime as dt
import json
import socket
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from citizens.notifications import channels, events
from citizens.notifications.delivery import deliver_many
from citizens.notifications.devices import device_register
from citizens.notifications.events import APP, WEBPUSH
from citizens.notifications.models import Delivery, Device, Notification, NotificationSettings
from citizens.notifications.services import notify, preferences_set
from citizens.notifications.sms.fallback import sms_fallback_sweep
from tests.citizens.notifications.fcm_helpers import (
    CLIENT_EMAIL,
    SEND_PATH,
    FakeFcm,
    configure,
    error_body,
)
from tests.citizens.notifications.outbox_helpers import URGENT, push_device
from tests.citizens.notifications.sms_helpers import ALERT, ALERT_CONTEXT, resident_with_phone
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "fcm-token-phone-1:APA91bH" + "x" * 140


@pytest.fixture
def fcm(settings):
    fake = FakeFcm()
    configure(settings, fake)
    yield fake
    fake.close()


@pytest.fixture
def phone(fcm):
    """Register an app install for a person; returns its Device."""

    def make(user, token: str = TOKEN, platform: str = "android") -> Device:
        device, _created = device_register(user=user, token=token, platform=platform)
        return device

    return make


def app_rows(user):
    return Delivery.objects.filter(notification__recipient=user, channel=APP)


def send_test(user, capture, url="/me/"):
    with capture(execute=True):
        notify(recipients=[user], event="citizens.test", url=url)


def rendered(language: str) -> tuple[str, str]:
    with translation.override(language):
        return events.render(events.get_event("citizens.test"), {})


# --- Delivery ---------------------------------------------------------------


@pytest.mark.parametrize(("language", "other"), [("en", "uk"), ("uk", "en")])
def test_app_push_reaches_the_phone_once_in_the_recipients_language(
    language, other, settings, fcm, phone, eager, django_capture_on_commit_callbacks
):
    user = UserFactory(preferred_language=language)
    phone(user)
    title, text = rendered(language)

    # Whoever triggers it, in whatever language their own request is.
    with translation.override(other):
        send_test(user, django_capture_on_commit_callbacks)

    [sent] = fcm.sent
    assert sent.path == SEND_PATH
    assert sent.headers["authorization"] == f"Bearer {FakeFcm.ACCESS_TOKEN}"
    message = sent.message
    assert message["token"] == TOKEN
    assert message["notification"] == {"title": title, "body": text}
    delivery = app_rows(user).get()
    assert message["data"] == {
        "url": f"{settings.SITE_URL}/me/",
        "event": "citizens.test",
        "notification_id": str(delivery.notification_id),
        "lang": language,
    }
    assert message["android"]["priority"] == "normal"
    assert message["apns"]["headers"]["apns-priority"] == "5"
    assert delivery.status == Delivery.Status.SENT
    if language == "en":
        assert title == "Test notification"

    # Run again (a redelivered task): the row is not sent a second time.
    assert deliver_many([delivery.pk]) == {"sent": 0, "retry": 0, "failed": 0}
    assert len(fcm.sent) == 1


def test_the_access_token_comes_from_the_service_accounts_token_uri(
    fcm, phone, resident, eager, django_capture_on_commit_callbacks
):
    phone(resident)

    send_test(resident, django_capture_on_commit_callbacks)
    send_test(resident, django_capture_on_commit_callbacks)

    # One token for both messages: google-auth keeps it until it expires.
    [token_request] = fcm.token_requests
    assert token_request["form"]["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    claims = token_request["claims"]
    assert claims["iss"] == CLIENT_EMAIL
    assert claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging"
    assert len(fcm.sent) == 2


def test_every_phone_of_the_person_gets_its_own_message(
    fcm, phone, resident, eager, django_capture_on_commit_callbacks
):
    phone(resident, token=TOKEN)
    phone(resident, token=TOKEN + "-ipad", platform="ios")

    send_test(resident, django_capture_on_commit_callbacks)

    assert sorted(s.message["token"] for s in fcm.sent) == [TOKEN, TOKEN + "-ipad"]
    assert app_rows(resident).filter(status=Delivery.Status.SENT).count() == 2


def test_urgent_message_asks_for_high_priority(fcm, phone, resident, test_events, eager):
    phone(resident)
    notify(recipients=[resident], event=URGENT.key)
    deliver_many(app_rows(resident).values_list("pk", flat=True))

    [sent] = fcm.sent
    assert sent.message["android"]["priority"] == "high"
    assert sent.message["apns"]["headers"]["apns-priority"] == "10"


# --- Preferences and quiet hours -----------------------------------------------


def test_app_channel_switched_off_writes_no_app_row(
    fcm, phone, resident, eager, django_capture_on_commit_callbacks
):
    phone(resident)
    preferences_set(user=resident, choices={("citizens.test", APP): False})

    send_test(resident, django_capture_on_commit_callbacks)

    assert not app_rows(resident).exists()
    assert fcm.sent == []


def test_app_channel_switched_on_for_an_event_that_is_off_by_default(
    fcm, phone, resident, eager, django_capture_on_commit_callbacks
):
    phone(resident)
    event = events.get_event("citizens.resident_verified")
    assert APP not in event.default_channels
    preferences_set(user=resident, choices={(event.key, APP): True})

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[resident], event=event.key)

    assert [s.message["token"] for s in fcm.sent] == [TOKEN]


def test_the_apps_default_is_web_pushs_for_every_event():
    for event in events.registry().values():
        assert (APP in event.default_channels) == (WEBPUSH in event.default_channels), event.key


def test_quiet_hours_hold_the_app_push_until_they_end(
    fcm, phone, resident, eager, django_capture_on_commit_callbacks
):
    phone(resident)
    local = timezone.localtime(timezone.now(), ZoneInfo("Europe/Kyiv"))
    end_at = (local + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    NotificationSettings.objects.create(
        user=resident,
        quiet_hours_start=(local - dt.timedelta(hours=1)).time(),
        quiet_hours_end=end_at.time(),
    )

    send_test(resident, django_capture_on_commit_callbacks)

    delivery = app_rows(resident).get()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at == end_at
    assert deliver_many([delivery.pk]) == {"sent": 0, "retry": 0, "failed": 0}
    assert fcm.sent == []


# --- FCM's answers --------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, error_body(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.")),
        (
            400,
            error_body(
                400,
                "INVALID_ARGUMENT",
                "INVALID_ARGUMENT",
                "The registration token is not a valid FCM registration token",
            ),
        ),
        (403, error_body(403, "PERMISSION_DENIED", "SENDER_ID_MISMATCH", "SenderId mismatch")),
    ],
    ids=["unregistered", "invalid-token", "other-project"],
)
def test_a_token_fcm_refuses_removes_the_phone_and_fails_the_delivery(
    status, body, fcm, phone, resident, eager, django_capture_on_commit_callbacks
):
    phone(resident)
    fcm.answer(status, body)

    send_test(resident, django_capture_on_commit_callbacks)

    assert not Device.objects.filter(user=resident).exists()
    delivery = app_rows(resident).get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == 1
    assert str(status) in delivery.last_error


def test_removing_a_refused_phone_cancels_its_other_waiting_messages(
    fcm, phone, resident, django_capture_on_commit_callbacks
):
    phone(resident)
    notify(recipients=[resident], event="citizens.test")
    notify(recipients=[resident], event="citizens.test")
    first, second = app_rows(resident).order_by("pk")
    fcm.answer(404, error_body(404, "NOT_FOUND", "UNREGISTERED"))

    deliver_many([first.pk])

    second.refresh_from_db()
    assert second.status == Delivery.Status.CANCELLED
    assert len(fcm.sent) == 1


def test_a_message_fcm_refuses_fails_and_keeps_the_phone(
    fcm, phone, resident, eager, django_capture_on_commit_callbacks
):
    phone(resident)
    fcm.answer(400, error_body(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "Invalid JSON payload"))

    send_test(resident, django_capture_on_commit_callbacks)

    assert app_rows(resident).get().status == Delivery.Status.FAILED
    assert Device.objects.filter(user=resident).exists()


@pytest.mark.parametrize(
    ("status", "fcm_status"),
    [(500, "INTERNAL"), (503, "UNAVAILABLE"), (429, "RESOURCE_EXHAUSTED")],
)
def test_fcm_trouble_is_tried_again_later_not_before_retry_after(
    status, fcm_status, fcm, phone, resident, eager, django_capture_on_commit_callbacks
):
    phone(resident)
    fcm.answer(status, error_body(status, fcm_status), {"Retry-After": "600"})
    before = timezone.now()

    send_test(resident, django_capture_on_commit_callbacks)

    delivery = app_rows(resident).get()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1
    # The first backoff is a minute; FCM asked for ten.
    assert delivery.next_attempt_at >= before + dt.timedelta(seconds=600)
    assert str(status) in delivery.last_error
    assert Device.objects.filter(user=resident).exists()

    # When it comes due, the next attempt goes through.
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert deliver_many([delivery.pk]) == {"sent": 1, "retry": 0, "failed": 0}
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert len(fcm.sent) == 2


def test_an_expired_access_token_is_renewed_for_the_next_attempt(
    fcm, phone, resident, eager, django_capture_on_commit_callbacks
):
    phone(resident)
    fcm.answer(401, error_body(401, "UNAUTHENTICATED"))

    send_test(resident, django_capture_on_commit_callbacks)

    delivery = app_rows(resident).get()
    assert delivery.status == Delivery.Status.PENDING
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert deliver_many([delivery.pk])["sent"] == 1
    assert len(fcm.token_requests) == 2


def test_unreachable_fcm_is_tried_again_later(
    settings, phone, resident, eager, django_capture_on_commit_callbacks
):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    phone(resident)
    settings.FCM_ENDPOINT = closed

    send_test(resident, django_capture_on_commit_callbacks)

    delivery = app_rows(resident).get()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1


def test_a_phone_moved_to_another_account_never_shows_the_former_owners_messages(
    fcm, phone, resident, other_resident
):
    phone(resident)
    notify(recipients=[resident], event="citizens.test")  # not yet sent
    waiting = app_rows(resident).get()
    phone(other_resident)  # the same install, now signed in as someone else

    deliver_many([waiting.pk])

    waiting.refresh_from_db()
    assert waiting.status == Delivery.Status.CANCELLED
    assert fcm.sent == []


def test_delivery_to_a_phone_deleted_meanwhile_fails(fcm, phone, resident):
    phone(resident)
    notify(recipients=[resident], event="citizens.test")
    Device.objects.filter(user=resident).delete()  # e.g. by an admin
    delivery = app_rows(resident).get()

    deliver_many([delivery.pk])

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert fcm.sent == []


# --- When the app channel is offered ----------------------------------------------


def test_app_push_is_offered_only_when_fcm_is_configured(settings, fcm):
    assert APP in channels.available()
    settings.FCM_CREDENTIALS = ""
    assert APP not in channels.available()


def test_no_app_rows_are_written_when_fcm_is_not_configured(
    fcm, phone, resident, settings, eager, django_capture_on_commit_callbacks
):
    phone(resident)
    settings.FCM_CREDENTIALS = ""

    send_test(resident, django_capture_on_commit_callbacks)

    assert not app_rows(resident).exists()
    assert fcm.sent == []


def test_the_settings_page_offers_the_app_channel_only_when_configured(
    settings, fcm, client_for, resident
):
    client = client_for(resident)
    field = 'name="citizens.test:app"'

    assert field in client.get(reverse("notifications:settings")).content.decode()
    settings.FCM_CREDENTIALS = ""
    assert field not in client.get(reverse("notifications:settings")).content.decode()


# --- The admin --------------------------------------------------------------------


def test_staff_see_the_phones_read_only_without_their_tokens(
    fcm, phone, resident, superuser, client_for
):
    device = phone(resident)
    device.name = "Pixel 7"
    device.save(update_fields=["name"])
    client = client_for(superuser)

    listing = client.get(reverse("admin:citizens_device_changelist"), {"q": resident.email})
    page = client.get(reverse("admin:citizens_device_change", args=[device.pk]))
    add = client.get(reverse("admin:citizens_device_add"))

    assert listing.status_code == 200
    assert "Pixel 7" in listing.content.decode()
    assert page.status_code == 200
    assert TOKEN not in page.content.decode()
    assert 'name="name"' not in page.content.decode()
    assert add.status_code == 403


# --- The SMS fallback of critical alerts ------------------------------------------


@pytest.mark.parametrize(
    ("app_status", "falls_back"),
    [(Delivery.Status.SENT, False), (Delivery.Status.FAILED, True)],
)
def test_a_critical_alert_fcm_took_counts_as_arrived_for_the_sms_fallback(
    app_status, falls_back, fcm, phone, sms, queued, django_capture_on_commit_callbacks
):
    user = resident_with_phone()
    then = timezone.now() - dt.timedelta(minutes=10)
    notification = Notification.objects.create(
        recipient=user, event=ALERT, context=ALERT_CONTEXT, created_at=then
    )
    common = {"notification": notification, "created_at": then, "attempts": 1}
    # A web push nobody acknowledged, and the app's message.
    Delivery.objects.create(
        channel=WEBPUSH,
        push_subscription=push_device(user, 0),
        status=Delivery.Status.SENT,
        sent_at=then,
        **common,
    )
    Delivery.objects.create(
        channel=APP,
        device=phone(user),
        status=app_status,
        sent_at=then if app_status == Delivery.Status.SENT else None,
        **common,
    )

    with django_capture_on_commit_callbacks(execute=True):
        written = sms_fallback_sweep()

    assert bool(written) is falls_back


def test_a_long_cyrillic_message_stays_within_fcms_4_kb(fcm, phone, resident, eager):
    phone(resident)
    notification = Notification.objects.create(recipient=resident, event="citizens.test")
    delivery = Delivery.objects.create(
        notification=notification, channel=APP, device=Device.objects.get(user=resident)
    )
    sent = channels.sender(APP)

    sent(delivery, "Заголовок " * 100, "Дуже довгий текст повідомлення. " * 200, "/me/")

    [request] = fcm.sent
    assert len(json.dumps(request.body, ensure_ascii=False).encode()) < 4096
    assert request.message["notification"]["body"].endswith("…")
