"""Abuse limits in the API: filing, supports and session-token creation (sign-in, sign-up)."""

import uuid

import pytest
from rest_framework.test import APIClient

from tests.factories import PASSWORD, UserFactory

from .conftest import point_in

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
LOGIN = f"{V1}/auth/app/v1/auth/login"


@pytest.fixture
def tight(settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "appeal": {"account": "2/hour", "address": "3/hour"},
        "support": {"account": "2/hour", "address": "10/hour"},
    }


def body(district):
    return {
        "kind": "problem",
        "category": "lights",
        "title": "Не світить ліхтар",
        "description": "Третій тиждень не світить ліхтар біля під'їзду.",
        "idempotency_key": str(uuid.uuid4()),
        **point_in(district),
    }


def test_filing_past_the_account_limit_is_429_in_the_api_error_shape(
    api_for, resident, category, district, tight
):
    client = api_for(resident)
    for _ in range(2):
        assert client.post(f"{V1}/appeals/", body(district), format="json").status_code == 201

    response = client.post(f"{V1}/appeals/", body(district), format="json")

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "too many times in a short while" in response.json()["detail"]
    assert "Expected available" not in response.json()["detail"]


def test_the_api_refusal_is_in_the_callers_language(api_for, resident, category, district, tight):
    client = api_for(resident)
    client.credentials(HTTP_ACCEPT_LANGUAGE="uk")
    for _ in range(2):
        client.post(f"{V1}/appeals/", body(district), format="json")
    response = client.post(f"{V1}/appeals/", body(district), format="json")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Ви зробили це надто багато разів")


def test_refused_filings_do_not_count(api_for, resident, category, district, tight):
    client = api_for(resident)
    for _ in range(4):
        bad = {**body(district), "description": "Коротко"}
        assert client.post(f"{V1}/appeals/", bad, format="json").status_code == 400
    assert client.post(f"{V1}/appeals/", body(district), format="json").status_code == 201


def test_filing_is_limited_per_address_across_accounts(api_for, category, district, tight):
    codes = [
        api_for(UserFactory())
        .post(f"{V1}/appeals/", body(district), format="json", REMOTE_ADDR="203.0.113.4")
        .status_code
        for _ in range(4)
    ]
    assert codes == [201, 201, 201, 429]


def test_supports_are_limited_per_account(api_for, other_resident, appeals, tight):
    client = api_for(other_resident)
    url = f"{V1}/appeals/{appeals['proposal'].reference}/support/"
    codes = [client.post(url).status_code, client.delete(url).status_code]
    codes.append(client.post(url).status_code)
    assert codes == [200, 200, 429]


def test_reading_is_not_counted_against_the_filing_limit(api_for, resident, district, tight):
    client = api_for(resident)
    for _ in range(5):
        assert client.get(f"{V1}/appeals/").status_code == 200


def failed_logins(count, *, email, **extra):
    return [
        APIClient()
        .post(LOGIN, {"email": email, "password": "wrong-password"}, format="json", **extra)
        .status_code
        for _ in range(count)
    ]


def test_session_tokens_are_limited_per_address(settings, resident):
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip"}
    codes = [
        APIClient()
        .post(LOGIN, {"email": resident.email, "password": PASSWORD}, format="json")
        .status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]


def test_failed_sign_ins_are_limited_per_account(settings, resident):
    """allauth refuses the account's next attempt, from any address, as a form error."""
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "100/m/ip,2/m/key"}

    def attempt(address):
        return APIClient().post(
            LOGIN,
            {"email": resident.email, "password": "wrong-password"},
            format="json",
            REMOTE_ADDR=address,
        )

    for _ in range(2):
        assert "too_many_login_attempts" not in attempt("203.0.113.1").content.decode()
    assert "too_many_login_attempts" in attempt("203.0.113.2").content.decode()


def test_one_attacker_behind_the_proxy_does_not_lock_residents_out(settings, resident):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip"}
    nginx = {"REMOTE_ADDR": "10.0.0.2"}
    attacker = failed_logins(3, email="nobody@example.org", HTTP_X_FORWARDED_FOR="6.6.6.6", **nginx)
    assert attacker[-1] == 429

    response = APIClient().post(
        LOGIN,
        {"email": resident.email, "password": PASSWORD},
        format="json",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        **nginx,
    )
    assert response.status_code == 200
    assert response.json()["meta"]["session_token"]


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape(settings, resident):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.ACCOUNT_RATE_LIMITS = {"login": "2/m/ip"}
    codes = [
        APIClient()
        .post(
            LOGIN,
            {"email": resident.email, "password": PASSWORD},
            format="json",
            HTTP_X_FORWARDED_FOR=f"10.1.1.{n}",
        )
        .status_code
        for n in range(3)
    ]
    assert codes == [200, 200, 429]


def test_survey_responses_are_limited_per_account(api_for, resident, settings):
    from tests.surveys.factories import SurveyFactory, question_with_choices

    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "survey_answer": {"account": "1/minute", "address": "10/minute"},
    }
    client = api_for(resident)
    codes = []
    for slug in ("first", "second"):
        survey = SurveyFactory(slug=slug)
        question = question_with_choices(survey, required=True, page=1)
        choice = question.choices.first()
        answers = {"answers": {str(question.pk): choice.pk}}
        codes.append(client.post(f"{V1}/surveys/{slug}/responses/", answers, format="json"))
    assert [r.status_code for r in codes] == [201, 429], codes[0].json()
