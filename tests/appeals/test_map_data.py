"""/requests/map.json (GeoJSON of public appeals in the visible area) and /requests/map/."""

import pytest
from django.db import connection
from django.urls import reverse

from appeals import mapdata
from appeals.models import Appeal
from appeals.views import public
from tests.factories import CategoryFactory, DistrictFactory, square

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
    # The appeals, and the first time the live outages' layer (then kept in the cache).
    with django_assert_num_queries(2):
        assert len(features(client)) == 40
    with django_assert_num_queries(1):
        features(client, category="category-1", district="district-1", kind="problem")


def test_map_data_with_a_search_is_two_queries_on_postgresql(
    client, resident, django_assert_max_num_queries
):
    many_public_appeals(resident, 40)
    # The threshold setting, and in a test's transaction a savepoint around it.
    extra = 3 if connection.vendor == "postgresql" else 0
    # The appeals and the live outages' layer (cold cache).
    with django_assert_max_num_queries(2 + extra):
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


# --- a whole city: grid cells counted by the database ------------------------------


@pytest.fixture
def crowded(resident, monkeypatch):
    """Twelve public appeals in one district, and a city-wide box around them."""
    monkeypatch.setattr(mapdata, "CLUSTER_MIN", 5)
    district = DistrictFactory(boundary=square(west=40.0, south=40.0, size=0.2))
    west, south = 40.05, 40.05
    category = CategoryFactory()
    points = [(south + 0.004 * i, west + 0.003 * i) for i in range(12)]
    appeals = [
        public_appeal(resident, district=district, category=category, latitude=lat, longitude=lon)
        for lat, lon in points
    ]
    box = f"{west - 0.1},{south - 0.1},{west + 0.1},{south + 0.1}"
    return appeals, box


def test_a_crowded_city_wide_box_is_sent_as_grid_cells(client, crowded):
    appeals, box = crowded
    body = client.get(URL, {"bbox": box}).json()

    assert body["grid"] == mapdata.cell_size(*map(float, box.split(",")))
    assert body["truncated"] is False
    assert sum(f["properties"]["count"] for f in body["features"]) == len(appeals)
    assert 1 < len(body["features"]) < len(appeals)
    # Cells say how many, not which: no reference, title or link.
    assert all(set(f["properties"]) == {"count"} for f in body["features"])


def test_a_neighbourhood_gets_points_even_when_crowded(client, crowded):
    appeals, _box = crowded
    lat, lon = appeals[0].approximate_location
    # ~2.5 km across (a neighbourhood on a phone), holding the first six.
    small = f"{lon - 0.002},{lat - 0.002},{lon + 0.023},{lat + 0.023}"
    body = client.get(URL, {"bbox": small}).json()

    assert body["grid"] is None
    assert {f["properties"]["reference"] for f in body["features"]} == {
        a.reference for a in appeals[:6]
    }


def test_a_wide_box_with_few_appeals_still_gets_points(client, resident):
    public_appeal(resident)
    body = client.get(URL, {"bbox": EVERYWHERE}).json()
    assert body["grid"] is None
    assert len(body["features"]) == 1


def test_a_cell_of_one_appeal_sits_on_its_public_point(client, resident, monkeypatch):
    monkeypatch.setattr(mapdata, "CLUSTER_MIN", 1)
    district = DistrictFactory(boundary=square(west=40.0, south=40.0, size=0.2))
    west, south = 40.0, 40.0
    # Far apart: each its own cell.
    first = public_appeal(
        resident, district=district, latitude=south + 0.004567, longitude=west + 0.006789
    )
    second = public_appeal(
        resident, district=district, latitude=south + 0.084321, longitude=west + 0.091234
    )
    box = f"{west - 0.2},{south - 0.2},{west + 0.2},{south + 0.2}"
    response = client.get(URL, {"bbox": box})
    shown = {tuple(f["geometry"]["coordinates"][::-1]) for f in response.json()["features"]}

    assert shown == {first.approximate_location, second.approximate_location}
    body = response.content.decode()
    for appeal in (first, second):
        assert str(appeal.latitude) not in body
        assert str(appeal.longitude) not in body


def test_grid_cells_are_two_queries_however_many_appeals(
    client, crowded, django_assert_num_queries
):
    _appeals, box = crowded
    # The probe, the cells, and the live outages' layer (cold cache).
    with django_assert_num_queries(3):
        client.get(URL, {"bbox": box})


def test_the_cell_size_is_a_power_of_two_of_the_rounding_step():
    assert mapdata.cell_size(32.4, 46.55, 32.8, 46.75) == 32  # 0.4° / 20 cells → 0.032°
    assert mapdata.cell_size(32.6, 46.6, 32.64, 46.63) == 2
    assert mapdata.cell_size(32.6, 46.6, 32.601, 46.601) == 1
    # Panning keeps the size: cached answers stay valid.
    assert mapdata.cell_size(32.41, 46.56, 32.81, 46.76) == 32


def test_a_panned_city_map_reuses_the_counted_cells(client, crowded, django_assert_num_queries):
    _appeals, box = crowded
    client.get(URL, {"bbox": box})
    west, south, east, north = (float(v) for v in box.split(","))
    moved = f"{west + 0.001},{south + 0.001},{east + 0.001},{north + 0.001}"
    # Only the probe for "few enough for points?": the cells come from the cache.
    with django_assert_num_queries(1):
        body = client.get(URL, {"bbox": moved}).json()
    assert body["grid"]


def test_cells_are_counted_again_after_their_time(client, crowded, resident, monkeypatch):
    appeals, box = crowded
    monkeypatch.setattr(mapdata, "GRID_CACHE_SECONDS", 0)
    client.get(URL, {"bbox": box})
    public_appeal(
        resident,
        district=appeals[0].district,
        category=appeals[0].category,
        latitude=appeals[0].latitude,
        longitude=appeals[0].longitude,
    )
    body = client.get(URL, {"bbox": box}).json()
    assert sum(f["properties"]["count"] for f in body["features"]) == len(appeals) + 1


def test_snapping_grows_the_box_to_whole_cells():
    assert mapdata.snapped(32.401, 46.551, 32.799, 46.749, 32) == (32.384, 46.528, 32.8, 46.752)
