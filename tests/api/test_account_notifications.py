"""Notification settings in the API (/api/v1/account/notifications/): the web page's forms."""

import datetime as dt

import pytest
from django.urls import reverse

from citizens.notifications.forms import PreferencesForm
from citizens.notifications.models import NotificationPreference, NotificationSettings

pytestmark = pytest.mark.django_db

URL = "/api/v1/account/notifications/"
WEB = reverse("notifications:settings")
CRITICAL = "news.alert_critical"
ALERT = "news.alert"


@pytest.fixture
def all_channels(settings):
    settings.VAPID_PUBLIC_KEY = "BPublicKeyForTests"
    settings.VAPID_PRIVATE_KEY = "private-key-for-tests"
    settings.TELEGRAM_BOT_TOKEN = "123:test-token"
    settings.TELEGRAM_BOT_USERNAME = "mycity_test_bot"
    settings.TELEGRAM_WEBHOOK_SECRET = "webhook-secret"


def event(body, key):
    return next(item for item in body["events"] if item["key"] == key)


def enabled(body, key, channel):
    found = [c["enabled"] for c in event(body, key)["channels"] if c["channel"] == channel]
    assert found, f"{channel} not offered for {key}"
    return found[0]


def test_anonymous_caller_gets_no_settings(api):
    assert api.get(URL).status_code in (401, 403)
    assert api.patch(URL, {"choices": []}, format="json").status_code in (401, 403)


def test_only_the_channels_the_installation_offers_are_listed(api_for, resident):
    body = api_for(resident).get(URL).json()

    assert [c["key"] for c in body["channels"]] == ["email"]
    assert {c["channel"] for e in body["events"] for c in e["channels"]} == {"email"}


def test_every_configured_channel_is_listed_with_its_label(api_for, resident, all_channels):
    body = api_for(resident).get(URL).json()

    assert [c["key"] for c in body["channels"]] == ["email", "webpush", "telegram"]
    assert all(c["label"] for c in body["channels"])


def test_labels_come_in_the_requests_language(api_for, resident):
    client = api_for(resident)
    english = client.get(URL).json()
    ukrainian = client.get(URL, HTTP_ACCEPT_LANGUAGE="uk").json()

    assert event(english, CRITICAL)["label"] != event(ukrainian, CRITICAL)["label"]
    assert event(english, CRITICAL)["group_label"] == "City alerts"


def test_staff_events_are_not_offered_to_residents(api_for, resident):
    body = api_for(resident).get(URL).json()

    assert "staff" not in {item["group"] for item in body["events"]}


