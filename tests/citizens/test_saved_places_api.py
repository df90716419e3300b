"""Issue 22: /api/v1/saved-places/: one's own places only, through place_save; personal data."""

import json

import pytest

from citizens import personal_data
from citizens.models import SavedPlace, SavedPlaceNotice
from tests.factories import SavedPlaceFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/saved-places/"


def inside(district) -> tuple[float, float]:
    west, south = district.boundary["coordinates"][0][0]
    return south + 0.005, west + 0.005


@pytest.fixture
def api(client_for, resident):
    return client_for(resident)


def post(client, data, url=URL, method="post"):
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def test_anonymous_callers_are_refused(client, north):
    assert client.get(URL).status_code in (401, 403)
    lat, lon = inside(north)
    assert post(client, {"label": "Дім", "latitude": lat, "longitude": lon}).status_code in (
        401,
        403,
    )
    assert not SavedPlace.objects.exists()


def test_a_place_is_created_with_its_district(api, resident, north):
    lat, lon = inside(north)
    response = post(
        api, {"label": "Дім", "latitude": lat, "longitude": lon, "address": "Соборна 1"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["district"] == north.pk
    assert body["label"] == "Дім"
    assert SavedPlace.objects.get(user=resident).address == "Соборна 1"


def test_the_list_holds_only_ones_own_places(api, resident, other_resident, north):
    mine = SavedPlaceFactory(user=resident, district=north)
    SavedPlaceFactory(user=other_resident, district=north)
    assert [p["id"] for p in api.get(URL).json()] == [mine.pk]


def test_another_persons_place_is_404(api, other_resident, north):
    theirs = SavedPlaceFactory(user=other_resident, district=north, label="Їхній")
    url = f"{URL}{theirs.pk}/"
    assert api.get(url).status_code == 404
    assert post(api, {"label": "Моє"}, url, "patch").status_code == 404
    assert api.delete(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.label == "Їхній"


def test_a_place_is_renamed_and_removed(api, resident, north):
    place = SavedPlaceFactory(user=resident, district=north, label="Дім")
    response = post(api, {"label": "Батьки"}, f"{URL}{place.pk}/", "patch")
    assert response.status_code == 200, response.content
    place.refresh_from_db()
    assert place.label == "Батьки"
    assert api.delete(f"{URL}{place.pk}/").status_code == 204
    assert api.delete(f"{URL}{place.pk}/").status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"label": "Дім", "latitude": 50.45, "longitude": 30.52},  # outside the city
        {"label": "Дім", "latitude": 500, "longitude": 30.52},
        {"label": "Дім", "latitude": "abc", "longitude": 30.52},
        {"label": "", "latitude": 46.6, "longitude": 32.0},
        {"label": "Дім"},
    ],
)
def test_bad_input_is_a_400(api, north, data):
    assert post(api, data).status_code == 400
    assert not SavedPlace.objects.exists()


@pytest.mark.parametrize("label", ["Дім\\u0000", "Дім\\ud800"])
def test_a_nul_byte_or_a_lone_surrogate_is_a_400(api, north, label):
    lat, lon = inside(north)
    body = f'{{"label": "{label}", "latitude": {lat}, "longitude": {lon}}}'
    response = api.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert not SavedPlace.objects.exists()


def test_the_sixth_place_and_a_repeated_name_are_refused(api, resident, north, settings):
    settings.SAVED_PLACES_MAX = 5
    lat, lon = inside(north)
    assert post(api, {"label": "Дім", "latitude": lat, "longitude": lon}).status_code == 201
    assert post(api, {"label": "ДІМ", "latitude": lat, "longitude": lon}).status_code == 400
    for i in range(4):
        assert post(api, {"label": f"М{i}", "latitude": lat, "longitude": lon}).status_code == 201
    response = post(api, {"label": "Шосте", "latitude": lat, "longitude": lon})
    assert response.status_code == 400
    assert SavedPlace.objects.filter(user=resident).count() == 5


def test_the_schema_documents_saved_places(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/saved-places/" in schema["paths"]
    assert "/api/v1/saved-places/{id}/" in schema["paths"]


def test_saved_places_are_exported_and_erased(resident, other_resident, north):
    place = SavedPlaceFactory(user=resident, district=north, label="Дім")
    SavedPlaceNotice.objects.create(place=place, subject="alert:1:published")
    theirs = SavedPlaceFactory(user=other_resident, district=north)
    data, _files = personal_data.personal_data_collect(user=resident)
    exported = data["account"]["saved_places"]
    assert [(p["name"], p["told_about"]) for p in exported] == [("Дім", ["alert:1:published"])]
    personal_data.user_erase(user=resident)
    assert list(SavedPlace.objects.all()) == [theirs]
    assert not SavedPlaceNotice.objects.exists()
