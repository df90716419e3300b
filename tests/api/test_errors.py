"""One error shape for /api/v1/: RFC 9457 problem details (mycity/api_errors.py).

Pins the envelope for every status the API answers with, its content type,
the paths of field errors, and the 401 with WWW-Authenticate for a session
token that is unknown or expired, on public endpoints too.
"""

import pytest
from django.test import Client
from rest_framework import serializers
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from mycity.api_errors import flatten
from tests.api.surveys_support import make_shelters

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:mycity:error:{code}"
    assert body["title"]
    assert body["detail"]
    assert body["errors"], body
    for error in body["errors"]:
        assert set(error) == {"code", "detail", "attr", "pointer"}
        assert error["code"]
        assert error["detail"]
    return body


def test_an_unmatched_path_is_a_problem_not_the_html_page(api):
    body = assert_problem(api.get("/api/v1/no-such-thing/"), 404, "not_found")
    assert body["errors"][0]["attr"] is None


def test_an_unmatched_path_under_the_headless_api_is_a_problem_too(api):
    assert_problem(api.get("/api/v1/auth/no-such-thing"), 404, "not_found")


def test_the_html_404_page_stays_outside_the_api(api):
    response = api.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_unknown_object_is_a_404_problem(api):
    assert_problem(api.get("/api/v1/appeals/KH-2026-999999/"), 404, "not_found")


def test_a_page_past_the_end_is_a_404_problem(api):
    assert_problem(api.get("/api/v1/appeals/?page=99"), 404, "not_found")


def test_validation_errors_name_each_field(api_for, resident):
    body = assert_problem(
        api_for(resident).post("/api/v1/appeals/", {}, format="json"), 400, "invalid"
    )
    attrs = {error["attr"] for error in body["errors"]}
    assert "kind" in attrs or "category" in attrs, body
    for error in body["errors"]:
        assert error["pointer"] == "/" + error["attr"].replace(".", "/")
        assert error["code"] == "required"


def test_survey_answer_errors_point_at_the_question(api_for, resident):
    shelters = make_shelters()
    question = shelters.questions.get()
    response = api_for(resident).post(
        f"/api/v1/surveys/{shelters.slug}/responses/",
        {"answers": {str(question.pk): {"choices": "nope"}}},
        format="json",
    )
    body = assert_problem(response, 400, "invalid")
    pointers = {error["pointer"] for error in body["errors"]}
    assert f"/answers/{question.pk}" in pointers, body
    # The survey's own message is about the request as a whole.
    assert None in {error["attr"] for error in body["errors"]}


class _Answer(serializers.Serializer):
    question = serializers.IntegerField()
    value = serializers.CharField(max_length=3)

    def validate(self, attrs):
        if attrs["question"] == 0:
            raise serializers.ValidationError("No such question.", code="unknown_question")
        return attrs


class _Response(serializers.Serializer):
    answers = _Answer(many=True)
    tags = serializers.ListField(child=serializers.IntegerField())
    place = serializers.DictField(child=serializers.FloatField())


def test_nested_and_non_field_errors_get_their_paths():
    serializer = _Response(
        data={
            "answers": [
                {"question": 1, "value": "ok"},
                {"question": 0, "value": "x"},
                {"value": "long"},
            ],
            "tags": [1, "two"],
            "place": {"lat/lon": "north"},
        }
    )
    assert not serializer.is_valid()
    found = {(e["attr"], e["pointer"], e["code"]) for e in flatten(serializer.errors)}
    assert found == {
        ("answers.1", "/answers/1", "unknown_question"),
        ("answers.2.question", "/answers/2/question", "required"),
        ("answers.2.value", "/answers/2/value", "max_length"),
        ("tags.1", "/tags/1", "invalid"),
        ("place.lat/lon", "/place/lat~1lon", "invalid"),
    }


def test_non_field_errors_have_no_path():
    errors = flatten({"non_field_errors": ["Both or neither."], "detail": "Closed."})
    assert [(e["attr"], e["pointer"]) for e in errors] == [(None, None), (None, None)]


def test_malformed_json_is_a_400_problem(api_for, resident):
    response = api_for(resident).post(
        "/api/v1/appeals/", data='{"kind": ', content_type="application/json"
    )
    assert_problem(response, 400, "parse_error")


def test_a_body_too_large_is_a_413_problem(api_for, resident, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"title": "' + "x" * 2000 + '"}'
    response = api_for(resident).post(
        "/api/v1/appeals/", data=body, content_type="application/json"
    )
    assert_problem(response, 413, "too_large")


