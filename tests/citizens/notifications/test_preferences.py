"""The notification settings page (/me/notifications/settings/) and the test message."""

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from citizens.notifications import events
from citizens.notifications.events import EMAIL, TELEGRAM, WEBPUSH
from citizens.notifications.forms import PreferencesForm
from citizens.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    NotificationSettings,
)
from citizens.notifications.services import notify
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

SETTINGS = reverse("notifications:settings")
TEST = reverse("notifications:test")
TEST_EVENT = "citizens.test"
VERIFIED_EVENT = "citizens.resident_verified"
PUSH_SECTION = "citizens/notifications/_push.html"
TELEGRAM_SECTION = "citizens/notifications/_telegram.html"


def field(event, channel):
    return PreferencesForm.field_name(event, channel)


def page_data(response, **overrides):
    """What the browser would send back for the page as shown, with `overrides`."""
    data = {bound.name: "on" for bound in response.context["prefs_form"] if bound.value()}
    quiet = response.context["quiet_form"]
    for name in ("quiet_hours_start", "quiet_hours_end"):
        value = quiet[name].value()
        data[quiet.add_prefix(name)] = value.strftime("%H:%M") if value else ""
    for bound in quiet.urgent_fields():
        if bound.value():
            data[bound.html_name] = "on"
    for name, value in overrides.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


@pytest.fixture
def all_channels(settings):
    settings.VAPID_PUBLIC_KEY = "BPublicKeyForTests"
    settings.VAPID_PRIVATE_KEY = "private-key-for-tests"
    settings.TELEGRAM_BOT_TOKEN = "123:test-token"
    settings.TELEGRAM_BOT_USERNAME = "mycity_test_bot"
    settings.TELEGRAM_WEBHOOK_SECRET = "webhook-secret"


# --- Who may see it ----------------------------------------------------------


@pytest.mark.parametrize("path", [SETTINGS])
def test_anonymous_visitor_is_sent_to_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_every_signed_in_role_opens_its_settings(as_role, role):
    assert as_role(role).get(SETTINGS).status_code == 200


# --- What it shows --------------------------------------------------------------


def test_settings_show_only_the_channels_configured(client_for, resident):
    response = client_for(resident).get(SETTINGS)

    html = response.content.decode()
    assert f'name="{field(TEST_EVENT, EMAIL)}"' in html
    assert f'name="{field(TEST_EVENT, WEBPUSH)}"' not in html
    assert f'name="{field(TEST_EVENT, TELEGRAM)}"' not in html
    used = {t.name for t in response.templates}
    assert PUSH_SECTION not in used
    assert TELEGRAM_SECTION not in used


def test_settings_offer_push_and_telegram_once_configured(client_for, resident, all_channels):
    response = client_for(resident).get(SETTINGS)

    html = response.content.decode()
    for channel in (EMAIL, WEBPUSH, TELEGRAM):
        assert f'name="{field(TEST_EVENT, channel)}"' in html
    used = {t.name for t in response.templates}
    assert PUSH_SECTION in used
    assert TELEGRAM_SECTION in used


def test_only_events_a_person_may_switch_are_listed(client_for, resident, monkeypatch):
    fixed = events.EventType(
        key="tests.security",
        label="Security",
        title="New sign-in",
        text="",
        mutable=False,
    )
    declared = {**events.registry(), fixed.key: fixed}
    monkeypatch.setattr(events, "registry", lambda: declared)

    form = client_for(resident).get(SETTINGS).context["prefs_form"]

    assert field("tests.security", EMAIL) not in form.fields
    assert field(TEST_EVENT, EMAIL) in form.fields


def test_checkboxes_show_the_defaults_and_what_was_stored(client_for, resident, all_channels):
    NotificationPreference.objects.create(
        user=resident, event=TEST_EVENT, channel=EMAIL, enabled=False
    )

    form = client_for(resident).get(SETTINGS).context["prefs_form"]

    assert form[field(TEST_EVENT, EMAIL)].value() is False
    assert form[field(TEST_EVENT, WEBPUSH)].value() is True
    assert form[field(VERIFIED_EVENT, EMAIL)].value() is True
    assert form[field(VERIFIED_EVENT, TELEGRAM)].value() is False


