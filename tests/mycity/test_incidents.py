"""The shared incident rules: which incident covers a point; suggestions from clusters."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from mycity.incidents import circle, incident_suggest, incidents_covering
from mycity.models import Incident, IncidentEvent
from tests.factories import DistrictFactory, IncidentFactory, square

pytestmark = pytest.mark.django_db


def middle(district):
    west, south = district.boundary["coordinates"][0][0]
    return {"lat": south + 0.005, "lon": west + 0.005}


def test_district_incident_covers_points_in_its_districts_only():
    inside, outside = DistrictFactory(), DistrictFactory()
    incident = IncidentFactory(districts=[inside])
    assert incidents_covering(kind="power", **middle(inside)) == [incident]
    assert incidents_covering(kind="power", **middle(outside)) == []
    # Another kind at the same point is not this incident.
    assert incidents_covering(kind="water", **middle(inside)) == []


def test_drawn_area_wins_over_districts():
    district = DistrictFactory()
    west, south = district.boundary["coordinates"][0][0]
    # A small square in the district's south-west corner.
    incident = IncidentFactory(
        districts=[district], area=square(west=west, south=south, size=0.002)
    )
    assert incidents_covering(kind="power", lat=south + 0.001, lon=west + 0.001) == [incident]
    assert incidents_covering(kind="power", **middle(district)) == []


def test_whole_city_covers_every_district_but_not_outside_the_city():
    district = DistrictFactory()
    incident = IncidentFactory(whole_city=True)
    assert incidents_covering(kind="power", **middle(district)) == [incident]
    assert incidents_covering(kind="power", lat=10.0, lon=10.0) == []


@pytest.mark.parametrize("status", ["resolved", "dismissed", "suggested"])
def test_only_active_incidents_cover_by_default(status):
    district = DistrictFactory()
    IncidentFactory(districts=[district], status=status)
    assert incidents_covering(kind="power", **middle(district)) == []


def test_covering_takes_two_queries_whatever_the_number_of_incidents(django_assert_num_queries):
    district = DistrictFactory()
    for _ in range(5):
        IncidentFactory(districts=[district])
    district.refresh_from_db()
    DistrictFactory()
    incidents_covering(kind="power", **middle(district))  # warm the boundary cache
    with django_assert_num_queries(
        4
    ):  # incidents, their districts, boundaries' versions, the district
        assert len(incidents_covering(kind="power", **middle(district))) == 5


def test_circle_is_a_closed_polygon_of_the_radius():
    polygon = circle(lat=46.63, lon=32.6, radius_m=500)
    ring = polygon["coordinates"][0]
    assert polygon["type"] == "Polygon"
    assert ring[0] == ring[-1]
    north = max(lat for _lon, lat in ring)
    assert 0.0040 < north - 46.63 < 0.0046  # 500 m is about 0.0045° of latitude


def test_suggestion_is_created_once_for_a_growing_cluster():
    district = DistrictFactory()
    point = middle(district)
    first = incident_suggest(
        kind="water", radius_m=300, title_uk="Немає води?", title_en="No water?",
        started_at=timezone.now(), **point,
    )  # fmt: skip
    again = incident_suggest(
        kind="water", radius_m=300, title_uk="Немає води?", title_en="No water?",
        started_at=timezone.now(), lat=point["lat"] + 0.0005, lon=point["lon"],
    )  # fmt: skip
    assert first.created
    assert not again.created
    assert again.incident == first.incident
    assert first.incident.status == Incident.Status.SUGGESTED
    assert list(IncidentEvent.objects.values_list("action", "to_status")) == [
        ("suggest", "suggested")
    ]
    # A suggestion is not public.
    assert not Incident.objects.public().exists()


def test_a_drawn_area_must_be_a_valid_polygon():
    incident = IncidentFactory.build(area={"type": "Point", "coordinates": [32.6, 46.6]})
    with pytest.raises(ValidationError) as caught:
        incident.full_clean()
    assert "area" in caught.value.message_dict


def test_expected_restoration_after_the_start_is_enforced_by_the_database():
    now = timezone.now()
    with pytest.raises(IntegrityError):
        IncidentFactory(started_at=now, expected_at=now - timezone.timedelta(minutes=1))
