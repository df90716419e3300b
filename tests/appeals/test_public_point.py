"""Exact points never leak through derived values: distances, area filters, order.

Whatever an anonymous visitor asks ("Is it one of these?" from any pin, the
map's visible area), the answer depends only on the rounded public point that
the public map shows anyway, so trilateration or bisection finds that point
and nothing finer.
"""

import math

import pytest
from django.urls import reverse

from appeals.models import public_point, public_point_within
from appeals.services import transition
from appeals.services.duplicates import distance_m, similar_open_appeals
from appeals.workflow import MODERATOR, Action
from tests.factories import CategoryFactory, DistrictFactory, UserFactory, submit_appeal

pytestmark = pytest.mark.django_db

METRES_PER_DEGREE = math.pi * 6_371_000 / 180


@pytest.fixture
def district():
    return DistrictFactory()


@pytest.fixture
def category():
    return CategoryFactory()


@pytest.fixture
def cell(district):
    """A point on the rounding grid in the middle of the district."""
    west, south = district.boundary["coordinates"][0][0]
    return public_point(south + 0.005, west + 0.005)


def accepted(category, district, lat, lon, **fields):
    author = UserFactory()
    appeal = submit_appeal(
        author, category, district=district, latitude=lat, longitude=lon, **fields
    )
    return transition(appeal=appeal, action=Action.ACCEPT, actor=author, role=MODERATOR)


def offset(point, *, north_m: float, east_m: float) -> tuple[float, float]:
    lat, lon = point
    return (
        lat + north_m / METRES_PER_DEGREE,
        lon + east_m / (METRES_PER_DEGREE * math.cos(math.radians(lat))),
    )


def trilaterate(anchors, distances):
    """Least squares on a local flat plane (metres), the attacker's arithmetic."""
    lat0, lon0 = anchors[0]
    kx = METRES_PER_DEGREE * math.cos(math.radians(lat0))
    ky = METRES_PER_DEGREE
    pts = [((lon - lon0) * kx, (lat - lat0) * ky) for lat, lon in anchors]
    (x1, y1), d1 = pts[0], distances[0]
    rows, rhs = [], []
    for (x, y), d in zip(pts[1:], distances[1:], strict=True):
        rows.append((2 * (x - x1), 2 * (y - y1)))
        rhs.append(d1**2 - d**2 + x**2 - x1**2 + y**2 - y1**2)
    (a, b), (c, d) = rows
    det = a * d - b * c
    x = (rhs[0] * d - b * rhs[1]) / det
    y = (a * rhs[1] - c * rhs[0]) / det
    return lat0 + y / ky, lon0 + x / kx


def test_trilateration_from_three_pins_finds_only_the_rounded_point(category, district, cell):
    exact = offset(cell, north_m=37, east_m=-21)
    accepted(category, district, *exact)
    anchors = [
        offset(cell, north_m=60, east_m=0),
        offset(cell, north_m=-40, east_m=50),
        offset(cell, north_m=-30, east_m=-60),
    ]

    distances = []
    for lat, lon in anchors:
        [suggestion] = similar_open_appeals(category=category, latitude=lat, longitude=lon)
        distances.append(suggestion.distance_m)
    guess = trilaterate(anchors, distances)

    # What three requests recover is the public point, ~43 m off the exact one.
    assert distance_m(*guess, *public_point(*exact)) < 1
    assert distance_m(*guess, *exact) > 30


def test_suggestions_page_is_the_same_for_two_exact_points_in_one_rounding_cell(
    client, category, district, cell
):
    """Two appeals, exact points ~60 m apart but one public point: indistinguishable."""
    pages = []
    for north_m, east_m in ((-40, -30), (40, 30)):
        appeal = accepted(category, district, *offset(cell, north_m=north_m, east_m=east_m))
        assert public_point(appeal.latitude, appeal.longitude) == cell
        seen = []
        for pin_north, pin_east in ((0, 0), (120, 0), (0, 110), (-80, -80), (30, -120)):
            lat, lon = offset(cell, north_m=pin_north, east_m=pin_east)
            html = client.get(
                reverse("appeals:similar"),
                {"category": category.slug, "latitude": lat, "longitude": lon},
                HTTP_ACCEPT_LANGUAGE="en",
            ).content.decode()
            seen.append(html.replace(appeal.reference, "REF"))
        pages.append(seen)
        appeal.delete()
    assert pages[0] == pages[1]
    assert "under 100 m from your pin" in pages[0][0]


