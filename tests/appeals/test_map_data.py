"""/requests/map.json (GeoJSON of public appeals in the visible area) and /requests/map/."""

import pytest
from django.db import connection
from django.urls import reverse

from appeals.models import Appeal
from appeals.views import public
from tests.factories import CategoryFactory, DistrictFactory

from .public_factories import many_public_appeals, public_appeal

pytestmark = pytest.mark.django_db
URL = reverse("appeals:map_data")
EVERYWHERE = "-180,-90,180,90"


def features(client, **params) -> list[dict]:
    response = client.get(URL, {"bbox": EVERYWHERE, **params})
    assert response.status_code == 200
    return response.json()["features"]


def test_map_data_is_a_feature_collection_of_public_appeals(client, resident):
    appeal = public_appeal(
        resident, title="Не працюють ліхтарі", category=CategoryFactory(icon="💡")
    )
    response = client.get(URL, {"bbox": EVERYWHERE})
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert body["truncated"] is False
    (feature,) = body["features"]
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"] == {
        "reference": appeal.reference,
        "title": "Не працюють ліхтарі",
        "status": "accepted",
        "status_label": feature["properties"]["status_label"],
        "kind": "problem",
        "icon": "💡",
        "place": "",
        "url": appeal.get_absolute_url(),
    }
    assert feature["properties"]["status_label"]


def test_map_point_is_the_approximate_location_never_the_exact_one(client, resident):
    district = DistrictFactory()
    west, south = district.boundary["coordinates"][0][0]
    lat, lon = south + 0.004567, west + 0.006789
    appeal = public_appeal(resident, district=district, latitude=lat, longitude=lon)
    response = client.get(URL, {"bbox": EVERYWHERE})
    (feature,) = response.json()["features"]
    lon_shown, lat_shown = feature["geometry"]["coordinates"]
    assert (lat_shown, lon_shown) == appeal.approximate_location
    assert (lat_shown, lon_shown) != (lat, lon)
    body = response.content.decode()
    assert str(appeal.latitude) not in body
    assert str(appeal.longitude) not in body


def test_map_data_carries_no_author_data_or_address(client, resident):
    public_appeal(resident, address="вулиця Перекопська, 5, кв. 12", description="Мій телефон")
    body = client.get(URL, {"bbox": EVERYWHERE}).content.decode()
    for secret in (resident.email, resident.full_name, "Перекопська", "Мій телефон"):
        assert secret not in body


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"is_public": False}, id="private"),
        pytest.param({"accept": False}, id="awaiting-moderation"),
        pytest.param({"category": "sensitive"}, id="sensitive"),
    ],
)
def test_appeal_that_is_not_public_is_never_on_the_map(client, resident, fields):
    if fields.get("category") == "sensitive":
        fields = {"category": CategoryFactory(sensitive=True)}
    public_appeal(resident, **fields)
    assert features(client) == []


def test_rejected_appeal_is_never_on_the_map(client, resident):
    appeal = public_appeal(resident)
    Appeal.objects.filter(pk=appeal.pk).update(status="rejected")
    assert features(client) == []


def test_only_appeals_inside_the_bbox_are_sent(client, resident):
    inside, outside = DistrictFactory(), DistrictFactory()
    shown = public_appeal(resident, district=inside)
    public_appeal(resident, district=outside)
    west, south = inside.boundary["coordinates"][0][0]
    bbox = f"{west},{south},{west + 0.01},{south + 0.01}"
    response = client.get(URL, {"bbox": bbox})
    assert [f["properties"]["reference"] for f in response.json()["features"]] == [shown.reference]


def test_the_list_filters_apply_to_the_map(client, resident):
    lights = CategoryFactory(slug="streetlight")
    public_appeal(resident, category=lights, title="Не світить ліхтар")
    public_appeal(resident, title="Яма біля школи")
    titles = {f["properties"]["title"] for f in features(client, category="streetlight")}
    assert titles == {"Не світить ліхтар"}
    titles = {f["properties"]["title"] for f in features(client, q="школі")}
    assert titles == {"Яма біля школи"}


def test_bad_filter_values_on_the_map_are_left_out(client, resident):
    public_appeal(resident)
    assert len(features(client, date_from="2026-13-45", kind="nonsense")) == 1


@pytest.mark.parametrize(
    "bbox",
    [
        None,
        "",
        "32.5,46.6,32.7",
        "32.5,46.6,32.7,46.7,1",
        "a,b,c,d",
        "nan,46.6,32.7,46.7",
        "-inf,46.6,inf,46.7",
        "32.7,46.6,32.5,46.7",  # west east of east
        "32.5,46.7,32.7,46.6",  # south north of north
        "32.5,-91,32.7,46.7",
        "-181,46.6,32.7,46.7",
        "1e309,46.6,32.7,46.7",
    ],
)
def test_missing_or_bad_bbox_is_a_json_400(client, bbox):
    response = client.get(URL, {} if bbox is None else {"bbox": bbox})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "bbox" in response.json()["error"]


def test_features_stop_at_the_limit_and_say_so(client, resident, monkeypatch):
    monkeypatch.setattr(public, "MAP_LIMIT", 3)
    category, district = CategoryFactory(), DistrictFactory()
    made = [public_appeal(resident, category=category, district=district) for _ in range(5)]
    body = client.get(URL, {"bbox": EVERYWHERE}).json()
    assert body["truncated"] is True
    assert body["limit"] == 3
    # The newest are kept.
    assert [f["properties"]["reference"] for f in body["features"]] == [
        a.reference for a in reversed(made[2:])
    ]


def test_map_data_may_be_cached_publicly_for_a_minute(client, resident):
    public_appeal(resident)
    response = client.get(URL, {"bbox": EVERYWHERE})
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=60"} <= cache_control
    assert "Accept-Language" in response["Vary"]


def test_map_data_is_one_query_however_many_appeals(client, resident, django_assert_num_queries):
    many_public_appeals(resident, 40)
    with django_assert_num_queries(1):
        assert len(features(client)) == 40
    with django_assert_num_queries(1):
        features(client, category="category-1", district="district-1", kind="problem")


def test_map_data_with_a_search_is_two_queries_on_postgresql(
    client, resident, django_assert_max_num_queries
):
    many_public_appeals(resident, 40)
    # The threshold setting, and in a test's transaction a savepoint around it.
    extra = 3 if connection.vendor == "postgresql" else 0
    with django_assert_max_num_queries(1 + extra):
        assert len(features(client, q="ліхтар")) == 40


# --- the map page ---------------------------------------------------------


def test_map_page_configures_the_map_and_passes_the_filters(client, settings):
    response = client.get(reverse("appeals:map"), {"kind": "problem", "page": "2"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-tiles="{settings.MAP_TILE_URL}"' in html
    assert f'data-source="{URL}"' in html
    assert 'data-query="kind=problem"' in html
    assert "js/appeals-map.js" in html
    assert "vendor/markercluster/leaflet.markercluster.js" in html


def test_map_page_without_javascript_links_to_the_list_with_the_same_filters(client):
    html = client.get(reverse("appeals:map"), {"kind": "problem"}).content.decode()
    noscript = html[html.index("<noscript>") : html.index("</noscript>")]
    assert f'href="{reverse("appeals:list")}?kind=problem"' in noscript


def test_map_page_has_no_inline_script_or_style(client):
    html = client.get(reverse("appeals:map")).content.decode()
    assert "<script>" not in html
    assert " style=" not in html
    assert " onload=" not in html
