"""The appeals list by area: `bbox`, or `near` + `radius` nearest first, from the public
(rounded) point only; bad values are a 400 naming the parameter. Runs on SQLite and
PostgreSQL alike (DATABASE_URL)."""

import datetime as dt

import pytest
from django.utils import timezone

from appeals.models import Appeal
from tests.appeals.public_factories import public_appeal
from tests.query_counts import forget_cache

pytestmark = pytest.mark.django_db
URL = "/api/v1/appeals/"


def at(appeal, latitude, longitude):
    Appeal.objects.filter(pk=appeal.pk).update(latitude=latitude, longitude=longitude)
    return appeal


@pytest.fixture
def places(resident, category, district):
    """Appeals at known exact points (a few hundred metres apart) in Kherson."""

    def make(title, latitude, longitude, **fields):
        appeal = public_appeal(
            resident, category=category, district=district, title=title, **fields
        )
        return at(appeal, latitude, longitude)

    return {
        "centre": make("Centre", 46.63549, 32.61649),  # public point 46.635, 32.616
        "east": make("East", 46.6355, 32.6215),  # ~380 m east of the centre
        "north": make("North", 46.6445, 32.6165),  # ~1 km north
        "far": make("Far", 46.75, 32.8),  # ~18 km away
        "private": make("Private", 46.6355, 32.6165, is_public=False),
        "proposal": make("Proposal", 46.6356, 32.6166, kind="proposal"),
        "proposal_far": make("Proposal far", 46.70, 32.70, kind="proposal"),
    }


def titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


def test_bbox_keeps_appeals_whose_public_point_is_inside(api, places):
    found = titles(api.get(URL, {"bbox": "32.60,46.62,32.63,46.65"}))
    assert sorted(found) == ["Centre", "East", "North", "Proposal"]  # never the private one


def test_a_bbox_around_the_rounded_point_finds_it_one_around_the_exact_point_does_not(api, places):
    # The centre's exact point is 46.63549, 32.61649; the public one 46.635, 32.616.
    around_public = "32.6159,46.6349,32.6161,46.6351"
    around_exact = "32.6164,46.6354,32.6166,46.6356"
    assert "Centre" in titles(api.get(URL, {"bbox": around_public}))
    assert "Centre" not in titles(api.get(URL, {"bbox": around_exact}))


def test_near_lists_within_the_radius_nearest_first(api, places):
    found = titles(api.get(URL, {"near": "46.6355,32.6165", "radius": "1500"}))
    assert found[-2:] == ["East", "North"]
    assert set(found[:2]) == {"Centre", "Proposal"}  # both rounded to ~70 m of the point
    assert "Far" not in found
    assert "Private" not in found


def test_near_without_a_radius_takes_a_kilometre(api, places):
    found = titles(api.get(URL, {"near": "46.6355,32.6165"}))
    assert "East" in found
    assert "North" not in found


def test_near_measures_to_the_public_point_not_the_exact_one(api, places):
    # At the centre's exact point, its public point is ~55 m away (0.00049° north).
    assert "Centre" not in titles(api.get(URL, {"near": "46.63549,32.61649", "radius": "20"}))
    assert "Centre" in titles(api.get(URL, {"near": "46.635,32.616", "radius": "1"}))


def test_proposals_near_a_point_come_nearest_first(api, places):
    response = api.get("/api/v1/proposals/", {"near": "46.6355,32.6165", "radius": "20000"})
    assert titles(response) == ["Proposal", "Proposal far"]
    assert titles(api.get("/api/v1/proposals/", {"bbox": "32.69,46.69,32.71,46.71"})) == [
        "Proposal far"
    ]


def test_area_filters_combine_with_the_others(api, places):
    found = titles(api.get(URL, {"near": "46.6355,32.6165", "radius": "1500", "kind": "problem"}))
    assert "Proposal" not in found
    assert "Centre" in found


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"bbox": "32.6,46.6,32.7"}, "bbox"),
        ({"bbox": "a,b,c,d"}, "bbox"),
        ({"bbox": "32.6,46.6,32.7,46.7,1"}, "bbox"),
        ({"bbox": "nan,46.6,32.7,46.7"}, "bbox"),
        ({"bbox": "32.6,46.6,inf,46.7"}, "bbox"),
        ({"bbox": "32.6,-91,32.7,46.7"}, "bbox"),
        ({"bbox": "-181,46.6,32.7,46.7"}, "bbox"),
        ({"bbox": "32.7,46.6,32.6,46.7"}, "bbox"),  # min_lon > max_lon
        ({"bbox": "32.6,46.7,32.7,46.6"}, "bbox"),  # min_lat > max_lat
        ({"bbox": "1e400,46.6,32.7,46.7"}, "bbox"),
        ({"near": "46.6"}, "near"),
        ({"near": "46.6,32.6,1"}, "near"),
        ({"near": "nan,32.6"}, "near"),
        ({"near": "46.6,-inf"}, "near"),
        ({"near": "91,32.6"}, "near"),
        ({"near": "46.6,181"}, "near"),
        ({"near": "46.6,32.6", "radius": "0"}, "radius"),
        ({"near": "46.6,32.6", "radius": "-5"}, "radius"),
        ({"near": "46.6,32.6", "radius": "50001"}, "radius"),
        ({"near": "46.6,32.6", "radius": "nan"}, "radius"),
        ({"near": "46.6,32.6", "radius": "inf"}, "radius"),
        ({"near": "46.6,32.6", "radius": "far"}, "radius"),
        ({"radius": "100"}, "radius"),  # a radius without a point
    ],
)
@pytest.mark.parametrize("url", [URL, "/api/v1/proposals/"])
def test_bad_area_values_are_400_naming_the_parameter(api, url, params, name):
    response = api.get(url, params)
    assert response.status_code == 400, response.content
    assert name in response.content.decode()


