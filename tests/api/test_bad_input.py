"""The REST API and its sign-in answer bad input with a 400 in their error shape, not a 500.

Each was a 500 before: NUL bytes on PostgreSQL (which refuses them in text),
deep JSON everywhere (RecursionError in the JSON parser), lone surrogates
(unencodable when stored or echoed), and two allauth headless endpoints.
"""

import json

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
REFUSED = "characters that are not allowed"
DEEP = "[" * 100_000 + "]" * 100_000
AUTH = "/api/v1/auth/app/v1"


def detail(response) -> str:
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    return response.json()["detail"]


def test_alerts_with_nul_in_district_is_a_400(api):
    assert REFUSED in detail(api.get("/api/v1/alerts/?district=north%00"))


def test_category_with_nul_in_its_slug_is_a_400(api, category):
    assert REFUSED in detail(api.get("/api/v1/categories/lights%00/"))


def test_centres_with_nul_in_service_is_a_400(api):
    assert REFUSED in detail(api.get("/api/v1/centres/?service=passport%00"))


def test_district_with_nul_in_its_slug_is_a_400(api, district):
    assert REFUSED in detail(api.get(f"/api/v1/districts/{district.slug}%00/"))


def test_appeals_list_with_nul_in_search_is_a_400(api):
    assert REFUSED in detail(api.get("/api/v1/appeals/?q=%D1%8F%D0%BC%D0%B0%00"))


def test_filing_an_appeal_with_json_100000_deep_is_a_400(api_for, resident):
    response = api_for(resident).post("/api/v1/appeals/", DEEP, content_type="application/json")

    assert "nested too deeply" in detail(response)


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "Яма\x00"), ("title", "\ud800"), ("description", "ліхтар \udfff")],
)
def test_filing_an_appeal_with_nul_or_lone_surrogate_in_json_is_a_400(
    api_for, resident, category, field, value
):
    body = json.dumps({"kind": "problem", "category": "lights", "title": "Яма", field: value})

    response = api_for(resident).post("/api/v1/appeals/", body, content_type="application/json")

    assert REFUSED in detail(response)


def test_api_refusal_is_in_ukrainian_when_asked(category):
    response = Client(HTTP_ACCEPT_LANGUAGE="uk").get("/api/v1/categories/lights%00/")

    assert "недозволені символи" in response.json()["detail"]


def test_session_token_with_nul_is_no_session_rather_than_a_500(api):
    response = api.get("/api/v1/appeals/mine/", HTTP_X_SESSION_TOKEN="abcdefgh\x00ijklmnop")

    assert response.status_code in (401, 403)


def test_headless_session_with_nul_in_token_is_signed_out_rather_than_a_500(api):
    response = api.get(f"{AUTH}/auth/session", HTTP_X_SESSION_TOKEN="abcdefgh\x00ijklmnop")

    assert response.status_code in (401, 410)


def headless_error(response) -> str:
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == 400
    return body["errors"][0]["message"]


@pytest.mark.parametrize("endpoint", ["auth/login", "auth/signup", "auth/password/request"])
def test_headless_sign_in_endpoints_with_json_100000_deep_are_a_400(api, endpoint):
    response = api.post(f"{AUTH}/{endpoint}", DEEP, content_type="application/json")

    assert "nested too deeply" in headless_error(response)


def test_headless_login_with_nul_in_email_is_a_400(api, resident):
    body = json.dumps({"email": "resident@example.com\x00", "password": PASSWORD})

    response = api.post(f"{AUTH}/auth/login", body, content_type="application/json")

    assert REFUSED in headless_error(response)


# Both with reset links (codes turned off): the guard in citizens/headless.py.
def test_headless_password_reset_with_a_key_starting_with_a_dash_is_a_400(api, settings):
    settings.ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
    body = json.dumps({"key": "-99999999999999999999", "password": "a-new-long-password-1"})

    response = api.post(f"{AUTH}/auth/password/reset", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["param"] == "key"


def test_headless_password_reset_key_header_starting_with_a_dash_is_a_400(api, settings):
    settings.ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
    response = api.get(f"{AUTH}/auth/password/reset", HTTP_X_PASSWORD_RESET_KEY="-1")

    assert response.status_code == 400
    assert response.json()["errors"][0]["param"] == "key"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_headless_phone_without_a_session_is_a_401_for_any_method(api, method):
    body = json.dumps({"phone": "+380501234567"})

    response = getattr(api, method)(f"{AUTH}/account/phone", body, content_type="application/json")

    assert response.status_code == 401


def test_news_subscription_put_as_a_form_with_nul_in_a_topic_is_a_400(api_for, resident):
    response = api_for(resident).put(
        "/api/v1/news/subscription/",
        "digest_topics=water%00&digest=true",
        content_type="application/x-www-form-urlencoded",
    )

    assert REFUSED in detail(response)


def test_news_subscription_put_as_multipart_with_nul_in_a_topic_is_a_400(api_for, resident):
    response = api_for(resident).put(
        "/api/v1/news/subscription/", {"digest_topics": "water\x00"}, format="multipart"
    )

    assert REFUSED in detail(response)
