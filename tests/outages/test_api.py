"""The points in the REST API v1: public reading, operators' PATCH through the same service."""

import pytest

from outages.models import HelpPoint, Kind, PointStatus

from .conftest import EAST_POINT
from .factories import HelpPointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def test_the_list_is_public(api, point, other_point):
    response = api.get("/api/v1/points/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert {row["id"] for row in results} == {point.pk, other_point.pk}
    row = next(r for r in results if r["id"] == point.pk)
    assert row["name"] == point.name_en
    assert row["status"] == "open"
    assert row["district"]["slug"] == "centre"
    assert set(row["offers"]) == {"power", "charging", "water"}
    assert "operators" not in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "shelter"}, {"shelter"}),
        ({"district": "east"}, {"east"}),
        ({"status": "closed"}, {"closed"}),
    ],
)
def test_the_list_filters(api, districts, query, expected):
    HelpPointFactory(kind=Kind.SHELTER)
    HelpPointFactory(kind=Kind.HEATING, latitude=EAST_POINT[0], longitude=EAST_POINT[1])
    HelpPointFactory(kind=Kind.HEATING, status=PointStatus.CLOSED)
    rows = api.get("/api/v1/points/", query).json()["results"]
    assert rows
    key = next(iter(query))
    found = {r["district"]["slug"] if key == "district" else r[key] for r in rows}
    assert found == expected


def test_a_bad_filter_is_a_400(api, point):
    assert api.get("/api/v1/points/", {"kind": "volcano"}).status_code == 400


def test_the_detail(api, point):
    response = api.get(f"/api/v1/points/{point.pk}/")
    assert response.status_code == 200
    assert response.json()["url"] == point.get_absolute_url()


def test_an_unpublished_point_is_not_in_the_api(api, point):
    HelpPoint.objects.filter(pk=point.pk).update(is_published=False)
    assert api.get(f"/api/v1/points/{point.pk}/").status_code == 404


def test_an_operator_patches_the_status_of_their_point(api_client_for, operator, point):
    response = api_client_for(operator).patch(
        f"/api/v1/points/{point.pk}/", {"status": "full", "generator_on": True}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "full"
    point.refresh_from_db()
    assert (point.status, point.generator_on, point.confirmed_by) == ("full", True, operator)
    assert point.changes.get().actor == operator


def test_an_empty_patch_confirms(api_client_for, operator, point):
    response = api_client_for(operator).patch(f"/api/v1/points/{point.pk}/", {}, format="json")
    assert response.status_code == 200
    assert point.changes.get().action == "confirm"


def test_a_change_the_table_refuses_is_a_400(api_client_for, operator, point):
    HelpPoint.objects.filter(pk=point.pk).update(status=PointStatus.CLOSED)
    response = api_client_for(operator).patch(
        f"/api/v1/points/{point.pk}/", {"status": "full"}, format="json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [{"status": "burning"}, {"status": "a\x00b"}, {"generator_on": "9" * 400}, {"status": 10**400}],
)
def test_bad_bodies_are_400s(api_client_for, operator, point, body):
    response = api_client_for(operator).patch(f"/api/v1/points/{point.pk}/", body, format="json")
    assert response.status_code == 400


def test_put_is_not_offered(api_client_for, operator, point):
    response = api_client_for(operator).put(
        f"/api/v1/points/{point.pk}/", {"status": "closed"}, format="json"
    )
    assert response.status_code == 405


def test_an_operator_without_two_factor_cannot_patch(api_client_for, operator_without_mfa, point):
    point.operators.add(operator_without_mfa)
    response = api_client_for(operator_without_mfa).patch(
        f"/api/v1/points/{point.pk}/", {"status": "closed"}, format="json"
    )
    assert response.status_code == 403


def test_the_schema_documents_the_points(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert "/api/v1/points/" in schema["paths"]
    assert "patch" in schema["paths"]["/api/v1/points/{id}/"]