def test_suggestion_distance_is_a_band_never_metres(client, category, district, cell):
    accepted(category, district, *offset(cell, north_m=12, east_m=7))
    lat, lon = offset(cell, north_m=-130, east_m=0)

    html = client.get(
        reverse("appeals:similar"),
        {"category": category.slug, "latitude": lat, "longitude": lon},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()

    assert "under 300 m from your pin" in html
    assert "130 m" not in html
    assert "142 m" not in html


def test_whether_an_appeal_is_suggested_depends_on_the_rounded_point_only(category, district, cell):
    # Exact point 160 m north of the pin (outside 150 m), public point ~111 m north.
    exact = offset(cell, north_m=160, east_m=0)
    accepted(category, district, *exact)
    lat, lon = cell

    assert len(similar_open_appeals(category=category, latitude=lat, longitude=lon)) == 1
    assert similar_open_appeals(category=category, latitude=lat, longitude=lon, radius_m=100) == []


def test_map_area_filter_uses_the_rounded_point_so_bisection_stops_at_the_grid(
    client, category, district, cell
):
    exact = offset(cell, north_m=30, east_m=20)  # rounds back to `cell`
    accepted(category, district, *exact)
    lat, lon = cell

    def shown(south, north):
        bbox = f"{lon - 0.01},{south},{lon + 0.01},{north}"
        response = client.get(reverse("appeals:map_data"), {"bbox": bbox})
        return len(response.json()["features"])

    # A box holding the exact point but not the public one finds nothing...
    assert shown(exact[0] - 0.0001, exact[0] + 0.0001) == 0
    # ...and one holding the public point but not the exact one finds it.
    assert shown(lat - 0.0001, lat + 0.0001) == 1


@pytest.mark.parametrize(
    ("north", "inside"),
    [(0.0004, True), (0.0006, False), (-0.0006, False), (-0.0004, True)],
)
def test_public_point_within_matches_the_rounded_point(north, inside, category, district, cell):
    lat, lon = cell
    appeal = accepted(category, district, lat + north, lon)

    box = public_point_within(south=lat - 0.0001, north=lat + 0.0001, west=lon - 1, east=lon + 1)

    assert type(appeal).objects.filter(box).exists() is inside


@pytest.mark.parametrize("tie", [0.0005, -0.0005, 0.0015])
def test_on_a_tie_the_shown_point_and_the_area_filter_agree(tie, category, district, cell):
    # Exactly half a step from the grid (a point typed with four decimals, say):
    # Python's round() and a comparison of bounds each broke such ties their own
    # way, so a box around the shown point missed it and told the exact point.
    lat, lon = cell
    appeal = accepted(category, district, round(lat + tie, 4), round(lon + tie, 4))
    shown_lat, shown_lon = public_point(appeal.latitude, appeal.longitude)

    def found(south, north, west, east) -> bool:
        box = public_point_within(south=south, north=north, west=west, east=east)
        return type(appeal).objects.filter(box, pk=appeal.pk).exists()

    near = 0.0001
    assert found(shown_lat - near, shown_lat + near, shown_lon - near, shown_lon + near)
    # A box around any neighbouring cell does not find it.
    for d_lat, d_lon in ((0.001, 0), (-0.001, 0), (0, 0.001), (0, -0.001)):
        south, west = shown_lat + d_lat - near, shown_lon + d_lon - near
        assert not found(south, south + 2 * near, west, west + 2 * near)


def _just_below(value: float) -> float:
    return math.nextafter(value, -math.inf)


@pytest.mark.parametrize(
    "exact",
    [
        lambda lat: round(lat + 0.0005, 4),  # a tie typed with four decimals
        lambda lat: lat + 0.0005,  # the grid's edge as arithmetic makes it
        lambda lat: _just_below(lat + 0.0005),  # the last double below it
        lambda lat: _just_below(round(lat + 0.0005, 4)),
    ],
)
def test_the_api_distance_is_from_the_shown_point_on_a_tie(exact, client, category, district, cell):
    lat, lon = cell
    appeal = accepted(category, district, exact(lat), lon)
    shown_lat, shown_lon = public_point(appeal.latitude, appeal.longitude)

    def count(radius):
        response = client.get(
            "/api/v1/appeals/", {"near": f"{shown_lat},{shown_lon}", "radius": radius}
        )
        return response.json()["count"]

    # From the shown point the appeal is at distance 0 (SQL works out the same
    # cell as Python): the smallest radius finds it. The box around the shown
    # point finds it too.
    assert count(1) == 1
    box = public_point_within(south=shown_lat, north=shown_lat, west=shown_lon, east=shown_lon)
    assert type(appeal).objects.filter(box, pk=appeal.pk).exists()
