"""The app's phones through the API (/api/v1/devices/) and the web's VAPID key."""

import pytest

from citizens.notifications.models import Delivery, Device
from citizens.notifications.services import notify
from tests.citizens.notifications.fcm_helpers import configure
from tests.citizens.notifications.webpush_helpers import new_vapid_keys
from tests.factories import PASSWORD

V1 = "/api/v1"
DEVICES = f"{V1}/devices/"
REMOVE = f"{V1}/devices/remove/"
VAPID_KEY = f"{V1}/push-subscriptions/vapid-key/"
TOKEN = "dGVzdC1mY20tdG9rZW4:APA91bF" + "a1B2c3D4_-" * 14


@pytest.fixture
def fcm(settings):
    configure(settings)


def register(client, token=TOKEN, platform="android", **extra):
    return client.post(DEVICES, {"token": token, "platform": platform, **extra}, format="json")


# --- Register, list, remove ---------------------------------------------------


def test_register_a_phone_and_see_it_in_ones_list(api_for, resident, fcm):
    client = api_for(resident)

    response = register(client, name="Pixel 7")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["platform"] == "android"
    assert body["provider"] == "fcm"
    assert body["name"] == "Pixel 7"
    assert "token" not in body  # the token addresses the phone: it is not shown back
    device = Device.objects.get()
    assert (device.user, device.token) == (resident, TOKEN)
    assert [d["id"] for d in client.get(DEVICES).json()] == [device.pk]


def test_registering_the_same_token_again_updates_the_one_phone(api_for, resident, fcm):
    client = api_for(resident)
    first = register(client, name="Old name").json()

    again = register(client, platform="ios", name="iPhone")

    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    device = Device.objects.get()
    assert (device.platform, device.name) == ("ios", "iPhone")
    assert device.last_seen_at >= device.created_at


def test_a_token_registered_by_another_account_moves_to_the_new_one(
    api_for, resident, other_resident, fcm
):
    register(api_for(resident))
    notify(recipients=[resident], event="citizens.test")  # waiting for that phone

    response = register(api_for(other_resident))

    assert response.status_code == 200
    assert Device.objects.get().user == other_resident
    assert api_for(resident).get(DEVICES).json() == []
    waiting = Delivery.objects.get(notification__recipient=resident, channel="app")
    assert waiting.status == Delivery.Status.CANCELLED


def test_the_list_shows_only_ones_own_phones(api_for, resident, other_resident, fcm):
    register(api_for(resident), token=TOKEN)
    register(api_for(other_resident), token=TOKEN + "-other")

    mine = api_for(resident).get(DEVICES).json()

    assert [d["id"] for d in mine] == [Device.objects.get(user=resident).pk]


def test_remove_a_phone_by_its_token(api_for, resident, fcm):
    client = api_for(resident)
    register(client)

    removed = client.post(REMOVE, {"token": TOKEN}, format="json")

    assert removed.status_code == 200
    assert removed.json() == {"removed": True}
    assert not Device.objects.exists()
    assert client.post(REMOVE, {"token": TOKEN}, format="json").status_code == 404


def test_remove_a_phone_from_the_list_by_its_id(api_for, resident, fcm):
    client = api_for(resident)
    device_id = register(client).json()["id"]

    assert client.delete(f"{DEVICES}{device_id}/").status_code == 204
    assert not Device.objects.exists()


def test_another_persons_phone_cannot_be_removed(api_for, resident, other_resident, fcm):
    device_id = register(api_for(resident)).json()["id"]
    intruder = api_for(other_resident)

    assert intruder.post(REMOVE, {"token": TOKEN}, format="json").status_code == 404
    assert intruder.delete(f"{DEVICES}{device_id}/").status_code == 404
    assert Device.objects.filter(user=resident).exists()


def test_a_person_keeps_at_most_ten_phones(api_for, resident, fcm):
    client = api_for(resident)
    for number in range(11):
        assert register(client, token=f"{TOKEN}-{number}").status_code == 201

    tokens = set(Device.objects.filter(user=resident).values_list("token", flat=True))

    assert len(tokens) == 10
    assert f"{TOKEN}-0" not in tokens


