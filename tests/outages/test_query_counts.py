"""The register's pages make as many queries at 30 points as at 3, and at most 10.

The pattern and the helper are in tests/query_counts.py. Each point carries
offers, a district and operators; on the operator screen each has an open
report from a resident.
"""

import uuid

import pytest

from outages.models import PointReport
from tests.query_counts import assert_flat, counts_at_growing_data

from .factories import HelpPointFactory

pytestmark = pytest.mark.django_db

VIEWERS = ["anonymous", "resident"]


@pytest.fixture
def add_points(districts, operator, other_operator):
    def add(n: int) -> list:
        points = HelpPointFactory.create_batch(n, operators=[operator, other_operator])
        PointReport.objects.bulk_create(
            PointReport(point=p, problem="full", comment="Черга", idempotency_key=uuid.uuid4())
            for p in points
        )
        return points

    return add


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_list(request, client_for, add_points, viewer):
    client = client_for(request.getfixturevalue(viewer))
    assert_flat(counts_at_growing_data(client, "/points/", seed=add_points))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_list_nearest_first_filtered(request, client_for, add_points, viewer):
    client = client_for(request.getfixturevalue(viewer))
    data = {"kind": "invincibility", "district": "centre", "near": "46.63,32.60"}
    assert_flat(counts_at_growing_data(client, "/points/", seed=add_points, data=data))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_map_data(request, client_for, add_points, viewer):
    client = client_for(request.getfixturevalue(viewer))
    assert_flat(counts_at_growing_data(client, "/points/points.geojson", seed=add_points))
    assert_flat(counts_at_growing_data(client, "/points/map/", seed=add_points))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_detail(request, client_for, add_points, viewer):
    client = client_for(request.getfixturevalue(viewer))
    first = []

    def seed(n):
        first.extend(add_points(n))

    assert_flat(counts_at_growing_data(client, lambda: first[0].get_absolute_url(), seed=seed))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_api_list(request, client_for, add_points, viewer):
    client = client_for(request.getfixturevalue(viewer))
    assert_flat(counts_at_growing_data(client, "/api/v1/points/", seed=add_points))


def test_the_operator_screen(client_for, operator, add_points):
    assert_flat(counts_at_growing_data(client_for(operator), "/points/operate/", seed=add_points))


def test_the_feed_answers_a_city_wide_request_from_the_cache(
    client, add_points, django_assert_num_queries
):
    add_points(30)
    client.get("/points/points.geojson")
    with django_assert_num_queries(0):
        client.get("/points/points.geojson")
