"""Fixtures shared by the tests of filing an appeal: a district, a point inside
it, a category and the signed-in resident's client."""

import pytest

from tests.appeals.filing.filing_helpers import speak
from tests.factories import CategoryFactory, DistrictFactory


@pytest.fixture
def district():
    return DistrictFactory()


@pytest.fixture
def inside(district):
    west, south = district.boundary["coordinates"][0][0]
    return {"latitude": f"{south + 0.005:.6f}", "longitude": f"{west + 0.005:.6f}"}


@pytest.fixture
def category():
    return CategoryFactory(
        slug="pothole", name_en="Pothole", name_uk="Яма на дорозі", icon="🕳️", answer_days=15
    )


@pytest.fixture
def client(client_for, resident):
    """The resident, who reads the portal in English (their profile's language wins)."""
    speak(resident, "en")
    return client_for(resident)