# --- Refused ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"token": "x" * 1001, "platform": "android"}, "token"),
        ({"token": "abc\x00" + "d" * 40, "platform": "android"}, None),
        ({"token": "short", "platform": "android"}, "token"),
        ({"token": "has spaces in it " * 3, "platform": "android"}, "token"),
        ({"token": ["list"], "platform": "android"}, "token"),
        ({"platform": "android"}, "token"),
        ({"token": TOKEN, "platform": "windows"}, "platform"),
        ({"token": TOKEN}, "platform"),
        ({"token": TOKEN, "platform": "android", "provider": "apns"}, "provider"),
        ({"token": TOKEN, "platform": "android", "name": "n" * 101}, "name"),
        ({"token": TOKEN, "platform": "android", "name": "Pixel\x00"}, None),
    ],
    ids=[
        "huge-token",
        "nul-in-token",
        "short-token",
        "spaces-in-token",
        "token-not-a-string",
        "no-token",
        "wrong-platform",
        "no-platform",
        "unknown-provider",
        "long-name",
        "nul-in-name",
    ],
)
def test_bad_registrations_are_400_and_store_nothing(api_for, resident, fcm, body, field):
    response = api_for(resident).post(DEVICES, body, format="json")

    assert response.status_code == 400
    if field:  # (a NUL byte is refused for the whole request, before any field)
        assert field in response.content.decode()
    assert not Device.objects.exists()


@pytest.mark.parametrize("body", [[], "token", {"token": {"a": 1}}, {"token": None}])
def test_bad_removals_are_400(api_for, resident, fcm, body):
    assert api_for(resident).post(REMOVE, body, format="json").status_code == 400


def test_registration_is_refused_when_app_push_is_not_configured(api_for, resident):
    response = register(api_for(resident))

    assert response.status_code == 400
    assert not Device.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", DEVICES), ("post", DEVICES), ("post", REMOVE), ("delete", f"{DEVICES}1/")],
)
def test_devices_need_a_signed_in_person(api, db, fcm, method, path):
    response = getattr(api, method)(path, {"token": TOKEN, "platform": "android"}, format="json")

    assert response.status_code in (401, 403)
    assert not Device.objects.exists()


# --- The VAPID key ------------------------------------------------------------


def test_the_vapid_public_key_is_public(api, settings):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = new_vapid_keys()

    response = api.get(VAPID_KEY)

    assert response.status_code == 200
    assert response.json() == {"public_key": settings.VAPID_PUBLIC_KEY}


def test_the_vapid_key_is_404_when_web_push_is_not_offered(api, settings):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""

    assert api.get(VAPID_KEY).status_code == 404


def test_the_schema_describes_devices_and_the_vapid_key(api):
    schema = api.get(f"{V1}/schema/?format=json").json()

    assert {"get", "post"} <= set(schema["paths"]["/api/v1/devices/"])
    assert "post" in schema["paths"]["/api/v1/devices/remove/"]
    key = schema["paths"]["/api/v1/push-subscriptions/vapid-key/"]["get"]
    ref = key["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert component["properties"]["public_key"]["type"] == "string"
    components = schema["components"]["schemas"]
    device = components["DeviceRequest"]["properties"]
    platforms = components[device["platform"]["$ref"].rsplit("/", 1)[1]]
    assert set(platforms["enum"]) == {"android", "ios"}
    assert device["token"]["pattern"].startswith("^")


def test_erasing_the_account_removes_its_phones(api_for, resident, fcm):
    client = api_for(resident)
    register(client)

    response = client.delete(f"{V1}/account/", {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    assert not Device.objects.exists()


def test_the_list_makes_a_fixed_number_of_queries(
    api_for, resident, fcm, django_assert_max_num_queries
):
    client = api_for(resident)
    for number in range(8):
        register(client, token=f"{TOKEN}-{number}")

    with django_assert_max_num_queries(3):
        assert len(client.get(DEVICES).json()) == 8
