"""The API takes the ground of the 48-hour term of Art. 20(2) of the Law "On Access to
Public Information" (`urgent_ground`, the web form's choices); `urgent=true` still
means life or freedom."""

import pytest

from services.models import Application, Service
from services.workflow import UrgentGround
from tests.api.services_fixtures import V1, centre, cnap, service, uk_client
from tests.problems import fields

pytestmark = pytest.mark.django_db
FIXTURES = (centre, cnap, service)


@pytest.fixture
def pubinfo(service):
    Service.objects.filter(pk=service.pk).update(
        urgent_hours=48, public_information=True, extension_days=20
    )
    return service


def body(**extra) -> dict:
    return {
        "service": "certificate",
        "answers": {"name": "Оксана Коваленко", "purpose": 1, "agree": True},
        **extra,
    }


@pytest.mark.parametrize("ground", UrgentGround.values)
def test_every_ground_gives_the_48_hour_term(api_for, resident, pubinfo, ground):
    response = api_for(resident).post(
        f"{V1}/applications/", body(urgent_ground=ground), format="json"
    )

    assert response.status_code == 201, response.json()
    application = Application.objects.get()
    assert (application.urgent, application.urgent_ground) == (True, ground)
    assert response.json()["urgent_ground"] == ground


def test_urgent_true_still_means_life_or_freedom(api_for, resident, pubinfo):
    response = api_for(resident).post(f"{V1}/applications/", body(urgent=True), format="json")

    assert response.status_code == 201
    application = Application.objects.get()
    assert (application.urgent, application.urgent_ground) == (True, "life_or_freedom")


def test_the_ground_in_multipart_too(api_for, resident, pubinfo):
    data = {
        "service": "certificate",
        "answers.name": "Оксана Коваленко",
        "answers.purpose": "1",
        "answers.agree": "true",
        "urgent_ground": "accident",
    }

    response = api_for(resident).post(f"{V1}/applications/", data, format="multipart")

    assert response.status_code == 201, response.json()
    assert Application.objects.get().urgent_ground == UrgentGround.ACCIDENT


def test_no_ground_means_the_usual_term(api_for, resident, pubinfo):
    response = api_for(resident).post(f"{V1}/applications/", body(), format="json")

    assert response.status_code == 201
    application = Application.objects.get()
    assert (application.urgent, application.urgent_ground) == (False, "")


@pytest.mark.parametrize("language", ["en", "uk"])
def test_an_unknown_ground_is_refused(api_for, resident, pubinfo, language):
    client = api_for(resident) if language == "en" else uk_client(resident)

    response = client.post(f"{V1}/applications/", body(urgent_ground="war"), format="json")

    assert response.status_code == 400
    assert "urgent_ground" in fields(response)
    assert not Application.objects.exists()


def test_the_ground_is_ignored_where_the_law_sets_no_short_term(api_for, resident, service):
    response = api_for(resident).post(
        f"{V1}/applications/", body(urgent_ground="accident"), format="json"
    )

    assert response.status_code == 201
    application = Application.objects.get()
    assert (application.urgent, application.urgent_ground) == (False, "")


def test_the_schema_lists_the_grounds(api):
    schema = api.get(f"{V1}/schema/", HTTP_ACCEPT="application/json").json()

    create = schema["components"]["schemas"]["ApplicationCreateRequest"]["properties"]
    ground = create["urgent_ground"]
    choices = ground.get("enum") or schema["components"]["schemas"][
        ground["oneOf"][0]["$ref"].rsplit("/", 1)[1]
    ].get("enum")
    assert set(UrgentGround.values) <= set(choices)
