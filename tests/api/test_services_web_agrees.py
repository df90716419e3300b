"""The application page and the API decide alike: write, correct, withdraw.

For every status, and for the applicant and an officer, the web page's
controls, the API's flags and the policy (services.policies) agree, and the
action is accepted on both surfaces exactly when it is offered.
"""

import pytest
from django.urls import reverse

from services import policies
from services.models import Application
from services.workflow import Status
from tests.api.services_fixtures import V1, centre, cnap, officer, private_root, service
from tests.services.factories import submit

pytestmark = pytest.mark.django_db
FIXTURES = (centre, cnap, officer, private_root, service)


def in_status(application, status):
    Application.objects.filter(pk=application.pk).update(status=status)
    return Application.objects.get(pk=application.pk)


def web_controls(client, application) -> dict:
    response = client.get(reverse("services:application", args=[application.reference]))
    assert response.status_code == 200
    html = response.content.decode()
    return {
        "can_write": reverse("services:write", args=[application.reference]) in html,
        "can_withdraw": reverse("services:withdraw", args=[application.reference]) in html,
        "needs_correction": response.context["needs_correction"],
    }


def api_flags(api, application) -> dict:
    data = api.get(f"{V1}/applications/{application.reference}/").json()
    return {key: data[key] for key in ("can_write", "can_withdraw", "needs_correction")}


@pytest.mark.parametrize("viewer", ["applicant", "officer"])
@pytest.mark.parametrize("status", Status.values)
def test_the_page_the_api_and_the_policy_agree(
    client_for, api_for, resident, officer, service, status, viewer
):
    application = in_status(submit(resident, service), status)
    user = resident if viewer == "applicant" else officer
    policy = {
        "can_write": policies.can_write(application, user),
        "can_withdraw": policies.can_withdraw(application, user),
        "needs_correction": policies.needs_correction(application),
    }

    assert web_controls(client_for(user), application) == policy
    assert api_flags(api_for(user), application) == policy


EXPECTED = {
    # status: (can write, can withdraw, the message is the correction)
    Status.SUBMITTED: (True, True, False),
    Status.NEEDS_CORRECTION: (True, True, True),
    Status.IN_PROGRESS: (True, True, False),
    Status.READY: (True, False, False),
    Status.ISSUED: (False, False, False),
    Status.REFUSED: (False, False, False),
    Status.WITHDRAWN: (False, False, False),
}


@pytest.mark.parametrize("status", Status.values)
def test_the_applicants_policy_for_each_status(resident, service, status):
    application = in_status(submit(resident, service), status)

    assert (
        policies.can_write(application, resident),
        policies.can_withdraw(application, resident),
        policies.needs_correction(application),
    ) == EXPECTED[status]


@pytest.mark.parametrize("surface", ["web", "api"])
@pytest.mark.parametrize("status", Status.values)
def test_writing_is_accepted_exactly_when_offered(
    client_for, api_for, resident, service, status, surface
):
    application = in_status(submit(resident, service), status)
    offered = policies.can_write(application, resident)
    correction = policies.needs_correction(application)
    if surface == "web":
        response = client_for(resident).post(
            reverse("services:write", args=[application.reference]), {"body": "Ось довідка."}
        )
        accepted = response.status_code == 302
    else:
        response = api_for(resident).post(
            f"{V1}/applications/{application.reference}/messages/",
            {"body": "Ось довідка."},
            format="multipart",
        )
        accepted = response.status_code == 200

    assert accepted == offered
    assert application.messages.exists() == offered
    after = Application.objects.get(pk=application.pk).status
    assert after == (Status.SUBMITTED if correction else status)


@pytest.mark.parametrize("surface", ["web", "api"])
@pytest.mark.parametrize("status", Status.values)
def test_withdrawing_is_accepted_exactly_when_offered(
    client_for, api_for, resident, service, status, surface
):
    application = in_status(submit(resident, service), status)
    offered = policies.can_withdraw(application, resident)
    if surface == "web":
        client_for(resident).post(reverse("services:withdraw", args=[application.reference]))
    else:
        api_for(resident).post(f"{V1}/applications/{application.reference}/withdraw/")

    withdrawn = Application.objects.get(pk=application.pk).status == Status.WITHDRAWN
    assert withdrawn == (offered or status == Status.WITHDRAWN)
