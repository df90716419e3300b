"""The OpenAPI schema validates, and the whole API is fuzzed from it with schemathesis.

Bounded and deterministic: a fixed number of examples per operation (and of
steps of the stateful phase) with a derandomised Hypothesis, so the suite
stays fast and a failure repeats. Every check schemathesis has runs: no 5xx,
responses, their status codes, headers and content types as documented,
invalid data refused and valid data accepted, a missing or ignored session,
unsupported methods, and resources used after they are deleted.
"""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient

from tests.api import fuzz_news, fuzz_services, fuzz_surveys
from tests.factories import PASSWORD

EXAMPLES = 12
STATEFUL_STEPS = 40

# Loaded at import, outside the tests' settings: as if behind the TLS proxy.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/schema/?format=json",
    get_wsgi_application(),
    headers={"X-Forwarded-Proto": "https"},
)


def test_the_schema_validates_without_warnings(tmp_path):
    # drf-spectacular's own validation (OpenAPI 3 JSON schema) and no warnings.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")


def headers(token: str) -> dict:
    # The checks' own extra requests go out with these too: as if behind the TLS
    # proxy, or every answer would be the redirect to HTTPS.
    # Uncompressed: schemathesis reads a WSGI answer as it comes, gzip or not.
    return {"X-Session-Token": token, "X-Forwarded-Proto": "https", "Accept-Encoding": "identity"}


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
    # No `checks`: all of schemathesis's checks.
    case.call_and_validate(headers=headers(fuzz_world))


@pytest.mark.django_db
def test_api_fuzzed_through_the_links_between_operations(fuzz_world):
    """The stateful phase: sequences of calls where one's answer feeds the next."""
    token = fuzz_world

    class Journey(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": headers(token)}

    Journey.run(
        settings=settings(
            max_examples=STATEFUL_STEPS,
            stateful_step_count=6,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
