"""Districts: finding the district of a point, and validating boundaries."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from mycity.models import District
from tests.factories import DepartmentFactory, DistrictFactory, square

pytestmark = pytest.mark.django_db

BOWTIE = {
    "type": "Polygon",
    "coordinates": [[[32.0, 46.0], [32.1, 46.1], [32.1, 46.0], [32.0, 46.1], [32.0, 46.0]]],
}


@pytest.fixture
def centre():
    return DistrictFactory(slug="centre", boundary=square(west=32.60, south=46.62, size=0.05))


@pytest.fixture
def port():
    return DistrictFactory(slug="port", boundary=square(west=32.50, south=46.62, size=0.05))


def test_locate_finds_the_district_containing_the_point(centre, port):
    assert District.objects.locate(lat=46.64, lon=32.62) == centre
    assert District.objects.locate(lat=46.64, lon=32.52) == port


def test_locate_takes_latitude_and_longitude_in_that_order(centre):
    # The same numbers swapped fall far outside the city.
    assert District.objects.locate(lat=32.62, lon=46.64) is None


def test_locate_returns_none_outside_every_district(centre, port):
    assert District.objects.locate(lat=50.45, lon=30.52) is None


def test_locate_counts_a_point_on_the_boundary_as_inside(centre):
    assert District.objects.locate(lat=46.62, lon=32.62) == centre


def test_locate_finds_a_point_in_a_multipolygon():
    islands = DistrictFactory(
        boundary={
            "type": "MultiPolygon",
            "coordinates": [
                square(west=32.70, south=46.55)["coordinates"],
                square(west=32.80, south=46.55)["coordinates"],
            ],
        }
    )

    assert District.objects.locate(lat=46.555, lon=32.805) == islands
    assert District.objects.locate(lat=46.555, lon=32.75) is None


def test_locate_sees_a_changed_boundary(centre):
    centre.boundary = square(west=33.00, south=47.00, size=0.05)
    centre.save()

    assert District.objects.locate(lat=46.64, lon=32.62) is None
    assert District.objects.locate(lat=47.01, lon=33.01) == centre


def test_locate_with_no_districts_returns_none():
    assert District.objects.locate(lat=46.64, lon=32.62) is None


def test_a_valid_boundary_passes_full_clean():
    DistrictFactory.build(boundary=square(west=32.6, south=46.6)).full_clean()


@pytest.mark.parametrize(
    "boundary",
    [
        pytest.param({"type": "Point", "coordinates": [32.6, 46.6]}, id="point"),
        pytest.param(
            {"type": "LineString", "coordinates": [[32.6, 46.6], [32.7, 46.7]]}, id="line"
        ),
        pytest.param({"coordinates": square(west=32.6, south=46.6)["coordinates"]}, id="no-type"),
        pytest.param("Polygon", id="string"),
        pytest.param([32.6, 46.6], id="list"),
        pytest.param(BOWTIE, id="bowtie"),
        pytest.param({"type": "Polygon", "coordinates": []}, id="empty"),
        pytest.param(
            {"type": "Polygon", "coordinates": [[[32.6, 46.6], [32.7, 46.6]]]}, id="two-points"
        ),
        pytest.param({"type": "Polygon", "coordinates": "nonsense"}, id="nonsense-coordinates"),
    ],
)
def test_full_clean_rejects_a_boundary_that_is_not_a_simple_polygon(boundary):
    district = DistrictFactory.build(boundary=boundary)

    with pytest.raises(ValidationError) as excinfo:
        district.full_clean()

    assert "boundary" in excinfo.value.message_dict


def test_admin_form_rejects_a_self_crossing_boundary(client_for, superuser):
    response = client_for(superuser).post(
        reverse("admin:mycity_district_add"),
        {
            "name_uk": "Район",
            "name_en": "District",
            "slug": "bowtie",
            "boundary": '{"type": "Polygon", "coordinates": [[[32.0, 46.0], [32.1, 46.1], '
            "[32.1, 46.0], [32.0, 46.1], [32.0, 46.0]]]}",
            "ordering": 0,
        },
    )

    assert response.status_code == 200
    assert "boundary" in response.context["adminform"].form.errors
    assert not District.objects.filter(slug="bowtie").exists()


def test_admin_form_saves_a_valid_boundary(client_for, superuser):
    response = client_for(superuser).post(
        reverse("admin:mycity_district_add"),
        {
            "name_uk": "Район",
            "name_en": "District",
            "slug": "square",
            "boundary": '{"type": "Polygon", "coordinates": [[[32.0, 46.0], [32.1, 46.0], '
            "[32.1, 46.1], [32.0, 46.1], [32.0, 46.0]]]}",
            "ordering": 0,
        },
    )

    assert response.status_code == 302
    assert District.objects.locate(lat=46.05, lon=32.05).slug == "square"


def test_centroid_is_latitude_then_longitude():
    district = DistrictFactory.build(boundary=square(west=32.0, south=46.0, size=0.2))

    lat, lon = district.centroid

    assert lat == pytest.approx(46.1)
    assert lon == pytest.approx(32.1)


def test_department_head_must_be_staff(resident):
    department = DepartmentFactory.build(head=resident)

    with pytest.raises(ValidationError) as excinfo:
        department.full_clean()

    assert "head" in excinfo.value.message_dict
