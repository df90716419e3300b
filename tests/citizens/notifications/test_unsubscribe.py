"""Notification e-mails and their unsubscribe link (/notifications/unsubscribe/<token>/)."""

from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import translation

from citizens.notifications import events, links
from citizens.notifications.events import EMAIL, EventType
from citizens.notifications.models import Delivery, Notification, NotificationPreference
from citizens.notifications.services import notify

pytestmark = pytest.mark.django_db

TEST_EVENT = "citizens.test"
VERIFIED_EVENT = "citizens.resident_verified"


def unsubscribe_path(user, event=TEST_EVENT):
    return reverse(
        "notifications:unsubscribe", args=[links.unsubscribe_token(user_id=user.pk, event=event)]
    )


def pending_email(user, event=TEST_EVENT):
    notification = Notification.objects.create(recipient=user, event=event)
    return Delivery.objects.create(notification=notification, channel=EMAIL)


def email_pref(user, event=TEST_EVENT):
    return NotificationPreference.objects.filter(user=user, event=event, channel=EMAIL).first()


@pytest.fixture
def english(client):
    """The visitor reads English (no sign-in on these pages: the cookie decides)."""
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- The page -------------------------------------------------------------------


def test_unsubscribe_page_says_what_will_stop_and_changes_nothing(english, resident):
    delivery = pending_email(resident)

    response = english.get(unsubscribe_path(resident))

    html = response.content.decode()
    assert response.status_code == 200
    with translation.override("en"):
        label = str(events.get_event(TEST_EVENT).label)
    assert f"e-mails about “{label}”" in html
    assert "Stop these e-mails" in html
    assert resident.email not in html  # masked: the link may have been forwarded
    assert email_pref(resident) is None
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING


def test_unsubscribing_stops_the_events_emails_and_cancels_waiting_ones(english, resident):
    waiting = pending_email(resident)
    other_event = pending_email(resident, event=VERIFIED_EVENT)

    response = english.post(unsubscribe_path(resident))

    assert response.status_code == 200
    html = response.content.decode()
    assert "e-mails stopped" in html
    assert reverse("notifications:settings") in html
    assert email_pref(resident).enabled is False
    waiting.refresh_from_db()
    other_event.refresh_from_db()
    assert waiting.status == Delivery.Status.CANCELLED
    assert other_event.status == Delivery.Status.PENDING
    notify(recipients=[resident], event=TEST_EVENT)
    assert not Delivery.objects.filter(
        notification__event=TEST_EVENT, channel=EMAIL, status=Delivery.Status.PENDING
    ).exists()


def test_one_click_unsubscribe_works_without_a_csrf_token(resident):
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(
        unsubscribe_path(resident),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 200
    assert email_pref(resident).enabled is False


def test_unsubscribing_twice_is_harmless(client, resident):
    path = unsubscribe_path(resident)

    client.post(path)
    response = client.post(path)

    assert response.status_code == 200
    assert NotificationPreference.objects.filter(user=resident).count() == 1


def test_page_says_when_the_emails_are_already_off(english, resident):
    english.post(unsubscribe_path(resident))

    html = english.get(unsubscribe_path(resident)).content.decode()

    assert "are already off" in html
    assert "Stop these e-mails" not in html


def test_unsubscribing_from_everything_keeps_only_fixed_messages(client, resident):
    client.post(unsubscribe_path(resident, event="*"))

    for key, event in events.registry().items():
        if event.mutable and EMAIL in event.default_channels:
            assert email_pref(resident, key).enabled is False


# --- Links that do not work ------------------------------------------------------


def tampered(resident):
    token = links.unsubscribe_token(user_id=resident.pk, event=TEST_EVENT)
    return token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")


@pytest.mark.parametrize(
    "make_token",
    [
        tampered,
        lambda resident: "not-a-token",
        lambda resident: signing.dumps({"u": resident.pk, "e": TEST_EVENT}, salt="other"),
        lambda resident: signing.dumps({"u": resident.pk, "e": TEST_EVENT}),
    ],
    ids=["tampered", "garbage", "other-salt", "no-salt"],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_bad_link_gets_a_clear_400_and_changes_nothing(english, resident, make_token, method):
    path = reverse("notifications:unsubscribe", args=[make_token(resident)])

    response = getattr(english, method)(path)

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_link_of_a_deleted_account_says_so(english, resident):
    path = unsubscribe_path(resident)
    resident.delete()

    response = english.post(path)

    assert response.status_code == 404
    assert "This account no longer exists" in response.content.decode()


def test_link_about_an_event_no_longer_sent_says_so(english, resident):
    path = unsubscribe_path(resident, event="gone.away")

    response = english.post(path)

    assert response.status_code == 404
    assert "These e-mails are no longer sent" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_security_emails_cannot_be_unsubscribed(english, resident, monkeypatch):
    fixed = EventType(key="tests.security", label="Security", title="", text="", mutable=False)
    declared = {**events.registry(), fixed.key: fixed}
    monkeypatch.setattr(events, "registry", lambda: declared)

    response = english.post(unsubscribe_path(resident, event=fixed.key))

    assert response.status_code == 200
    assert "cannot be switched off" in response.content.decode()
    assert not NotificationPreference.objects.exists()


# --- The e-mail itself ------------------------------------------------------------


@pytest.mark.parametrize("language", ["uk", "en"])
def test_notification_email_has_text_html_and_a_working_unsubscribe_link(
    resident, language, eager, django_capture_on_commit_callbacks
):
    resident.preferred_language = language
    resident.save(update_fields=["preferred_language"])

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[resident], event=TEST_EVENT, url=reverse("notifications:inbox"))

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [resident.email]
    with translation.override(language):
        title, text = Notification.objects.get(recipient=resident).rendered()
    assert message.subject == title
    assert text in message.body
    assert [mimetype for _content, mimetype in message.alternatives] == ["text/html"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith("<")
    assert header.endswith(">")
    response = Client(enforce_csrf_checks=True).post(
        urlsplit(header[1:-1]).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert email_pref(resident).enabled is False
