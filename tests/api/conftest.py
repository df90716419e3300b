"""Fixtures of the REST API tests."""

import pytest
from rest_framework.test import APIClient

from tests.appeals.public_factories import public_appeal
from tests.factories import CategoryFactory, DistrictFactory


@pytest.fixture
def api():
    """An anonymous API client that reads English."""
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def api_for(db):
    """An API client signed in as `user` (DRF's force_authenticate: no session, no CSRF)."""

    def make(user):
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def district(db):
    return DistrictFactory(name_uk="Центральний район", name_en="Central district")


@pytest.fixture
def category(db):
    return CategoryFactory(slug="lights", name_uk="Освітлення", name_en="Street lights")


@pytest.fixture
def appeals(resident, category, district):
    sensitive = CategoryFactory(slug="violence", sensitive=True)
    return {
        "public": public_appeal(resident, category=category, district=district, title="Ліхтар"),
        "private": public_appeal(
            resident, category=category, district=district, is_public=False, title="Приватне"
        ),
        "sensitive": public_appeal(resident, category=sensitive, district=district),
        "moderation": public_appeal(resident, category=category, district=district, accept=False),
        "proposal": public_appeal(
            resident, category=category, district=district, kind="proposal", title="Сквер"
        ),
    }


def point_in(district) -> dict:
    west, south = district.boundary["coordinates"][0][0]
    return {"latitude": south + 0.004, "longitude": west + 0.006}
