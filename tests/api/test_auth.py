"""Signing in from an app: allauth's headless API and its session token."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from rest_framework.test import APIClient

from citizens.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
AUTH = "/api/v1/auth/app/v1/auth"
LOGIN = f"{AUTH}/login"
SIGNUP = f"{AUTH}/signup"


def test_an_app_signs_in_and_uses_the_session_token(resident):
    app = APIClient()
    response = app.post(LOGIN, {"email": resident.email, "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    token = response.json()["meta"]["session_token"]
    app = APIClient()  # no cookies: the token alone
    mine = app.get("/api/v1/appeals/mine/", HTTP_X_SESSION_TOKEN=token)
    assert mine.status_code == 200
    assert app.get("/api/v1/appeals/mine/").status_code in (401, 403)


def test_an_app_signs_up_with_a_name_and_confirms_the_address(mailoutbox):
    """Sign-up asks the apps for the same fields as the web form, full name included."""
    app = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    missing = app.post(
        SIGNUP, {"email": "lesia@example.com", "password": "kherson-lesia-2026"}, format="json"
    )
    assert missing.status_code == 400
    assert sorted(e["param"] for e in missing.json()["errors"]) == [
        "accept_privacy",
        "full_name",
    ]
    response = app.post(
        SIGNUP,
        {
            "email": "lesia@example.com",
            "password": "kherson-lesia-2026",
            "full_name": "Леся",
            "accept_privacy": True,
        },
        format="json",
    )
    # Signed up, but the address must be confirmed first (as on the web).
    assert response.status_code == 401, response.content
    body = response.json()
    assert any(f["id"] == "verify_email" and f.get("is_pending") for f in body["data"]["flows"])
    user = User.objects.get(email="lesia@example.com")
    assert (user.full_name, user.preferred_language) == ("Леся", "en")
    # The privacy notice accepted, with its version and time (Law "On Personal Data Protection").
    assert user.privacy_version == settings.PRIVACY_NOTICE_VERSION
    assert user.privacy_accepted_at is not None
    [mail] = mailoutbox
    # The code typed in the app (ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED); more in
    # tests/api/test_auth_by_code.py.
    key = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.body, re.MULTILINE).group(1)
    token = body["meta"]["session_token"]
    early = APIClient().post(
        LOGIN, {"email": "lesia@example.com", "password": "kherson-lesia-2026"}, format="json"
    )
    # Not before the address is confirmed (a 400 while a new code may not be sent yet).
    assert early.status_code in (400, 401)
    assert early.json().get("meta", {}).get("is_authenticated") is not True
    verified = APIClient().post(
        f"{AUTH}/email/verify", {"key": key}, format="json", HTTP_X_SESSION_TOKEN=token
    )
    # Confirmed by the session that signed up: signed in at once, as on the web
    # (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION; another session would still sign in).
    assert verified.status_code == 200, verified.content
    assert EmailAddress.objects.get(email="lesia@example.com").verified
    signed_in = verified.json()["meta"].get("session_token", token)
    assert (
        APIClient().get("/api/v1/appeals/mine/", HTTP_X_SESSION_TOKEN=signed_in).status_code == 200
    )
    login = APIClient().post(
        LOGIN, {"email": "lesia@example.com", "password": "kherson-lesia-2026"}, format="json"
    )
    assert login.status_code == 200, login.content
    token = login.json()["meta"]["session_token"]
    mine = APIClient().get("/api/v1/appeals/mine/", HTTP_X_SESSION_TOKEN=token)
    assert mine.status_code == 200


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
    assert response.status_code == (401 if role == "anonymous" else 200)


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


def test_the_api_docs_page_serves_its_script_separately(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>" not in html  # nothing inline: the site's CSP allows 'self' only
    assert "/static/vendor/swagger-ui/swagger-ui-bundle" in html
    assert "/api/v1/docs/?script=" in html
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"/api/v1/schema/" in script.content
