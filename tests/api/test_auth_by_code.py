"""An app's sign-up and password reset by a code from the e-mail (allauth's headless API).

The whole journey with no browser: sign up, read the code from the e-mail, post
it, and be signed in with a session token (no second login); then the profile.
"""

import re
import time
import types

import pytest
from allauth.account import app_settings as account_settings
from allauth.account.internal.flows import code_verification
from allauth.account.models import EmailAddress
from rest_framework.test import APIClient

from citizens.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

AUTH = "/api/v1/auth/app/v1/auth"
PROFILE = "/api/v1/account/profile/"
CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)
NEW_PASSWORD = "kherson-new-password-2026"


def code_in(message) -> str:
    match = CODE.search(message.body)
    assert match, message.body
    return match.group(1)


def sign_up(language="en", email="lesia@example.com"):
    """An app signs up: the answer is 401 with e-mail verification pending, and a token."""
    app = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    response = app.post(
        f"{AUTH}/signup",
        {"email": email, "password": PASSWORD, "full_name": "Леся", "accept_privacy": True},
        format="json",
    )
    assert response.status_code == 401, response.content
    flows = response.json()["data"]["flows"]
    assert any(f["id"] == "verify_email" and f.get("is_pending") for f in flows)
    return app, response.json()["meta"]["session_token"]


def verify(app, token, code):
    return app.post(
        f"{AUTH}/email/verify", {"key": code}, format="json", HTTP_X_SESSION_TOKEN=token
    )


def later(monkeypatch, seconds):
    """allauth's codes read the clock as if `seconds` had passed."""
    now = time.time() + seconds
    monkeypatch.setattr(code_verification, "time", types.SimpleNamespace(time=lambda: now))


def test_the_whole_journey_sign_up_code_signed_in_profile(mailoutbox):
    app, token = sign_up()
    [message] = mailoutbox
    assert message.to == ["lesia@example.com"]

    response = verify(app, token, code_in(message))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["meta"]["is_authenticated"] is True
    session_token = body["meta"].get("session_token", token)
    assert EmailAddress.objects.get(email="lesia@example.com").verified
    profile = APIClient().get(PROFILE, HTTP_X_SESSION_TOKEN=session_token)
    assert profile.status_code == 200
    assert profile.json()["email"] == "lesia@example.com"
    assert profile.json()["full_name"] == "Леся"


def test_the_code_may_be_typed_in_lower_case(mailoutbox):
    app, token = sign_up()

    response = verify(app, token, code_in(mailoutbox[0]).lower())

    assert response.status_code == 200


def test_a_wrong_code_is_refused_and_the_right_one_still_works(mailoutbox):
    app, token = sign_up()

    wrong = verify(app, token, "AAAA-AAAA")

    assert wrong.status_code == 400
    assert not EmailAddress.objects.get(email="lesia@example.com").verified
    assert verify(app, token, code_in(mailoutbox[0])).status_code == 200


def test_after_too_many_wrong_codes_even_the_right_one_is_refused(mailoutbox, settings):
    app, token = sign_up()
    attempts = settings.ACCOUNT_EMAIL_VERIFICATION_BY_CODE_MAX_ATTEMPTS = 3

    for _ in range(attempts):
        verify(app, token, "AAAA-AAAA")
    response = verify(app, token, code_in(mailoutbox[0]))

    assert response.status_code == 409  # no verification pending any more
    assert not EmailAddress.objects.get(email="lesia@example.com").verified
    assert response.json().get("meta", {}).get("is_authenticated") is not True


def test_an_expired_code_is_refused(mailoutbox, monkeypatch):
    app, token = sign_up()
    later(monkeypatch, account_settings.EMAIL_VERIFICATION_BY_CODE_TIMEOUT + 60)

    response = verify(app, token, code_in(mailoutbox[0]))

    assert response.status_code in (400, 409)
    assert not EmailAddress.objects.get(email="lesia@example.com").verified


