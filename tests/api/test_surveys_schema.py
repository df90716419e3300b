"""The surveys resources' answers on real data against the OpenAPI schema: each operation
once, through the WSGI app, with schemathesis' conformance checks (the fuzzing in
test_schema.py rarely hits a real slug).
"""

import pytest
from rest_framework.test import APIClient

from tests.api.surveys_support import ids
from tests.api.wsgi_support import wsgi_keeps_the_test_connection
from tests.surveys.factories import SurveyFactory, question_with_choices

pytestmark = pytest.mark.django_db


def test_answers_on_real_data_conform_to_the_schema(resident, other_resident):
    # The fuzzing (test_schema.py) rarely hits a real slug: check each operation here.
    from tests.api.fuzz_surveys import make_fuzz_data
    from tests.factories import PASSWORD

    make_fuzz_data(resident=resident, other_resident=other_resident)
    fresh = SurveyFactory(slug="fresh")
    question = question_with_choices(fresh, required=True)
    token = (
        APIClient()
        .post(
            "/api/v1/auth/app/v1/auth/login",
            {"email": resident.email, "password": PASSWORD},
            format="json",
        )
        .json()["meta"]["session_token"]
    )
    headers = {"X-Session-Token": token, "Accept-Encoding": "identity"}
    calls = [
        ("/surveys/", "GET", {}, None, 200),
        ("/surveys/answered/", "GET", {}, None, 200),
        ("/surveys/{slug}/", "GET", {"slug": "fuzz-open"}, None, 200),
        ("/surveys/{slug}/", "GET", {"slug": "fuzz-draft"}, None, 404),
        ("/surveys/{slug}/results/", "GET", {"slug": "fuzz-closed"}, None, 200),
        ("/surveys/{slug}/results/", "GET", {"slug": "fresh"}, None, 200),
        ("/surveys/{slug}/responses/", "POST", {"slug": "fuzz-open"}, {"answers": {}}, 409),
        ("/surveys/{slug}/responses/", "POST", {"slug": "fuzz-district"}, {"answers": {}}, 403),
        ("/surveys/{slug}/responses/", "POST", {"slug": "fresh"}, {"answers": {}}, 400),
        (
            "/surveys/{slug}/responses/",
            "POST",
            {"slug": "fresh"},
            {"answers": {str(question.pk): ids(question)[0]}},
            201,
        ),
    ]
    with wsgi_keeps_the_test_connection():
        _conform(calls, headers)


def _conform(calls, headers):
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    from tests.api.test_schema import schema  # loads the schema through the WSGI app

    for path, method, params, body, expected in calls:
        operation = schema[f"/api/v1{path}"][method]
        kwargs = {"path_parameters": params, "headers": headers}
        if body is not None:
            kwargs.update(body=body, media_type="application/json")
        case = schema.make_case(operation=operation, **kwargs)
        response = case.call_and_validate(
            checks=[not_a_server_error, response_schema_conformance],
            headers={"X-Forwarded-Proto": "https"},
        )
        assert response.status_code == expected, (path, params, response.text)
