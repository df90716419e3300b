"""The city's app phones on the web's notification settings page: listed, and
removed by their owner (someone who lost a phone has no app to sign out from)."""

import pytest
from django.urls import reverse
from django.utils import translation

from citizens.notifications.devices import device_register
from citizens.notifications.models import Delivery, Device
from citizens.notifications.services import notify
from tests.citizens.notifications.fcm_helpers import configure

pytestmark = pytest.mark.django_db

SETTINGS = reverse("notifications:settings")
TOKEN = "dGVzdC1mY20tdG9rZW4:APA91bF" + "a1B2c3D4_-" * 14


@pytest.fixture
def fcm(settings):
    configure(settings)


def phone(user, token=TOKEN, **fields):
    return device_register(user=user, token=token, platform="android", **fields)[0]


def messages(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in response.context["messages"]]


def remove_url(device) -> str:
    return reverse("notifications:device_remove", args=[device.pk])


def test_the_settings_page_lists_ones_phones_and_only_ones_own(
    client_for, resident, other_resident, fcm
):
    phone(resident, name="Pixel 7")
    phone(resident, token=TOKEN[:-4] + "ZZZZ")  # no name: the platform stands for it
    theirs = phone(other_resident, token=TOKEN[:-4] + "YYYY", name="Чужий телефон")

    html = client_for(resident).get(SETTINGS).content.decode()

    assert 'id="app"' in html
    assert "Pixel 7" in html
    assert "Android" in html
    assert "Чужий телефон" not in html
    assert remove_url(theirs) not in html


def test_no_section_when_the_site_has_no_app_push(client_for, resident, settings):
    settings.FCM_CREDENTIALS = ""
    settings.FCM_CREDENTIALS_FILE = ""

    html = client_for(resident).get(SETTINGS).content.decode()

    assert 'id="app"' not in html


def test_removing_a_phone_stops_its_waiting_messages(client_for, resident, fcm):
    device = phone(resident, name="Pixel 7")
    notify(recipients=[resident], event="citizens.test", url="/me/")
    waiting = Delivery.objects.get(device=device)

    response = client_for(resident).post(remove_url(device))

    assert response.status_code == 302
    assert response.url == SETTINGS  # where the message says what happened
    assert not Device.objects.filter(pk=device.pk).exists()
    waiting.refresh_from_db()
    assert waiting.status == Delivery.Status.CANCELLED


def test_someone_elses_phone_is_not_removed_and_not_revealed(
    client_for, resident, other_resident, fcm
):
    theirs = phone(other_resident, name="Чужий телефон")
    client = client_for(resident)

    theirs_answer = client.post(remove_url(theirs), follow=True)
    missing_answer = client.post(reverse("notifications:device_remove", args=[999999]), follow=True)

    assert Device.objects.filter(pk=theirs.pk).exists()
    # The same refusal as for a phone that does not exist at all.
    refusals = [messages(answer) for answer in (theirs_answer, missing_answer)]
    with translation.override("uk"):  # the person's language
        refusal = translation.gettext("This device is not in your list.")
    assert refusal != "This device is not in your list."
    assert refusals[0] == refusals[1] == [("error", refusal)]


def test_removing_needs_a_signed_in_post(client, resident, fcm):
    device = phone(resident)

    anonymous = client.post(remove_url(device))
    by_get = client.get(remove_url(device))

    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous.url or "login" in anonymous.url
    assert by_get.status_code == 405
    assert Device.objects.filter(pk=device.pk).exists()