def test_a_code_is_only_good_for_the_session_that_signed_up(mailoutbox):
    sign_up()
    _other_app, other_token = sign_up(email="someone@example.com")

    response = verify(APIClient(), other_token, code_in(mailoutbox[0]))

    assert response.status_code == 400
    assert not EmailAddress.objects.get(email="lesia@example.com").verified


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "verification code"), ("uk", "код підтвердження")],
)
def test_the_code_e_mail_is_in_the_language_of_the_sign_up(mailoutbox, language, words):
    sign_up(language=language)

    [message] = mailoutbox
    assert words in message.body
    assert code_in(message)
    assert User.objects.get(email="lesia@example.com").preferred_language == language


# --- Password reset by code ------------------------------------------------------


def request_reset(email, language="en"):
    app = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    response = app.post(f"{AUTH}/password/request", {"email": email}, format="json")
    assert response.status_code == 401, response.content
    flows = response.json()["data"]["flows"]
    assert any(f["id"] == "password_reset_by_code" and f.get("is_pending") for f in flows)
    return app, response.json()["meta"]["session_token"]


def reset(app, token, code, password=NEW_PASSWORD):
    return app.post(
        f"{AUTH}/password/reset",
        {"key": code, "password": password},
        format="json",
        HTTP_X_SESSION_TOKEN=token,
    )


def login(password, email="resident@example.com"):
    return APIClient().post(f"{AUTH}/login", {"email": email, "password": password}, format="json")


def test_a_reset_by_code_sets_the_new_password_and_the_old_one_stops(resident, mailoutbox):
    app, token = request_reset(resident.email)
    [message] = mailoutbox

    response = reset(app, token, code_in(message))

    # Changed; the app then signs in with the new password (allauth: 401, not signed in).
    assert response.status_code == 401, response.content
    assert response.json()["meta"]["is_authenticated"] is False
    assert login(NEW_PASSWORD).status_code == 200
    assert login(PASSWORD).status_code == 400


def test_a_wrong_reset_code_changes_nothing(resident, mailoutbox):
    app, token = request_reset(resident.email)

    response = reset(app, token, "AAAA-AAAA")

    assert response.status_code == 400
    assert login(PASSWORD).status_code == 200


def test_an_expired_reset_code_changes_nothing(resident, mailoutbox, monkeypatch):
    app, token = request_reset(resident.email)
    later(monkeypatch, account_settings.PASSWORD_RESET_BY_CODE_TIMEOUT + 60)

    response = reset(app, token, code_in(mailoutbox[0]))

    assert response.status_code in (400, 409)
    assert login(PASSWORD).status_code == 200


def test_a_weak_new_password_is_refused(resident, mailoutbox):
    app, token = request_reset(resident.email)

    response = reset(app, token, code_in(mailoutbox[0]), password="12345")

    assert response.status_code == 400
    assert login(PASSWORD).status_code == 200


@pytest.mark.parametrize(
    ("language", "words"), [("en", "set a new password"), ("uk", "встановлення нового пароля")]
)
def test_the_reset_e_mail_is_in_the_persons_language(resident, mailoutbox, language, words):
    resident.preferred_language = language
    resident.save()

    request_reset(resident.email, language="uk" if language == "en" else "en")

    [message] = mailoutbox
    assert words in message.body
    assert code_in(message)


# --- allauth's endpoints in the published schema ------------------------------------


def test_allauth_endpoints_are_in_the_published_schema(api):
    schema = api.get("/api/v1/schema/?format=json").json()

    for path in (
        "auth/signup",
        "auth/email/verify",
        "auth/password/request",
        "auth/password/reset",
    ):
        assert f"/api/v1/auth/app/v1/{path}" in schema["paths"]
    verify = schema["paths"]["/api/v1/auth/app/v1/auth/email/verify"]["post"]
    assert verify["operationId"]
    # allauth's components are prefixed, so none replaces one of ours, and each resolves.
    refs = re.findall(r"'\$ref': '#/components/(\w+)/(\w+)'", str(verify))
    assert refs
    for kind, name in refs:
        assert name.startswith("Allauth")
        assert name in schema["components"][kind]
