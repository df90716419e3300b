"""Headers: personal answers are private and not stored, API answers vary on the session
token, every response carries Permissions-Policy, public cached answers keep their caching."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import PASSWORD
from tests.surveys.factories import SurveyFactory, question_with_choices

pytestmark = pytest.mark.django_db

PERSONAL_PAGES = [
    "citizens:cabinet",
    "citizens:profile",
    "appeals:mine",
    "services:mine",
    "surveys:mine",
    "notifications:inbox",
    "notifications:settings",
]


@pytest.mark.parametrize("name", PERSONAL_PAGES)
def test_personal_pages_are_private_and_not_stored(client_for, resident, name):
    response = client_for(resident).get(reverse(name))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_answering_a_survey_is_private_and_not_stored(client_for, resident):
    survey = SurveyFactory(slug="shelters")
    question_with_choices(survey, required=True, page=1)
    response = client_for(resident).get(reverse("surveys:answer", args=[survey.slug]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_public_page_seen_by_a_signed_in_person_is_private_too(client_for, resident):
    """Their name is in the header of every page."""
    response = client_for(resident).get(reverse("appeals:list"))
    assert response["Cache-Control"] == "private, no-store"


def test_a_public_page_for_a_visitor_is_not_marked_private(client):
    response = client.get(reverse("appeals:list"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("signed_in", [False, True])
def test_public_cached_answers_keep_their_caching(client_for, resident, signed_in):
    client = client_for(resident if signed_in else None)
    map_data = client.get(reverse("appeals:map_data"), {"bbox": "32,46,33,47"})
    assert "public" in map_data["Cache-Control"]
    assert "no-store" not in map_data["Cache-Control"]
    manifest = client.get(reverse("manifest", args=["uk"]))
    assert "public" in manifest["Cache-Control"]
    live = client.get(reverse("news:alerts_live"))
    assert "no-cache" in live["Cache-Control"]
    assert "no-store" not in live["Cache-Control"]


def test_personal_api_answers_are_private_and_vary_on_the_session_token(resident):
    login = APIClient().post(
        "/api/v1/auth/app/v1/auth/login",
        {"email": resident.email, "password": PASSWORD},
        format="json",
    )
    token = login.json()["meta"]["session_token"]

    response = APIClient().get("/api/v1/appeals/mine/", HTTP_X_SESSION_TOKEN=token)

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert "X-Session-Token" in response["Vary"]


def test_public_api_answers_for_visitors_vary_on_the_session_token_but_are_not_private():
    response = APIClient().get("/api/v1/appeals/")
    assert response.status_code == 200
    assert "X-Session-Token" in response["Vary"]
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    "path", ["/", "/requests/", "/api/v1/appeals/", "/open311/v2/services.json", "/nowhere/"]
)
def test_every_response_has_a_permissions_policy(client, path):
    policy = client.get(path)["Permissions-Policy"]
    assert "geolocation=(self)" in policy
    for feature in ("camera", "microphone", "payment"):
        assert f"{feature}=()" in policy
