"""The districts resource: the slugs every other resource filters by."""

import pytest

from tests.factories import DistrictFactory, square

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def test_districts_in_order_with_names_in_the_callers_language(api):
    DistrictFactory(slug="dnipro", name_uk="Дніпровський", name_en="Dniprovskyi", ordering=2)
    DistrictFactory(
        slug="suvorov",
        name_uk="Центральний",
        name_en="Central",
        ordering=1,
        boundary=square(west=32.6, south=46.6, size=0.02),
    )
    english = api.get(f"{V1}/districts/").json()
    assert [(d["slug"], d["name"]) for d in english] == [
        ("suvorov", "Central"),
        ("dnipro", "Dniprovskyi"),
    ]
    assert english[0]["centre"] == [46.61, 32.61]
    assert english[0]["boundary"]["type"] == "Polygon"
    ukrainian = api.get(f"{V1}/districts/", HTTP_ACCEPT_LANGUAGE="uk").json()
    assert [d["name"] for d in ukrainian] == ["Центральний", "Дніпровський"]


def test_one_district_by_slug_and_an_unknown_one(api):
    DistrictFactory(slug="korabel", name_en="Korabelnyi")
    assert api.get(f"{V1}/districts/korabel/").json()["name"] == "Korabelnyi"
    assert api.get(f"{V1}/districts/nowhere/").status_code == 404


def test_districts_are_read_only(api_for, resident):
    response = api_for(resident).post(f"{V1}/districts/", {"slug": "x"}, format="json")
    assert response.status_code == 405


def test_the_list_is_kept_until_a_district_changes(api, django_assert_num_queries):
    districts = [DistrictFactory() for _ in range(6)]
    with django_assert_num_queries(2):  # the last change, then the districts
        assert len(api.get(f"{V1}/districts/").json()) == 6
    with django_assert_num_queries(1):  # the last change only
        assert len(api.get(f"{V1}/districts/").json()) == 6
    districts[0].name_en = "Renamed"
    districts[0].save()
    assert api.get(f"{V1}/districts/").json()[0]["name"] == "Renamed"
    districts[1].delete()
    assert len(api.get(f"{V1}/districts/").json()) == 5