def test_a_form_too_large_is_a_413_problem(resident, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = APIClient()
    client.force_authenticate(resident)
    response = client.post("/api/v1/appeals/", {"title": "x" * 2000}, format="multipart")
    assert_problem(response, 413, "too_large")


def test_an_unsupported_media_type_is_a_415_problem(api_for, resident):
    response = api_for(resident).post("/api/v1/appeals/", data="<a/>", content_type="text/xml")
    assert_problem(response, 415, "unsupported_media_type")


def test_an_accept_the_api_cannot_meet_is_a_406_problem(api):
    assert_problem(api.get("/api/v1/categories/", HTTP_ACCEPT="image/png"), 406, "not_acceptable")


def test_a_method_not_allowed_is_a_405_problem_with_allow(api_for, resident):
    response = api_for(resident).delete("/api/v1/categories/")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_anonymous_on_a_private_endpoint_is_401_with_a_challenge(api):
    response = api.get("/api/v1/notifications/")
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("X-Session-Token")


def test_anonymous_writing_is_401_not_403(api):
    response = api.post("/api/v1/appeals/", {}, format="json")
    assert_problem(response, 401, "not_authenticated")
    assert "WWW-Authenticate" in response


@pytest.mark.parametrize("path", ["/api/v1/categories/", "/api/v1/news/", "/api/v1/notifications/"])
def test_an_unknown_session_token_is_401_on_every_endpoint(api, path):
    response = api.get(path, HTTP_X_SESSION_TOKEN="no-such-session")
    assert_problem(response, 401, "invalid_token")
    assert response["WWW-Authenticate"].startswith("X-Session-Token")


def test_an_expired_session_token_is_401(resident):
    from tests.conftest import app_token

    token = app_token(resident, code=False)
    app = APIClient()
    assert app.get("/api/v1/notifications/", HTTP_X_SESSION_TOKEN=token).status_code == 200
    app.delete("/api/v1/auth/app/v1/auth/session", HTTP_X_SESSION_TOKEN=token)
    response = app.get("/api/v1/categories/", HTTP_X_SESSION_TOKEN=token)
    assert_problem(response, 401, "invalid_token")
    assert "WWW-Authenticate" in response


def test_a_bearer_token_is_401_even_on_a_public_endpoint(api):
    response = api.get("/api/v1/categories/", HTTP_AUTHORIZATION="Bearer abc")
    assert_problem(response, 401, "invalid_token")
    assert "WWW-Authenticate" in response


def test_signed_in_but_not_allowed_is_403(api_for, resident, other_resident):
    from tests.appeals.public_factories import public_appeal

    appeal = public_appeal(other_resident, is_public=False)
    response = api_for(resident).get(f"/api/v1/appeals/{appeal.reference}/")
    # Other residents' private appeals are not even said to exist.
    assert response.status_code in (403, 404)
    assert response["Content-Type"] == PROBLEM


def test_a_csrf_failure_of_a_web_session_is_a_403_problem(resident):
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    response = client.post("/api/v1/appeals/", {}, content_type="application/json")
    assert_problem(response, 403, "permission_denied")


def test_answering_twice_is_a_409_problem(api_for, resident):
    shelters = make_shelters()
    question = shelters.questions.get()
    answer = {"answers": {str(question.pk): question.choices.first().pk}}
    client = api_for(resident)
    url = f"/api/v1/surveys/{shelters.slug}/responses/"
    assert client.post(url, answer, format="json").status_code == 201
    assert_problem(client.post(url, answer, format="json"), 409, "conflict")


def test_throttled_is_a_429_problem_with_retry_after(api, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "1/minute", "user": "9/minute"}
    )
    api.get("/api/v1/categories/")
    response = api.get("/api/v1/categories/")
    assert_problem(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def test_a_server_error_is_a_500_problem(api, monkeypatch):
    from appeals.api import views

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.CategoryViewSet, "list", boom)
    client = APIClient(raise_request_exception=False)
    assert_problem(client.get("/api/v1/categories/"), 500, "server_error")


def test_the_browsable_api_gets_json_errors_too(api):
    response = api.get("/api/v1/notifications/", HTTP_ACCEPT="text/html")
    assert_problem(response, 401, "not_authenticated")


def test_open311_keeps_its_own_error_format(api):
    response = api.get("/open311/v2/requests/999999.json")
    assert response.status_code == 404
    assert response["Content-Type"] != PROBLEM


def test_a_format_suffix_is_an_unmatched_path_not_a_server_error(api):
    assert_problem(api.get("/api/v1/appeals/KH-2026-000001/files/0.5/"), 404, "not_found")


def test_options_is_a_405_problem(api_for, resident):
    response = api_for(resident).options("/api/v1/news/subscription/")
    assert_problem(response, 405, "method_not_allowed")


def test_an_empty_page_number_is_a_404_problem(api):
    assert_problem(api.get("/api/v1/appeals/?page="), 404, "not_found")
