"""The city as two districts around the map's centre, operators and points."""

import pytest

from citizens.roles import roles_sync
from tests.conftest import _staff
from tests.factories import DistrictFactory, square

from .factories import HelpPointFactory

# The map's centre (46.6354, 32.6169) is in "centre"; "east" is next to it.
CENTRE_POINT = (46.64, 32.61)
EAST_POINT = (46.64, 32.72)


@pytest.fixture
def districts(db):
    centre = DistrictFactory(
        slug="centre",
        name_uk="Центральний",
        name_en="Central",
        boundary=square(west=32.5, south=46.55, size=0.2),
    )
    east = DistrictFactory(
        slug="east",
        name_uk="Дніпровський",
        name_en="Dniprovskyi",
        boundary=square(west=32.7, south=46.55, size=0.2),
    )
    return centre, east


@pytest.fixture
def operator(db):
    roles_sync()
    return _staff("point_operator", email="operator@example.com")


@pytest.fixture
def other_operator(db):
    roles_sync()
    return _staff("point_operator", email="operator2@example.com")


@pytest.fixture
def operator_without_mfa(db):
    roles_sync()
    return _staff("point_operator", mfa=False, email="operator3@example.com")


@pytest.fixture
def point(districts, operator):
    return HelpPointFactory(operators=[operator])


@pytest.fixture
def other_point(districts, other_operator):
    return HelpPointFactory(
        latitude=EAST_POINT[0], longitude=EAST_POINT[1], operators=[other_operator]
    )


@pytest.fixture
def api_client_for(db):
    """An API client signed in by session as `user` (with the 2FA step if they have it)."""
    from rest_framework.test import APIClient

    from tests.conftest import sign_in

    def make(user):
        return sign_in(APIClient(), user)

    return make


@pytest.fixture
def editor(db):
    return _staff("editor", email="editor@example.com")
