"""Throttling: per person when signed in, per IP address when not (shared cache)."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db
URL = "/api/v1/categories/"


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "3/minute"}
    )


def test_anonymous_callers_are_limited_per_ip(api, low_rates):
    assert [api.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    assert api.get(URL, REMOTE_ADDR="10.1.2.3").status_code == 200


def test_signed_in_people_are_limited_per_person(api_for, resident, other_resident, low_rates):
    client = api_for(resident)
    assert [client.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert "Retry-After" in client.get(URL)
    assert api_for(other_resident).get(URL).status_code == 200


def test_a_forged_forwarded_for_does_not_escape_the_ip_limit(api, low_rates):
    codes = [api.get(URL, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}").status_code for n in range(3)]
    assert codes == [200, 200, 429]