def test_the_area_list_makes_a_fixed_number_of_queries(
    api, resident, category, district, django_assert_max_num_queries
):
    for n in range(25):
        at(public_appeal(resident, category=category, district=district), 46.63 + n * 1e-4, 32.6)
    with django_assert_max_num_queries(4):
        response = api.get(URL, {"near": "46.63,32.6", "radius": "5000"})
    assert response.json()["count"] == 25


@pytest.fixture
def crowd(resident, category, district):
    """72 appeals around 46.6356,32.6166: 18 in one rounded point ~55 m away; two at the
    corner of the 250 m circle's box but outside the circle (267 m), one just outside
    the box but nearer (263 m); 33 from 300 m to 3 km; 18 from 5 to 25 km.
    Registration times repeat, so ties are ordered by time and then key."""

    def spot(n):
        if n < 18:
            return 46.6355 + (n // 2) * 1e-4, 32.6165 + (n // 2 % 4) * 1e-4
        if n < 20:
            return 46.6341, 32.6141
        if n == 20:
            return 46.6360, 32.6199
        if n < 54:
            step = 0.003 + (n - 21) * 0.0008
            return 46.6355 + step * (-1) ** n, 32.6165 + step / 2
        return 46.6355 + (n - 50) * 0.01, 32.6165 - (n - 50) * 0.005

    day = timezone.now() - dt.timedelta(days=3)
    for n in range(72):
        appeal = at(public_appeal(resident, category=category, district=district), *spot(n))
        Appeal.objects.filter(pk=appeal.pk).update(registered_at=day + dt.timedelta(hours=n % 5))


def every_page(api, url, params) -> list[str]:
    """The references of every page of a list, in order."""
    found, page = [], 1
    while True:
        body = api.get(url, {**params, "page": page}).json()
        found += [row["reference"] for row in body["results"]]
        if not body["next"]:
            return found
        page += 1


@pytest.mark.parametrize("url", [URL, "/api/v1/proposals/"])
def test_near_pages_are_the_same_whichever_circle_they_are_read_from(api, crowd, monkeypatch, url):
    """A page is read from the smallest circle that holds it; the whole list is the same
    as when it is read from the radius asked, page after page and on the last page."""
    if "proposals" in url:
        Appeal.objects.update(kind="proposal")
    sizes = {"150": 18, "900": 28, "2500": 44, "20000": 67, "50000": 72}
    with_rings = {}
    for radius in sizes:
        with_rings[radius] = every_page(api, url, {"near": "46.6356,32.6166", "radius": radius})
    monkeypatch.setattr("appeals.api.filters.NEAR_RINGS_M", ())
    forget_cache()
    for radius, size in sizes.items():
        without = every_page(api, url, {"near": "46.6356,32.6166", "radius": radius})
        assert with_rings[radius] == without
        assert len(without) == size


def test_a_page_near_the_centre_reads_the_smallest_circle_that_holds_it(
    api, crowd, django_assert_num_queries
):
    params = {"near": "46.6356,32.6166", "radius": "50000"}
    # The count (to 10,000); the 250 m ring's check (18 rows, short of a page) and the
    # 500 m one's (it holds 20); the page's keys by distance within 500 m; its rows.
    with django_assert_num_queries(5):
        assert api.get(URL, params).json()["count"] == 72
    # Page 3 needs the first 60 rows: the rings from 250 m to 8 km hold 18 to 57 and
    # the 16 km one 64. Seven checks, each a count that stops at 60.
    with django_assert_num_queries(10):
        assert len(api.get(URL, {**params, "page": 3}).json()["results"]) == 20


def test_two_exact_points_in_one_rounding_cell_get_the_same_answers(
    api, resident, category, district
):
    """Bisection with boxes or circles from any point finds the rounded point, no finer."""
    questions = [
        {"near": "46.63549,32.61649", "radius": "30"},
        {"near": "46.63451,32.61551", "radius": "30"},
        {"near": "46.6357,32.6161", "radius": "60"},
        {"near": "46.6345,32.6166", "radius": "75"},
        {"near": "46.635,32.616", "radius": "1"},
        {"bbox": "32.6164,46.6354,32.6166,46.6356"},
        {"bbox": "32.6154,46.6344,32.6156,46.6346"},
        {"bbox": "32.6155,46.6345,32.6165,46.6355"},
        {"bbox": "32.6159,46.6349,32.6161,46.6351"},
    ]
    answers = []
    for exact in ((46.63549, 32.61649), (46.63451, 32.61551)):  # both public 46.635, 32.616
        appeal = at(public_appeal(resident, category=category, district=district), *exact)
        answers.append([api.get(URL, q).json()["count"] for q in questions])
        appeal.delete()
        forget_cache()  # the lists are kept a minute: ask afresh
    assert answers[0] == answers[1]
    assert 0 < sum(answers[0]) < len(questions)  # some questions find it, some do not
