"""The OpenAPI schema validates, and the whole API is fuzzed from it with schemathesis.

Bounded and deterministic: a fixed number of examples per operation (and of
steps of the stateful phase) with a derandomised Hypothesis, so the suite
stays fast and a failure repeats. Every check schemathesis has runs: no 5xx,
responses, their status codes, headers and content types as documented,
invalid data refused and valid data accepted, a missing or ignored session,
unsupported methods, and resources used after they are deleted.
"""

import os

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient
from schemathesis.specs.openapi.checks import (
    ignored_auth,
    negative_data_rejection,
    positive_data_acceptance,
)

from tests.api import fuzz_news, fuzz_services, fuzz_surveys
from tests.api.wsgi_support import wsgi_keeps_the_test_connection
from tests.factories import PASSWORD
from tests.query_counts import forget_cache

EXAMPLES = 12
# Sequences of the stateful phase. FUZZ_STEPS=1000 FUZZ_RANDOM=1 for a longer,
# random run by hand (scripts are not needed: it is this test).
STATEFUL_SEQUENCES = int(os.environ.get("FUZZ_STEPS", 60))

# Checks that cannot apply to one operation, each with why. Everything else runs.
DATA_DEPENDENT = (
    "accepted only for what is stored: a category, service, centre or free time "
    "that exists, a point inside the city, a push service's address, the account's "
    "own password; no schema can state that, and the refusal is a 400 by field"
)
EXCLUDED = {
    "DELETE /api/v1/account/": {positive_data_acceptance: DATA_DEPENDENT},
    "GET /api/v1/alerts/": {positive_data_acceptance: "`district` must name a district"},
    "POST /api/v1/appeals/": {positive_data_acceptance: DATA_DEPENDENT},
    "POST /api/v1/applications/": {positive_data_acceptance: DATA_DEPENDENT},
    "POST /api/v1/appointments/": {positive_data_acceptance: DATA_DEPENDENT},
    "POST /api/v1/appointments/{code}/reschedule/": {positive_data_acceptance: DATA_DEPENDENT},
    "POST /api/v1/push-subscriptions/": {positive_data_acceptance: DATA_DEPENDENT},
    "POST /api/v1/saved-places/": {positive_data_acceptance: DATA_DEPENDENT},
    "GET /api/v1/centres/{id_or_slug}/free-times/": {positive_data_acceptance: DATA_DEPENDENT},
    # django-filter reads an empty or unparsable optional filter as no filter.
    "GET /api/v1/services/": {negative_data_rejection: "an empty filter is no filter"},
    "GET /api/v1/points/": {negative_data_rejection: "an empty filter is no filter"},
    # A multipart form cannot tell an empty list item from a missing one; the
    # topics and districts named must exist.
    "PUT /api/v1/news/subscription/": {
        negative_data_rejection: "multipart has no empty items",
        positive_data_acceptance: DATA_DEPENDENT,
    },
    # `district` must exist, and `lat` needs `lon` and `kind` (OpenAPI 3.0
    # cannot state parameters that go together).
    "GET /api/v1/incidents/": {positive_data_acceptance: DATA_DEPENDENT},
    # `district` must name a district (and a home district is a slug that exists).
    "PATCH /api/v1/account/profile/": {positive_data_acceptance: DATA_DEPENDENT},
    # Quiet hours must end at another time than they start: a rule between two
    # fields, which OpenAPI 3.0 cannot state.
    "PATCH /api/v1/account/notifications/": {
        positive_data_acceptance: "quiet hours' start and end must differ"
    },
    # `radius` needs `near` (parameters that go together).
    "GET /api/v1/appeals/": {
        negative_data_rejection: "an empty filter is no filter",
        positive_data_acceptance: "`radius` needs `near`",
    },
    "GET /api/v1/proposals/": {
        negative_data_rejection: "an empty filter is no filter",
        positive_data_acceptance: "`radius` needs `near`",
    },
}
for label in ("GET /api/v1/incidents/",):
    EXCLUDED[label][negative_data_rejection] = "an empty filter is no filter"


def excluded(case) -> list:
    # ignored_auth everywhere: the check fills in the cookie scheme with a made-up
    # session while the fuzzing's valid X-Session-Token (the other scheme) signs
    # the call in, and counts the 200 against the API. What it checks is pinned
    # by tests/api/test_errors.py: no or a bad token is a 401 on every endpoint.
    return [ignored_auth, *EXCLUDED.get(case.operation.label, {})]


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
# Text the API takes is UTF-8 without NUL (docs/api.md, "Text"): every endpoint
# refuses a NUL byte or a lone surrogate anywhere in a request, keys included, as
# a whole (mycity/lib/untrusted.py; tests/api/test_bad_input.py pins it). OpenAPI
# cannot say so once for every string, so the generator is told instead.
schema.config.generation.update(allow_x00=False, codec="utf-8")


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
def fuzz_world(resident, other_resident, django_db_blocker, settings):
    """Some public data to read, and a resident's session token for the writes."""
    from tests.citizens.notifications.fcm_helpers import configure

    configure(settings)  # app push offered (devices), nothing is ever sent
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
    with wsgi_keeps_the_test_connection():
        case.call_and_validate(headers=headers(fuzz_world), excluded_checks=excluded(case))


@pytest.mark.django_db
def test_api_fuzzed_through_the_links_between_operations(fuzz_world):
    """The stateful phase: sequences of calls where one's answer feeds the next
    (an appeal filed, then read; a place saved, then changed and deleted...).

    Every sequence starts from the same database and an empty cache (a savepoint
    rolled back after each, rate limits forgotten): Hypothesis replays a sequence
    to confirm a failure and to draw the next ones, and the answers, which decide
    the links it may follow, must be the same each time."""
    token = fuzz_world

    class Journey(schema.as_state_machine()):
        def setup(self):
            forget_cache()  # this test's keys only: cache.clear() flushes a Redis database
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)
            super().teardown()

        def get_call_kwargs(self, case):
            return {"headers": headers(token)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                excluded_checks=excluded(case),
                transport_kwargs=kwargs or None,
                recorder=self.recorder,
            )

    with wsgi_keeps_the_test_connection():
        Journey.run(
            settings=settings(
                max_examples=STATEFUL_SEQUENCES,
                stateful_step_count=6,
                derandomize=not os.environ.get("FUZZ_RANDOM"),
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
        )
