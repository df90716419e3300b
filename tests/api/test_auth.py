"""Signing in from an app: allauth's headless API and its session token."""

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/api/v1/auth/app/v1/auth/login"


def test_an_app_signs_in_and_uses_the_session_token(resident):
    app = APIClient()
    response = app.post(LOGIN, {"email": resident.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    token = response.json()["meta"]["session_token"]
    app = APIClient()  # no cookies: the token alone
    mine = app.get("/api/v1/appeals/mine/", HTTP_X_SESSION_TOKEN=token)
    assert mine.status_code == 200
    assert app.get("/api/v1/appeals/mine/").status_code in (401, 403)


def test_a_wrong_password_gets_no_token(resident):
    response = APIClient().post(LOGIN, {"email": resident.email, "password": "x"}, format="json")
    assert response.status_code == 400
    assert "session_token" not in str(response.content)


def test_a_bad_session_token_is_refused(db):
    response = APIClient().get("/api/v1/appeals/mine/", HTTP_X_SESSION_TOKEN="forged")
    assert response.status_code in (401, 403)


def test_session_auth_needs_csrf_for_writes(client_for, resident):
    """The browsable API uses the web session: writes without the CSRF token are refused."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    response = client.post("/api/v1/notifications/read-all/")
    assert response.status_code == 403


def test_staff_with_two_factor_must_pass_it(staff_with_mfa):
    response = APIClient().post(
        LOGIN, {"email": staff_with_mfa.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 401
    flows = response.json()["data"]["flows"]
    assert any(f["id"] == "mfa_authenticate" and f.get("is_pending") for f in flows)


@pytest.mark.parametrize(
    "role",
    [
        "anonymous",
        "resident",
        "other_resident",
        "moderator",
        "department_staff",
        "city_admin",
        "staff_with_mfa",
    ],
)
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/appeals/mine/",
        "/api/v1/notifications/",
        "/api/v1/push-subscriptions/",
        "/api/v1/appeals/following/",
    ],
)
def test_personal_resources_for_every_role(as_role, role, url):
    response = as_role(role).get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == (403 if role == "anonymous" else 200)


@pytest.mark.parametrize("role", ["anonymous", "resident", "moderator", "city_admin"])
@pytest.mark.parametrize("url", ["/api/v1/appeals/", "/api/v1/categories/", "/api/v1/proposals/"])
def test_public_resources_for_every_role(as_role, role, url):
    assert as_role(role).get(url, HTTP_ACCEPT="application/json").status_code == 200


def test_the_browsable_api_and_the_schema_open(client_for, resident):
    client = client_for(resident)
    page = client.get("/api/v1/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    assert b"/api/v1/appeals/" in page.content
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert schema.content.startswith(b"openapi: 3")
