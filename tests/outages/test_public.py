"""The public register: list filters, nearest first, the detail page, the GeoJSON feed."""

import json

import pytest

from outages.models import Kind

from .conftest import EAST_POINT
from .factories import HelpPointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(districts):
    shelter = HelpPointFactory(kind=Kind.SHELTER, name_uk="Укриття на Соборній")
    heating = HelpPointFactory(
        kind=Kind.HEATING,
        name_uk="Обігрів на Острові",
        latitude=EAST_POINT[0],
        longitude=EAST_POINT[1],
    )
    water = HelpPointFactory(
        kind=Kind.DRINKING_WATER, name_uk="Бювет у парку", latitude=46.60, longitude=32.55
    )
    return shelter, heating, water


def _names(response) -> list[str]:
    body = response.content.decode()
    found = [
        (body.find(name), name)
        for name in ("Укриття на Соборній", "Обігрів на Острові", "Бювет у парку")
    ]
    return [name for index, name in sorted(found) if index >= 0]


def test_the_list_shows_every_published_point(client, register):
    response = client.get("/points/")
    assert response.status_code == 200
    assert len(_names(response)) == 3
    assert b"data-offline-keep" in response.content


def test_the_list_filters_by_kind(client, register):
    assert _names(client.get("/points/", {"kind": "heating"})) == ["Обігрів на Острові"]


def test_the_list_filters_by_district(client, register):
    assert _names(client.get("/points/", {"district": "east"})) == ["Обігрів на Острові"]
    assert set(_names(client.get("/points/", {"district": "centre"}))) == {
        "Укриття на Соборній",
        "Бювет у парку",
    }


def test_an_unknown_filter_value_is_a_form_error_not_a_500(client, register):
    response = client.get("/points/", {"kind": "volcano", "district": "atlantis"})
    assert response.status_code == 200
    assert len(_names(response)) == 3


def test_nearest_first_by_near(client, register):
    response = client.get("/points/", {"near": f"{EAST_POINT[0]},{EAST_POINT[1] - 0.01}"})
    assert _names(response)[0] == "Обігрів на Острові"
    assert "Спочатку найближчі" in response.content.decode()
    response = client.get("/points/", {"near": "46.60,32.551"})
    assert _names(response)[0] == "Бювет у парку"
    assert "м</span>" in response.content.decode()


@pytest.mark.parametrize(
    "near",
    ["", "abc", "46.6", "91,200", "nan,nan", "inf,1", "1e999,1", "0,0", "46.6,32.6,1", "9" * 400],
)
def test_a_bad_near_is_refused_with_a_message_never_a_500(client, register, near):
    response = client.get("/points/", {"near": near})
    assert response.status_code == 200
    assert len(_names(response)) == 3
    if near:
        assert "надто далеко від Херсона" in response.content.decode()


def test_nearest_to_a_typed_address_uses_the_geocoder(client, settings, register, monkeypatch):
    settings.GEOCODER_URL = "https://geocoder.invalid"
    asked = []

    def search(text):
        asked.append(text)
        return (46.60, 32.551)

    monkeypatch.setattr("mycity.lib.geocoder.search", search)
    response = client.get("/points/", {"address": "Паркова 1"})
    assert _names(response)[0] == "Бювет у парку"
    client.get("/points/", {"address": "Паркова  1"})
    assert asked == ["паркова 1"]  # the second time from the cache


def test_an_address_the_geocoder_does_not_know_is_a_form_error(
    client, settings, register, monkeypatch
):
    settings.GEOCODER_URL = "https://geocoder.invalid"
    monkeypatch.setattr("mycity.lib.geocoder.search", lambda text: None)
    response = client.get("/points/", {"address": "Нема такої"})
    assert "не знайдено в Херсоні" in response.content.decode()


def test_without_a_geocoder_the_address_field_is_not_offered(client, settings, register):
    settings.GEOCODER_URL = ""
    assert b'name="address"' not in client.get("/points/").content


def test_each_card_shows_status_confirmation_offers_with_labels_and_hours(client, register):
    body = client.get("/points/").content.decode()
    assert "Відкрито" in body
    assert "підтверджено щойно" in body
    assert 'aria-hidden="true">🔌</span> Електроенергія' in body
    assert "щодня 8:00–20:00" in body


def test_the_english_list(client, register):
    body = client.get("/points/", headers={"accept-language": "en"}).content.decode()
    assert "Points of help" in body
    assert "Electricity" in body
    assert "confirmed just now" in body


def test_the_detail_page(client, register):
    shelter = register[0]
    response = client.get(shelter.get_absolute_url())
    assert response.status_code == 200
    assert shelter.name_uk in response.content.decode()
    assert b'name="problem"' in response.content


@pytest.mark.parametrize("path", ["/points/0/", "/points/99999999999999999999/", "/points/x/"])
def test_a_missing_point_is_a_404(client, register, path):
    assert client.get(path).status_code == 404


def test_the_map_page_loads_leaflet_from_our_static_files(client, register):
    body = client.get("/points/map/").content.decode()
    assert "vendor/leaflet/leaflet.js" in body
    assert "outages/points-map.js" in body
    assert "<script>" not in body  # CSP: no inline scripts
    assert 'data-source="/points/points.geojson"' in body


def test_the_geojson_feed_is_a_valid_feature_collection(client, register, operator):
    register[0].operators.add(operator)
    response = client.get("/points/points.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 3
    for item in data["features"]:
        assert item["type"] == "Feature"
        assert item["geometry"]["type"] == "Point"
        lon, lat = item["geometry"]["coordinates"]
        assert 32 < lon < 33
        assert 46 < lat < 47
        props = item["properties"]
        for key in ("kind", "name", "address", "hours", "offers", "status", "confirmed_at"):
            assert key in props
        assert set(props["offers"]) <= {
            "power", "charging", "internet", "water", "heat", "first_aid", "accessible"
        }  # fmt: skip
    assert operator.email not in response.content.decode()
    assert "operator" not in response.content.decode()


def test_the_feed_speaks_the_visitors_language(client, register):
    data = json.loads(
        client.get("/points/points.geojson", headers={"accept-language": "en"}).content
    )
    assert {f["properties"]["name"] for f in data["features"]} >= {register[0].name_en}


def test_the_header_links_the_register(client, register):
    assert b'href="/points/"' in client.get("/").content
