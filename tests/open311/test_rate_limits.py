"""Open311 POSTs file appeals: limited per reporter (or key) and per address like the web."""

import pytest

from appeals.models import Appeal

from .conftest import BASE

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "appeal": {"account": "2/hour", "address": "5/hour"},
    }


@pytest.fixture
def place(district, pothole):
    west, south = district.boundary["coordinates"][0][0]
    return {"lat": str(south + 0.004), "long": str(west + 0.006)}


def post(client, key, place, **fields):
    data = {
        "service_code": "pothole",
        "attribute[size]": "40",
        "description": "Велика яма на проїжджій частині біля зупинки.",
        "api_key": key,
        **place,
        **fields,
    }
    return client.post(f"{BASE}/requests.json", data)


def test_a_reporter_past_the_limit_gets_429_in_the_open311_error_list(
    client, partner, place, tight
):
    _client, key = partner
    codes = [post(client, key, place, email="olena@example.org").status_code for _ in range(3)]

    assert codes == [201, 201, 429]
    refused = post(client, key, place, email="olena@example.org")
    assert refused["Retry-After"]
    [error] = refused.json()
    assert error["code"] == 429
    assert Appeal.objects.count() == 2
    # Another reporter of the same app is not held back.
    assert post(client, key, place, email="petro@example.org").status_code == 201


def test_the_address_limit_holds_across_reporters(client, partner, place, tight):
    _client, key = partner
    codes = [post(client, key, place, email=f"r{n}@example.org").status_code for n in range(6)]
    assert codes == [201] * 5 + [429]
