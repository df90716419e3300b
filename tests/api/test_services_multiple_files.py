"""The API takes several files for a form field that takes several (documents.<name> repeated)."""

import pytest

from services.models import Application, FormField
from tests.api.services_fixtures import V1, centre, cnap, private_root, service
from tests.problems import fields, messages
from tests.services.factories import FormFieldFactory, image_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db
FIXTURES = (centre, cnap, private_root, service)


@pytest.fixture
def passport(service):
    return FormFieldFactory(
        service=service, code="passport", type=FormField.Type.FILE, max_files=2, required=False
    )


def body(**files):
    return {
        "service": "certificate",
        "answers.name": "Оксана Коваленко",
        "answers.purpose": "1",
        "answers.agree": "true",
        **files,
    }


def jpeg(name):
    return upload(image_bytes(), name, "image/jpeg")


def test_the_form_definition_says_how_many_files_a_field_takes(api_for, resident, passport):
    fields = api_for(resident).get(f"{V1}/services/certificate/").json()["form"]
    by_name = {field["name"]: field for field in fields}
    assert by_name["passport"]["max_files"] == 2
    assert by_name["scan"]["max_files"] == 1
    assert by_name["name"]["max_files"] is None


def test_two_files_for_one_field(api_for, resident, passport):
    response = api_for(resident).post(
        f"{V1}/applications/",
        body(**{"documents.passport": [jpeg("page1.jpg"), upload(pdf_bytes(), "page2.pdf")]}),
        format="multipart",
    )

    assert response.status_code == 201, response.json()
    documents = response.json()["documents"]
    assert sorted((d["field"], d["name"]) for d in documents) == [
        ("passport", "page1.jpg"),
        ("passport", "page2.pdf"),
    ]


def test_too_many_files_for_a_field_are_400(api_for, resident, passport):
    response = api_for(resident).post(
        f"{V1}/applications/",
        body(**{"documents.passport": [jpeg("1.jpg"), jpeg("2.jpg"), jpeg("3.jpg")]}),
        format="multipart",
    )
    assert response.status_code == 400
    assert "documents.passport" in fields(response)
    assert not Application.objects.exists()


def test_two_files_for_a_single_file_field_are_400(api_for, resident, passport):
    response = api_for(resident).post(
        f"{V1}/applications/",
        body(**{"documents.scan": [upload(pdf_bytes(), "a.pdf"), upload(pdf_bytes(), "b.pdf")]}),
        format="multipart",
    )
    assert response.status_code == 400
    assert "documents.scan" in fields(response)
    assert not Application.objects.exists()


def test_a_bad_file_among_several_is_named(api_for, resident, passport):
    response = api_for(resident).post(
        f"{V1}/applications/",
        body(**{"documents.passport": [jpeg("ok.jpg"), upload(b"MZ\x90 nope", "virus.pdf")]}),
        format="multipart",
    )
    assert response.status_code == 400
    assert any("virus.pdf" in message for message in messages(response, "documents.passport"))
