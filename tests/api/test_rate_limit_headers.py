"""RateLimit-* headers: every /api/v1/ answer says how much of the API's rate is left."""

import pytest
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db
URL = "/api/v1/categories/"


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"}
    )


def limits(response) -> tuple:
    return (
        int(response["RateLimit-Limit"]),
        int(response["RateLimit-Remaining"]),
        int(response["RateLimit-Reset"]),
    )


def test_an_anonymous_caller_sees_the_address_limit_counting_down(api, low_rates):
    answers = [api.get(URL) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [limits(a)[:2] for a in answers] == [(3, 2), (3, 1), (3, 0), (3, 0)]
    # Both throttles apply to an anonymous caller; the tighter one is reported.
    assert answers[0]["RateLimit-Policy"] == "3;w=60, 5;w=60"
    assert 0 < limits(answers[3])[2] <= 60
    assert 0 < int(answers[3]["Retry-After"]) <= 60


def test_a_signed_in_person_sees_their_own_limit(api_for, resident, other_resident, low_rates):
    client = api_for(resident)
    client.get(URL)
    response = client.get(URL)
    assert limits(response)[:2] == (5, 3)
    assert response["RateLimit-Policy"] == "5;w=60"
    assert limits(api_for(other_resident).get(URL))[:2] == (5, 4)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nowhere/",  # not a resource
        "/api/v1/appeals/mine/",  # refused before the throttles run
        "/api/v1/auth/app/v1/config",  # allauth's own endpoint
    ],
)
def test_answers_the_throttles_did_not_count_still_tell_what_is_left(api, low_rates, path):
    api.get(URL)
    response = api.get(path)
    assert response.status_code in (200, 401, 403, 404)
    assert limits(response)[:2] == (3, 2)  # what the one counted call left, uncounted
    assert limits(api.get(URL))[:2] == (3, 1)


def test_pages_outside_the_api_have_no_ratelimit_headers(client, low_rates):
    response = client.get("/")
    assert "RateLimit-Limit" not in response


def test_the_schema_documents_the_headers_on_every_response(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    assert set(schema["components"]["headers"]) >= {
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
        "RateLimit-Policy",
        "Retry-After",
    }
    responses = [
        (code, response)
        for operations in schema["paths"].values()
        for operation in operations.values()
        if isinstance(operation, dict)
        for code, response in operation.get("responses", {}).items()
        if "$ref" not in response
    ]
    assert responses
    assert all("RateLimit-Remaining" in r["headers"] for _code, r in responses)
    assert all("Retry-After" in r["headers"] for code, r in responses if code == "429")