# --- Saving ----------------------------------------------------------------------


def test_switching_an_event_email_off_stops_its_emails(client_for, resident):
    client = client_for(resident)
    shown = client.get(SETTINGS)

    response = client.post(SETTINGS, page_data(shown, **{field(TEST_EVENT, EMAIL): None}))

    assert response.status_code == 302
    assert response["Location"] == SETTINGS
    assert (
        NotificationPreference.objects.get(user=resident, event=TEST_EVENT, channel=EMAIL).enabled
        is False
    )
    notify(recipients=[resident], event=TEST_EVENT)
    assert not Delivery.objects.filter(
        notification__recipient=resident, notification__event=TEST_EVENT, channel=EMAIL
    ).exists()
    assert Notification.objects.filter(recipient=resident, event=TEST_EVENT).exists()


def test_switching_an_email_back_on_returns_to_the_default(client_for, resident):
    NotificationPreference.objects.create(
        user=resident, event=TEST_EVENT, channel=EMAIL, enabled=False
    )
    client = client_for(resident)
    shown = client.get(SETTINGS)

    client.post(SETTINGS, page_data(shown, **{field(TEST_EVENT, EMAIL): "on"}))

    assert not NotificationPreference.objects.filter(user=resident).exists()


def test_saving_an_untouched_page_stores_nothing(client_for, resident):
    client = client_for(resident)
    shown = client.get(SETTINGS)

    response = client.post(SETTINGS, page_data(shown))

    assert response.status_code == 302
    assert not NotificationPreference.objects.filter(user=resident).exists()
    assert not NotificationSettings.objects.filter(user=resident).exists()


def test_saving_says_so(client_for, resident):
    resident.preferred_language = "en"
    resident.save(update_fields=["preferred_language"])
    client = client_for(resident)

    response = client.post(SETTINGS, page_data(client.get(SETTINGS)), follow=True)

    assert "Your notification settings are saved." in response.content.decode()


def test_quiet_hours_are_saved(client_for, resident):
    client = client_for(resident)
    shown = client.get(SETTINGS)

    client.post(
        SETTINGS,
        page_data(
            shown,
            **{
                "quiet-quiet_hours_start": "22:30",
                "quiet-quiet_hours_end": "07:00",
            },
        ),
    )

    row = NotificationSettings.objects.get(user=resident)
    assert row.quiet_hours_start == dt.time(22, 30)
    assert row.quiet_hours_end == dt.time(7, 0)
    assert row.held_in_quiet_hours == []  # critical alerts still come at night
    html = client.get(SETTINGS).content.decode()
    assert 'value="22:30"' in html
    assert 'value="07:00"' in html


def test_quiet_hours_can_be_cleared(client_for, resident):
    NotificationSettings.objects.create(
        user=resident, quiet_hours_start=dt.time(23), quiet_hours_end=dt.time(6)
    )
    client = client_for(resident)
    shown = client.get(SETTINGS)

    client.post(
        SETTINGS,
        page_data(shown, **{"quiet-quiet_hours_start": "", "quiet-quiet_hours_end": ""}),
    )

    row = NotificationSettings.objects.get(user=resident)
    assert row.quiet_hours_start is None
    assert row.quiet_hours_end is None


@pytest.mark.parametrize(
    ("start", "end", "field_with_error"),
    [
        ("22:00", "", "quiet_hours_end"),
        ("", "07:00", "quiet_hours_start"),
        ("22:00", "22:00", "quiet_hours_end"),
        ("25:99", "07:00", "quiet_hours_start"),
    ],
)
def test_bad_quiet_hours_are_refused_and_keep_what_was_typed(
    client_for, resident, start, end, field_with_error
):
    client = client_for(resident)
    shown = client.get(SETTINGS)

    response = client.post(
        SETTINGS,
        page_data(
            shown,
            **{
                "quiet-quiet_hours_start": start,
                "quiet-quiet_hours_end": end,
                field(TEST_EVENT, EMAIL): None,
            },
        ),
    )

    assert response.status_code == 200
    assert field_with_error in response.context["quiet_form"].errors
    html = response.content.decode()
    for typed in {start, end} - {""}:
        assert f'value="{typed}"' in html
    # The e-mail switch stays as it was ticked, and nothing at all is saved.
    assert response.context["prefs_form"][field(TEST_EVENT, EMAIL)].value() is False
    assert not NotificationSettings.objects.filter(user=resident).exists()
    assert not NotificationPreference.objects.filter(user=resident).exists()