def test_a_choice_is_stored_and_the_rest_kept(api_for, resident, all_channels):
    client = api_for(resident)

    response = client.patch(
        URL, {"choices": [{"event": ALERT, "channel": "webpush", "enabled": False}]}, format="json"
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert enabled(body, ALERT, "webpush") is False
    assert enabled(body, ALERT, "email") is True
    assert enabled(body, CRITICAL, "webpush") is True
    assert NotificationPreference.objects.filter(user=resident).count() == 1


def test_quiet_hours_are_stored_as_hh_mm(api_for, resident):
    response = api_for(resident).patch(
        URL,
        {
            "quiet_hours": {
                "start": "22:30",
                "end": "07:00",
                "urgent": [{"event": CRITICAL, "passes": False}],
            }
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    hours = response.json()["quiet_hours"]
    assert (hours["start"], hours["end"]) == ("22:30", "07:00")
    assert hours["urgent"][0] == {
        "event": CRITICAL,
        "label": hours["urgent"][0]["label"],
        "passes": False,
    }
    row = NotificationSettings.objects.get(user=resident)
    assert row.quiet_hours_start == dt.time(22, 30)
    assert row.held_in_quiet_hours == [CRITICAL]


def test_quiet_hours_can_be_cleared(api_for, resident):
    NotificationSettings.objects.create(
        user=resident, quiet_hours_start=dt.time(22), quiet_hours_end=dt.time(7)
    )

    response = api_for(resident).patch(
        URL, {"quiet_hours": {"start": None, "end": None}}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["quiet_hours"]["start"] is None
    assert NotificationSettings.objects.get(user=resident).quiet_hours_start is None


@pytest.mark.parametrize(
    "body",
    [
        {"quiet_hours": {"start": "25:00", "end": "07:00"}},
        {"quiet_hours": {"start": "7:00", "end": "08:00"}},
        {"quiet_hours": {"start": "22:00:00", "end": "07:00"}},
        {"quiet_hours": {"start": "22:00", "end": None}},  # the form's rule: both or none
        {"quiet_hours": {"start": "22:00", "end": "22:00"}},
        {"quiet_hours": {"start": "22:00"}},
        {"quiet_hours": {"start": "22\x0000", "end": "07:00"}},
        {"quiet_hours": {"start": "x" * 100_000, "end": "07:00"}},
        {
            "quiet_hours": {
                "start": "22:00",
                "end": "07:00",
                "urgent": [{"event": ALERT, "passes": True}],
            }
        },
        {"quiet_hours": "22-07"},
        {"choices": [{"event": "no.such_event", "channel": "email", "enabled": False}]},
        {"choices": [{"event": ALERT, "channel": "carrier_pigeon", "enabled": False}]},
        {"choices": [{"event": ALERT, "channel": "sms", "enabled": True}]},  # not offered here
        {"choices": [{"event": ALERT, "channel": "email", "enabled": "perhaps"}]},
        {"choices": [{"event": "appeals.assigned", "channel": "email", "enabled": True}]},
        {"choices": {"event": ALERT}},
        {"choices": [{"event": ALERT, "channel": "email", "enabled": False}] * 501},
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(api_for, resident, body):
    response = api_for(resident).patch(URL, body, format="json")

    assert response.status_code == 400
    # The offending part is named, or the parser refused the whole body (a NUL byte).
    text = response.content.decode()
    assert next(iter(body)) in text or "NUL" in text
    assert not NotificationPreference.objects.filter(user=resident).exists()
    assert not NotificationSettings.objects.filter(user=resident).exists()


def test_one_bad_part_saves_nothing_of_the_other(api_for, resident):
    response = api_for(resident).patch(
        URL,
        {
            "choices": [{"event": ALERT, "channel": "email", "enabled": False}],
            "quiet_hours": {"start": "22:00", "end": "22:00"},
        },
        format="json",
    )

    assert response.status_code == 400
    assert not NotificationPreference.objects.filter(user=resident).exists()


def test_one_persons_change_does_not_touch_anothers(api_for, resident, other_resident):
    api_for(resident).patch(
        URL, {"choices": [{"event": ALERT, "channel": "email", "enabled": False}]}, format="json"
    )

    assert enabled(api_for(other_resident).get(URL).json(), ALERT, "email") is True


def test_a_change_in_the_api_shows_on_the_web_page(api_for, client_for, resident):
    api_for(resident).patch(
        URL,
        {
            "choices": [{"event": ALERT, "channel": "email", "enabled": False}],
            "quiet_hours": {"start": "23:00", "end": "06:00"},
        },
        format="json",
    )

    page = client_for(resident).get(WEB)

    assert page.context["prefs_form"][PreferencesForm.field_name(ALERT, "email")].value() is False
    assert page.context["quiet_form"]["quiet_hours_start"].value() == dt.time(23)


def test_a_change_on_the_web_shows_in_the_api(api_for, client_for, resident):
    web = client_for(resident)
    shown = web.get(WEB)
    data = {bound.name: "on" for bound in shown.context["prefs_form"] if bound.value()}
    data.pop(PreferencesForm.field_name(ALERT, "email"))
    data["quiet-quiet_hours_start"] = "21:15"
    data["quiet-quiet_hours_end"] = "06:45"
    assert web.post(WEB, data).status_code == 302

    body = api_for(resident).get(URL).json()

    assert enabled(body, ALERT, "email") is False
    assert body["quiet_hours"]["start"] == "21:15"
    assert body["quiet_hours"]["end"] == "06:45"


def test_reading_takes_a_fixed_number_of_queries_however_many_choices_are_stored(
    api_for, resident, all_channels, django_assert_max_num_queries
):
    client = api_for(resident)
    everything_off = [
        {"event": item["key"], "channel": c["channel"], "enabled": False}
        for item in client.get(URL).json()["events"]
        for c in item["channels"]
    ]
    client.patch(URL, {"choices": everything_off}, format="json")
    assert NotificationPreference.objects.filter(user=resident).count() > 50

    with django_assert_max_num_queries(8):
        client.get(URL)
