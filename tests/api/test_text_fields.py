"""Text and lists take what the schema says: a string, at most maxLength characters as
sent; at most maxItems files.

One rule for every text field of /api/v1/ (mycity.lib.api.StrictCharField, and
ModelSerializer for a model's text fields), tried on a few of them.
"""

import pytest

from citizens.models import SavedPlace
from citizens.notifications.models import Device
from tests.api.test_devices import DEVICES, TOKEN
from tests.citizens.notifications.fcm_helpers import configure
from tests.problems import fields

PLACES = "/api/v1/saved-places/"


@pytest.fixture
def fcm(settings):
    configure(settings)


def test_length_is_counted_as_sent_not_after_trimming(api_for, resident, fcm):
    # 101 characters, the first a space: the schema's maxLength (100) refuses it,
    # and so does the API (DRF alone trims first, and took it).
    client = api_for(resident)
    name = " " + "П" * 100

    refused = client.post(
        DEVICES, {"token": TOKEN, "platform": "android", "name": name}, format="json"
    )
    taken = client.post(
        DEVICES, {"token": TOKEN, "platform": "android", "name": "П" * 99 + " "}, format="json"
    )

    assert refused.status_code == 400
    assert "name" in fields(refused)
    assert taken.status_code == 201, taken.content
    assert Device.objects.get().name == "П" * 99  # what is kept is still trimmed


def test_a_models_text_field_is_held_to_the_same_rule(api_for, resident, district):
    # SavedPlace.label comes from the model (max_length=60) through ModelSerializer.
    client = api_for(resident)
    place = {"lat": "46.6354", "lon": "32.6169", "address": "вул. Соборна, 1"}

    too_long = client.post(PLACES, {"label": "Дім" + " " * 58, **place}, format="json")
    a_number = client.post(PLACES, {"label": 12345, **place}, format="json")

    assert too_long.status_code == 400
    assert "label" in fields(too_long)
    assert a_number.status_code == 400
    assert "label" in fields(a_number)
    assert not SavedPlace.objects.exists()


def test_a_number_for_text_is_refused_not_read_as_text(api_for, resident):
    response = api_for(resident).patch(
        "/api/v1/account/profile/", {"display_name": 12345}, format="json"
    )

    assert response.status_code == 400
    assert "display_name" in fields(response)


def test_more_photos_than_the_schema_allows_are_refused_before_any_is_read(
    api_for, resident, appeals
):
    # maxItems: 5 in the schema, the same rule as the web form (appeals/photos.py).
    from appeals.models import AppealMessage
    from tests.appeals.following_helpers import photo_upload

    appeal = appeals["public"]
    response = api_for(resident).post(
        f"/api/v1/appeals/{appeal.reference}/info/",
        {"text": "Фото", "photos": [photo_upload() for _ in range(6)]},
        format="multipart",
    )

    assert response.status_code == 400
    assert "photos" in fields(response)
    assert not appeal.photos.exists()
    assert not AppealMessage.objects.filter(appeal=appeal, type="info").exists()
