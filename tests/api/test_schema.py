"""The OpenAPI schema validates, and the whole API is fuzzed from it with schemathesis.

Bounded and deterministic: a fixed number of examples per operation with
a derandomised Hypothesis, so the suite stays fast and a failure repeats.
Checks: no 5xx, responses (and their content type) conform to the schema.
"""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from tests.api import fuzz_news, fuzz_services, fuzz_surveys
from tests.factories import PASSWORD

EXAMPLES = 12
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]

# Loaded at import, outside the tests' settings: as if behind the TLS proxy.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/schema/?format=json",
    get_wsgi_application(),
    headers={"X-Forwarded-Proto": "https"},
    # allauth's headless endpoints (merged in by mycity/api_schema.py) are left out:
    # they are allauth's, described by allauth, and fuzzing them would sign the
    # fuzzer's own session out, change its password and trip the sign-in rate
    # limits the other operations run under. tests/api/test_auth*.py cover them.
).exclude(path_regex=r"^/api/v1/auth/")


def test_the_schema_validates_without_warnings(tmp_path):
    # drf-spectacular's own validation (OpenAPI 3 JSON schema) and no warnings.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")


@pytest.fixture
def fuzz_world(resident, other_resident, django_db_blocker):
    """Some public data to read, and a resident's session token for the writes."""
    from tests.appeals.public_factories import public_appeal
    from tests.factories import CategoryFactory, DistrictFactory

    district = DistrictFactory()
    category = CategoryFactory(slug="lights")
    public_appeal(other_resident, category=category, district=district)
    public_appeal(other_resident, category=category, district=district, kind="proposal")
    public_appeal(resident, category=category, district=district, is_public=False)
    for app in (fuzz_news, fuzz_surveys, fuzz_services):
        app.make_fuzz_data(resident=resident, other_resident=other_resident)
    response = APIClient().post(
        "/api/v1/auth/app/v1/auth/login",
        {"email": resident.email, "password": PASSWORD},
        format="json",
    )
    return response.json()["meta"]["session_token"]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_fuzzed_from_its_schema(case, fuzz_world):
    case.call_and_validate(headers={"X-Session-Token": fuzz_world}, checks=CHECKS)
