"""/alerts/: active and recent alerts, one alert with its updates, the map data."""

import datetime as dt

import pytest
from django.utils import timezone

from news.models import AlertKind, Severity
from news.services import alert_resolve, alert_update_add

from .factories import committed, make_alert

pytestmark = pytest.mark.django_db

POINTS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [32.6169, 46.6354]},
            "properties": {"name": "вул. Соборна"},
        }
    ],
}


def test_alerts_page_lists_active_and_recent(client, north):
    active = make_alert(districts=[north], title_uk="Активна")
    over = make_alert(districts=[north], title_uk="Завершена")
    with committed():
        alert_resolve(alert=over)
    html = client.get("/alerts/").content.decode()
    now_part, recent_part = html.split('id="recent-title"')
    assert active.title_uk in now_part
    assert over.title_uk not in now_part
    assert over.title_uk in recent_part


def test_alerts_page_without_alerts_says_so(client, everything_in_english):
    client.cookies["django_language"] = "en"
    assert "No active alerts" in client.get("/alerts/").content.decode()


def test_map_is_offered_only_for_alerts_with_areas_or_points(client, north):
    make_alert(districts=[north])
    assert 'id="alerts-map"' not in client.get("/alerts/").content.decode()
    make_alert(districts=[north], kind=AlertKind.WATER_TRUCK, geometry=POINTS)
    html = client.get("/alerts/").content.decode()
    assert 'id="alerts-map"' in html
    # Leaflet is not on the page: the script loads it when the resident asks for the map.
    assert "leaflet.js" not in html.split('data-leaflet-js="')[0]


def test_map_data_has_the_active_alerts_points(client, north):
    alert = make_alert(
        districts=[north], kind=AlertKind.WATER_TRUCK, severity=Severity.INFO, geometry=POINTS
    )
    expired = make_alert(
        districts=[north],
        geometry=POINTS,
        starts_at=timezone.now() - dt.timedelta(hours=2),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )
    data = client.get("/alerts/map.json").json()
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["url"] for f in data["features"]] == [alert.get_absolute_url()]
    assert data["features"][0]["properties"]["name"] == "вул. Соборна"
    assert expired.pk != alert.pk


def test_alert_detail_shows_updates_newest_first(client, north):
    alert = make_alert(districts=[north])
    with committed():
        alert_update_add(alert=alert, text_uk="Перше оновлення", text_en="First")
        alert_update_add(alert=alert, text_uk="Друге оновлення", text_en="Second")
    html = client.get(alert.get_absolute_url()).content.decode()
    assert html.index("Друге оновлення") < html.index("Перше оновлення")


def test_draft_alert_has_no_public_page(client, north):
    alert = make_alert(districts=[north], publish=False)
    assert client.get(alert.get_absolute_url()).status_code == 404


def test_resolved_alert_page_says_it_is_over(client, north, english):
    alert = make_alert(districts=[north])
    with committed():
        alert_resolve(alert=alert)
    client.cookies["django_language"] = "en"
    assert "This alert is over." in client.get(alert.get_absolute_url()).content.decode()


def test_alerts_page_makes_a_fixed_number_of_queries(
    client, north, south, django_assert_max_num_queries
):
    for i in range(12):
        alert = make_alert(districts=[north, south], title_uk=f"Тривога {i}")
        if i % 3 == 0:
            with committed():
                alert_resolve(alert=alert)
    client.get("/alerts/")
    with django_assert_max_num_queries(5):
        assert client.get("/alerts/").status_code == 200


def test_alert_detail_makes_a_fixed_number_of_queries(
    client, north, south, django_assert_max_num_queries
):
    alert = make_alert(districts=[north, south])
    with committed():
        for i in range(5):
            alert_update_add(alert=alert, text_uk=f"Оновлення {i}", text_en=f"Update {i}")
    with django_assert_max_num_queries(4):
        assert client.get(alert.get_absolute_url()).status_code == 200
