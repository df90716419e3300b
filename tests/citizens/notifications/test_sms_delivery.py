"""The SMS channel in the outbox: who may choose it for what, which rows are
written, the text that goes out, and the daily caps on what it costs."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from citizens.notifications import channels, events
from citizens.notifications.delivery import deliver_many
from citizens.notifications.events import SMS, get_event
from citizens.notifications.forms import PreferencesForm
from citizens.notifications.models import Delivery, Notification, NotificationPreference
from citizens.notifications.services import NotificationError, notify, preferences_set
from citizens.notifications.sms.segments import count
from tests.citizens.notifications.sms_helpers import (
    ALERT,
    ALERT_CONTEXT,
    PHONE,
    choose_sms,
    resident_with_phone,
    sms_rows,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SETTINGS = reverse("notifications:settings")
ANSWERED = "appeals.answered"


# --- Which events and who ----------------------------------------------------------


def test_sms_is_offered_only_when_a_gateway_is_configured(settings):
    settings.SMS_BACKEND = ""
    assert SMS not in channels.available()
    settings.SMS_BACKEND = "citizens.notifications.sms.backends.LocmemBackend"
    assert SMS in channels.available()


def test_only_critical_alerts_and_the_answer_to_ones_request_allow_sms():
    allowed = {key for key, event in events.registry().items() if event.allows(SMS)}
    assert allowed == {ALERT, ANSWERED}
    assert events.sms_fallback_keys() == frozenset({ALERT})


def test_sms_is_never_on_by_default():
    assert all(SMS not in event.default_channels for event in events.registry().values())


def test_the_settings_grid_has_an_sms_switch_only_for_those_events(sms, resident, client_for):
    response = client_for(resident).get(SETTINGS)

    form = response.context["prefs_form"]
    sms_fields = {name for name in form.fields if name.endswith(":sms")}
    assert sms_fields == {
        PreferencesForm.field_name(ALERT, SMS),
        PreferencesForm.field_name(ANSWERED, SMS),
    }
    assert form[PreferencesForm.field_name(ALERT, SMS)].value() is False
    assert "citizens/notifications/_sms.html" in response.context["channel_sections"]
    page = response.content.decode()
    assert 'action="/me/notifications/sms/"' in page  # the phone is given right here
    assert 'id="id_phone_helptext"' in page


def test_choosing_sms_on_the_settings_page_is_stored(sms, resident, client_for):
    client = client_for(resident)
    page = client.get(SETTINGS)
    data = {bound.name: "on" for bound in page.context["prefs_form"] if bound.value()}
    data[PreferencesForm.field_name(ALERT, SMS)] = "on"

    response = client.post(SETTINGS, data)

    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=resident, event=ALERT, channel=SMS).enabled


def test_sms_cannot_be_chosen_for_another_event(sms, resident):
    with pytest.raises(NotificationError):
        preferences_set(user=resident, choices={("citizens.test", SMS): True})
    assert not NotificationPreference.objects.filter(user=resident, channel=SMS).exists()


def test_a_forged_sms_field_for_another_event_is_ignored(sms, resident, client_for):
    client = client_for(resident)
    page = client.get(SETTINGS)
    data = {bound.name: "on" for bound in page.context["prefs_form"] if bound.value()}
    data[PreferencesForm.field_name("citizens.test", SMS)] = "on"

    client.post(SETTINGS, data)

    assert not NotificationPreference.objects.filter(user=resident, channel=SMS).exists()


def test_a_resident_who_chose_sms_with_a_confirmed_phone_gets_an_sms_row(sms):
    user = resident_with_phone()
    choose_sms(user)

    notify(recipients=[user], event=ALERT, context=ALERT_CONTEXT)

    assert sms_rows(user).count() == 1


def test_no_sms_row_without_a_confirmed_phone(sms):
    user = UserFactory(phone=PHONE)  # a phone in the profile, never confirmed
    choose_sms(user)

    notify(recipients=[user], event=ALERT, context=ALERT_CONTEXT)

    assert not sms_rows(user).exists()


def test_no_sms_row_for_a_resident_who_did_not_choose_it(sms):
    user = resident_with_phone()

    notify(recipients=[user], event=ALERT, context=ALERT_CONTEXT)

    assert not sms_rows(user).exists()


def test_no_sms_row_when_no_gateway_is_configured(sms, settings):
    user = resident_with_phone()
    choose_sms(user)
    settings.SMS_BACKEND = ""

    notify(recipients=[user], event=ALERT, context=ALERT_CONTEXT)

    assert not sms_rows(user).exists()


def test_the_answer_to_ones_request_comes_by_sms_when_chosen(
    sms, eager, django_capture_on_commit_callbacks
):
    user = resident_with_phone(preferred_language="en")
    choose_sms(user, ANSWERED)

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[user],
            event=ANSWERED,
            context={"reference": "KH-2026-000123", "title": "Pothole", "reason": ""},
            url="/appeals/KH-2026-000123/",
        )

    [message] = sms
    assert message.phone == PHONE
    assert message.text.startswith("Request KH-2026-000123 is answered")
    assert message.text.endswith("https://mycity.example/appeals/KH-2026-000123/")


# --- Sending -------------------------------------------------------------------


def test_a_long_alert_is_shortened_to_two_segments_and_keeps_its_link(
    sms, eager, django_capture_on_commit_callbacks
):
    user = resident_with_phone(preferred_language="uk")
    choose_sms(user)
    long_text = "Відключення світла та води у Дніпровському районі до вечора. " * 6

    with django_capture_on_commit_callbacks(execute=True):
        notify(
            recipients=[user],
            event=ALERT,
            context={**ALERT_CONTEXT, "text": long_text},
            url="/news/alerts/7/",
        )

    [message] = sms
    assert count(message.text).segments <= 2
    assert message.text.endswith("… https://mycity.example/news/alerts/7/")


def test_a_phone_removed_after_the_alert_was_queued_gets_nothing(sms):
    user = resident_with_phone()
    choose_sms(user)
    notify(recipients=[user], event=ALERT, context=ALERT_CONTEXT)
    user.phone = "+380671112233"
    user.save(update_fields=["phone"])
    row = sms_rows(user).get()

    assert deliver_many([row.pk])["failed"] == 1
    row.refresh_from_db()
    assert row.last_error == "no confirmed phone"
    assert sms == []


# --- Daily caps ----------------------------------------------------------------


def sent_sms_today(user, n: int):
    """`n` SMS the person already got today (rows of earlier alerts)."""
    for _ in range(n):
        earlier = Notification.objects.create(recipient=user, event=ALERT)
        Delivery.objects.create(
            notification=earlier,
            channel=SMS,
            status=Delivery.Status.SENT,
            sent_at=timezone.now() - dt.timedelta(minutes=1),
        )


def test_over_the_daily_cap_the_row_fails_with_the_reason(sms, settings):
    settings.SMS_DAILY_CAP_PER_RESIDENT = 3
    user = resident_with_phone()
    choose_sms(user)
    sent_sms_today(user, 3)
    notify(recipients=[user], event=ALERT, context=ALERT_CONTEXT)
    row = sms_rows(user).get(status=Delivery.Status.PENDING)

    assert deliver_many([row.pk])["failed"] == 1
    row.refresh_from_db()
    assert row.status == Delivery.Status.FAILED
    assert "daily SMS limit of this resident reached (3 a day)" in row.last_error
    assert sms == []


def test_under_the_daily_cap_the_sms_goes(sms, settings):
    settings.SMS_DAILY_CAP_PER_RESIDENT = 3
    user = resident_with_phone()
    choose_sms(user)
    sent_sms_today(user, 2)
    notify(recipients=[user], event=ALERT, context=ALERT_CONTEXT)
    row = sms_rows(user).get(status=Delivery.Status.PENDING)

    assert deliver_many([row.pk])["sent"] == 1
    assert len(sms) == 1


def test_sms_of_yesterday_do_not_count(sms, settings):
    settings.SMS_DAILY_CAP_PER_RESIDENT = 1
    user = resident_with_phone()
    choose_sms(user)
    sent_sms_today(user, 1)
    Delivery.objects.filter(channel=SMS).update(sent_at=timezone.now() - dt.timedelta(days=1))
    notify(recipients=[user], event=ALERT, context=ALERT_CONTEXT)
    row = sms_rows(user).get(status=Delivery.Status.PENDING)

    assert deliver_many([row.pk])["sent"] == 1


def test_other_residents_sms_do_not_count_for_the_personal_cap(sms, settings):
    settings.SMS_DAILY_CAP_PER_RESIDENT = 1
    other = resident_with_phone(phone="+380671112233")
    sent_sms_today(other, 1)
    user = resident_with_phone()
    choose_sms(user)
    notify(recipients=[user], event=ALERT, context=ALERT_CONTEXT)

    assert deliver_many([sms_rows(user).get(status="pending").pk])["sent"] == 1


def test_over_the_citys_daily_cap_the_row_fails_with_the_reason(sms, settings):
    settings.SMS_DAILY_CAP_TOTAL = 2
    other = resident_with_phone(phone="+380671112233")
    sent_sms_today(other, 2)
    user = resident_with_phone()
    choose_sms(user)
    notify(recipients=[user], event=ALERT, context=ALERT_CONTEXT)
    row = sms_rows(user).get(status=Delivery.Status.PENDING)

    assert deliver_many([row.pk])["failed"] == 1
    row.refresh_from_db()
    assert "daily SMS limit of the city reached (2 a day)" in row.last_error


def test_the_cap_reason_is_shown_in_the_delivery_admin(sms, settings, superuser, client_for):
    settings.SMS_DAILY_CAP_PER_RESIDENT = 1
    user = resident_with_phone()
    choose_sms(user)
    sent_sms_today(user, 1)
    notify(recipients=[user], event=ALERT, context=ALERT_CONTEXT)
    row = sms_rows(user).get(status=Delivery.Status.PENDING)
    deliver_many([row.pk])

    page = client_for(superuser).get(
        reverse("admin:citizens_delivery_changelist"), {"channel": SMS}
    )

    assert page.status_code == 200
    assert "daily SMS limit" in page.content.decode()


def test_the_event_is_known_to_allow_sms():
    assert get_event(ALERT).sms
    assert get_event(ALERT).sms_fallback
    assert get_event(ANSWERED).sms
    assert not get_event(ANSWERED).sms_fallback