def test_only_a_start_of_quiet_hours_gets_a_clear_message(client_for, resident):
    resident.preferred_language = "en"
    resident.save(update_fields=["preferred_language"])
    client = client_for(resident)
    shown = client.get(SETTINGS)

    response = client.post(SETTINGS, page_data(shown, **{"quiet-quiet_hours_start": "22:00"}))

    assert "Give the end of quiet hours too" in response.content.decode()


# --- Test notification -----------------------------------------------------------


def test_test_notification_reaches_the_inbox(client_for, resident):
    response = client_for(resident).post(TEST)

    assert response.status_code == 302
    assert response["Location"] == SETTINGS
    notification = Notification.objects.get(recipient=resident)
    assert notification.event == TEST_EVENT
    assert notification.url == reverse("notifications:inbox")


def test_test_notification_goes_out_once_a_minute_at_most(client_for, resident):
    client = client_for(resident)

    client.post(TEST)
    response = client.post(TEST)

    assert Notification.objects.filter(recipient=resident).count() == 1
    # The first post's success message is still waiting to be shown.
    levels = [m.level_tag for m in get_messages(response.wsgi_request)]
    assert levels == ["success", "error"]


def test_test_notification_limit_is_per_person(client_for, resident, other_resident):
    client_for(resident).post(TEST)
    client_for(other_resident).post(TEST)

    assert Notification.objects.filter(event=TEST_EVENT).count() == 2


def test_test_notification_needs_a_post(client_for, resident):
    assert client_for(resident).get(TEST).status_code == 405
    assert not Notification.objects.exists()


def test_anonymous_visitor_cannot_send_a_test_notification(client):
    response = client.post(TEST)

    assert response.status_code == 302
    assert not Notification.objects.exists()


def test_settings_query_count_is_pinned(
    client_for, resident, all_channels, django_assert_max_num_queries
):
    NotificationPreference.objects.create(
        user=resident, event=TEST_EVENT, channel=EMAIL, enabled=False
    )
    NotificationPreference.objects.create(
        user=resident, event=VERIFIED_EVENT, channel=TELEGRAM, enabled=True
    )
    client = client_for(resident)

    # Session, user, preferences, quiet hours, e-mail state, bell, push devices, Telegram.
    with django_assert_max_num_queries(8):
        assert client.get(SETTINGS).status_code == 200


CRITICAL_PASSES = "quiet-passes_news__alert_critical"


def test_critical_alerts_come_during_quiet_hours_unless_held(client_for, resident):
    client = client_for(resident)
    shown = client.get(SETTINGS)
    html = shown.content.decode()
    assert "may come during quiet hours" in html or "можуть надходити" in html
    assert shown.context["quiet_form"][CRITICAL_PASSES.removeprefix("quiet-")].value() is True

    client.post(
        SETTINGS,
        page_data(
            shown,
            **{
                "quiet-quiet_hours_start": "23:00",
                "quiet-quiet_hours_end": "07:00",
                CRITICAL_PASSES: None,  # unticked
            },
        ),
    )

    row = NotificationSettings.objects.get(user=resident)
    assert row.held_in_quiet_hours == ["news.alert_critical"]
    again = client.get(SETTINGS).context["quiet_form"]
    assert again[CRITICAL_PASSES.removeprefix("quiet-")].value() is False


def test_only_urgent_kinds_can_be_held(resident):
    from citizens.notifications.services import NotificationError, quiet_hours_set

    with pytest.raises(NotificationError):
        quiet_hours_set(user=resident, start=None, end=None, held=["news.digest"])
