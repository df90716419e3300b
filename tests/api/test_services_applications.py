"""The e-services API: a person's applications, applying online, messages, files."""

import uuid

import pytest
from django.utils import timezone

from services.models import Application, ApplicationMessage, Document
from services.services import application_message, application_transition, appointment_book
from services.workflow import Action
from tests.api.services_fixtures import (
    V1,
    app_for,
    at,
    centre,
    cnap,
    officer,
    private_root,
    service,
    uk_client,
)
from tests.problems import fields, messages
from tests.services.factories import image_bytes, pdf_bytes, submit, upload

pytestmark = pytest.mark.django_db
# The shared fixtures (services_fixtures.py): pytest finds them by their names here.
FIXTURES = (centre, cnap, officer, private_root, service)


# --- applications -------------------------------------------------------------


def test_applications_need_a_signed_in_person(api, service):
    assert api.get(f"{V1}/applications/").status_code in (401, 403)
    assert api.post(f"{V1}/applications/", {}, format="json").status_code in (401, 403)


def test_my_applications_newest_first_with_status_in_words(
    api_for, resident, other_resident, service
):
    first = submit(resident, service)
    second = submit(resident, service)
    submit(other_resident, service)
    rows = api_for(resident).get(f"{V1}/applications/").json()["results"]
    assert [r["reference"] for r in rows] == [second.reference, first.reference]
    assert (rows[0]["status"], rows[0]["status_label"]) == ("submitted", "Submitted")
    assert rows[0]["deadline"] == timezone.localtime(second.due_at).isoformat()
    ukrainian = uk_client(resident).get(f"{V1}/applications/").json()["results"][0]
    assert ukrainian["status_label"] == "Подано"
    assert ukrainian["service"]["name"] == "Довідка про склад сім'ї"


@pytest.mark.parametrize("count", [2, 12])
def test_my_applications_make_a_fixed_number_of_queries(
    api_for, resident, service, count, django_assert_num_queries
):
    for _n in range(count):
        submit(resident, service)
    client = api_for(resident)
    with django_assert_num_queries(2):
        assert len(client.get(f"{V1}/applications/").json()["results"]) == count


def test_application_detail_with_messages_and_permission_checked_document_urls(
    api_for, resident, service
):
    application = submit(resident, service, documents=[("scan", upload(pdf_bytes(2)))])
    client = api_for(resident)
    client.post(
        f"{V1}/applications/{application.reference}/messages/",
        {"body": "Ось фото", "files": [upload(image_bytes(), "photo.jpg", "image/jpeg")]},
        format="multipart",
    )
    data = client.get(f"{V1}/applications/{application.reference}/").json()
    document = Document.objects.get(field_code="scan")
    assert data["documents"][0]["name"] == "scan.pdf"
    assert data["documents"][0]["pages"] == 2
    assert data["documents"][0]["download_url"] == (
        f"http://testserver{V1}/applications/{application.reference}/documents/{document.pk}/"
    )
    assert data["documents"][0]["web_download_url"] == (
        f"http://testserver/services/documents/{document.pk}/"
    )
    assert "private" not in str(data)  # never the storage's path
    assert data["messages"][0]["body"] == "Ось фото"
    assert data["messages"][0]["documents"][0]["name"] == "photo.jpg"
    assert data["timeline"][0]["action"] == "submit"
    assert data["receipt_url"] == (
        f"http://testserver{V1}/applications/{application.reference}/receipt/"
    )
    assert data["web_receipt_url"].endswith(
        f"/services/applications/{application.reference}/receipt.pdf"
    )
    assert (data["is_applicant"], data["can_write"], data["can_withdraw"]) == (True, True, True)


@pytest.mark.parametrize("messages", [1, 5])
def test_application_detail_makes_a_fixed_number_of_queries(
    api_for, resident, service, messages, django_assert_num_queries
):
    application = submit(resident, service, documents=[("scan", upload(pdf_bytes()))])
    for _n in range(messages):
        from services.services import application_message

        application_message(
            application=application,
            author=resident,
            body="Ще",
            documents=[upload(pdf_bytes())],
        )
    client = api_for(resident)
    # application, events, their actors, messages, their documents, documents
    with django_assert_num_queries(6):
        data = client.get(f"{V1}/applications/{application.reference}/").json()
    assert len(data["messages"]) == messages


def test_someone_elses_application_is_404(api_for, resident, other_resident, service):
    application = submit(resident, service)
    client = api_for(other_resident)
    assert client.get(f"{V1}/applications/{application.reference}/").status_code == 404
    url = f"{V1}/applications/{application.reference}/messages/"
    assert client.post(url, {"body": "Чуже"}, format="json").status_code == 404
    assert client.post(f"{V1}/applications/{application.reference}/withdraw/").status_code == 404
    assert client.get(f"{V1}/applications/KHS-2026-999999/").status_code == 404
    assert not ApplicationMessage.objects.exists()


@pytest.mark.parametrize(
    "role", ["other_resident", "moderator", "department_staff", "city_admin", "service_officer"]
)
def test_applications_and_visits_are_404_to_every_other_role(
    request, api_for, resident, service, centre, role
):
    """Staff outside the responsible department see neither (service_officer: no department)."""
    application = submit(resident, service)
    appointment = appointment_book(
        resident=resident, service=service, centre=centre, starts_at=at(1, 10)
    )
    client = api_for(request.getfixturevalue(role))
    assert client.get(f"{V1}/applications/{application.reference}/").status_code == 404
    assert client.get(f"{V1}/applications/{application.reference}/receipt/").status_code == 404
    assert client.get(f"{V1}/appointments/{appointment.code}/calendar/").status_code == 404
    assert client.get(f"{V1}/appointments/{appointment.code}/").status_code == 404
    assert client.post(f"{V1}/appointments/{appointment.code}/cancel/").status_code == 404
    assert client.get(f"{V1}/applications/").json()["results"] == []
    assert client.get(f"{V1}/appointments/").json()["results"] == []


def test_a_superuser_reads_an_application_but_cannot_withdraw_it(
    api_for, superuser, resident, service
):
    application = submit(resident, service)
    client = api_for(superuser)
    assert client.get(f"{V1}/applications/{application.reference}/").status_code == 200
    response = client.post(f"{V1}/applications/{application.reference}/withdraw/")
    assert response.status_code == 400
    assert response.json()["detail"] == "Only the applicant can do this."


def test_an_officer_of_the_department_reads_but_does_not_write_here(
    api_for, officer, resident, service
):
    application = submit(resident, service)
    client = api_for(officer)
    data = client.get(f"{V1}/applications/{application.reference}/").json()
    assert (data["is_applicant"], data["can_write"]) == (False, False)
    url = f"{V1}/applications/{application.reference}/messages/"
    assert client.post(url, {"body": "Від офіцера"}, format="json").status_code == 404
    assert client.get(f"{V1}/applications/").json()["results"] == []


def _answers(**change) -> dict:
    return {
        "service": "certificate",
        "answers.name": "Оксана Коваленко",
        "answers.purpose": "1",
        "answers.agree": "true",
        **change,
    }


def test_applying_online_with_a_document(api_for, resident, service):
    key = str(uuid.uuid4())
    body = _answers(idempotency_key=key, **{"documents.scan": upload(pdf_bytes())})
    client = api_for(resident)
    response = client.post(f"{V1}/applications/", body, format="multipart")
    assert response.status_code == 201, response.json()
    application = Application.objects.get()
    assert response.json()["reference"] == application.reference
    assert application.applicant == resident
    assert application.answer_text("name") == "Оксана Коваленко"
    assert application.answer_text("purpose") == "Школа"
    assert application.answer_text("scan") == "scan.pdf"
    assert application.documents.get().kind == "pdf"
    assert response.json()["documents"][0]["name"] == "scan.pdf"
    # The same key again (a double tap): the same application, not a second one.
    again = client.post(
        f"{V1}/applications/",
        _answers(idempotency_key=key, **{"documents.scan": upload(pdf_bytes())}),
        format="multipart",
    )
    assert again.status_code == 200
    assert again.json()["reference"] == application.reference
    assert Application.objects.count() == 1


def test_applying_with_json(api_for, resident, service):
    body = {
        "service": "certificate",
        "answers": {"name": "Оксана", "purpose": 0, "agree": True},
        "urgent": True,  # ignored: the service has no urgent term
    }
    response = api_for(resident).post(f"{V1}/applications/", body, format="json")
    assert response.status_code == 201, response.json()
    application = Application.objects.get()
    assert application.answer_text("purpose") == "Субсидія"
    assert application.urgent is False


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"answers.name": ""}, "answers.name"),
        ({"answers.purpose": "7"}, "answers.purpose"),
        ({"answers.agree": "no"}, "answers.agree"),  # the statement is not confirmed
        ({"answers.colour": "red"}, "answers.colour"),
        ({"answers.scan": "file.pdf"}, "answers.scan"),
        ({"documents.scan": upload(b"MZ\x90\x00 not a pdf", "scan.pdf")}, "documents.scan"),
        ({"documents.name": upload(pdf_bytes())}, "documents.name"),
        ({"service": "nope"}, "service"),
        ({"idempotency_key": "not-a-uuid"}, "idempotency_key"),
    ],
)
def test_application_errors_are_400_by_field(api_for, resident, service, change, field):
    response = api_for(resident).post(f"{V1}/applications/", _answers(**change), format="multipart")
    assert response.status_code == 400
    assert field in fields(response), response.json()
    assert not Application.objects.exists()


def test_a_service_without_online_applications_is_refused(api_for, resident, service):
    service.online = False
    service.save()
    response = api_for(resident).post(f"{V1}/applications/", _answers(), format="multipart")
    assert response.status_code == 400
    assert "online" in messages(response, "service")[0]


def test_errors_come_in_the_callers_language(resident, service):
    response = uk_client(resident).post(
        f"{V1}/applications/", _answers(**{"answers.name": ""}), format="multipart"
    )
    assert messages(response, "answers.name") == ["Це поле обов'язкове."]


def test_writing_a_message_and_a_closed_application(api_for, resident, service):
    application = submit(resident, service)
    client = api_for(resident)
    url = f"{V1}/applications/{application.reference}/messages/"
    assert client.post(url, {"body": ""}, format="json").status_code == 400
    response = client.post(url, {"body": "Коли буде готово?"}, format="json")
    assert response.status_code == 200
    assert [m["body"] for m in response.json()["messages"]] == ["Коли буде готово?"]
    withdrawn = client.post(f"{V1}/applications/{application.reference}/withdraw/")
    assert withdrawn.json()["status"] == "withdrawn"
    refused = client.post(url, {"body": "Ще одне"}, format="json")
    assert refused.status_code == 400
    assert "closed" in refused.json()["detail"]
    assert client.post(f"{V1}/applications/{application.reference}/withdraw/").status_code == 400
    assert ApplicationMessage.objects.count() == 1


def test_a_message_on_a_returned_application_is_the_correction(api_for, officer, resident, service):
    application = submit(resident, service)
    application_transition(
        application=application, action=Action.RETURN, actor=officer, reason="Додайте паспорт"
    )
    client = api_for(resident)
    detail = client.get(f"{V1}/applications/{application.reference}/").json()
    assert detail["needs_correction"] is True
    response = client.post(
        f"{V1}/applications/{application.reference}/messages/",
        {"body": "Додаю паспорт", "files": [upload(pdf_bytes(), "passport.pdf")]},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "submitted"
    assert [e["action"] for e in response.json()["timeline"]] == ["submit", "return", "correct"]
    assert response.json()["messages"][0]["documents"][0]["name"] == "passport.pdf"


# --- files: the receipt and the documents, with the API's sign-in ----------------------


def _with_files(resident, service) -> Application:
    """An application with a PDF from the form and a photo sent in a message."""
    application = submit(resident, service, documents=[("scan", upload(pdf_bytes(2)))])
    application_message(
        application=application,
        author=resident,
        body="Ось фото",
        documents=[upload(image_bytes(), "photo.jpg", "image/jpeg")],
    )
    return application


def test_an_app_downloads_the_receipt_with_its_session_token(resident, service):
    application = submit(resident, service)
    app = app_for(resident)
    url = app.get(f"{V1}/applications/{application.reference}/").json()["receipt_url"]
    response = app.get(url, HTTP_ACCEPT="application/pdf")  # no 406
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == (
        f'attachment; filename="{application.reference}.pdf"'
    )
    assert response["Cache-Control"] == "private, no-store"


def test_an_app_downloads_each_document_with_its_session_token(client, resident, service):
    application = _with_files(resident, service)
    app = app_for(resident)
    data = app.get(f"{V1}/applications/{application.reference}/").json()
    scan, photo = data["documents"][0], data["messages"][0]["documents"][0]
    client.force_login(resident)  # the web session, for the same bytes
    for item, content_type in ((scan, "application/pdf"), (photo, "image/jpeg")):
        response = app.get(item["download_url"], HTTP_ACCEPT=content_type)
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert body == Document.objects.get(pk=item["id"]).file.open("rb").read()
        web = client.get(item["web_download_url"])
        assert body == b"".join(web.streaming_content)
        assert response["Content-Type"] == content_type
        assert response["Content-Disposition"] == f'attachment; filename="{item["name"]}"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"] == "private, no-store"


def test_an_officer_of_the_department_downloads_the_files(api_for, officer, resident, service):
    application = _with_files(resident, service)
    client = api_for(officer)
    data = client.get(f"{V1}/applications/{application.reference}/").json()
    assert client.get(data["receipt_url"]).status_code == 200
    assert client.get(data["documents"][0]["download_url"]).status_code == 200


def test_someone_elses_files_are_404_in_json(resident, other_resident, service):
    application = _with_files(resident, service)
    document = Document.objects.filter(application=application).first()
    app = app_for(other_resident, HTTP_ACCEPT="application/pdf")
    base = f"{V1}/applications/{application.reference}"
    for url in (f"{base}/receipt/", f"{base}/documents/{document.pk}/"):
        response = app.get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/problem+json"
        assert "detail" in response.json()


def test_a_document_of_another_application_is_404(resident, service):
    first = _with_files(resident, service)
    second = submit(resident, service)
    document = Document.objects.filter(application=first).first()
    app = app_for(resident)
    url = f"{V1}/applications/{second.reference}/documents/{document.pk}/"
    assert app.get(url).status_code == 404
    unknown = f"{V1}/applications/{first.reference}/documents/{uuid.uuid4()}/"
    assert app.get(unknown).status_code == 404
    assert app.get(f"{V1}/applications/{first.reference}/documents/not-a-uuid/").status_code == 404


def test_a_missing_file_is_404(resident, service):
    application = _with_files(resident, service)
    document = Document.objects.filter(application=application).first()
    document.file.storage.delete(document.file.name)
    url = f"{V1}/applications/{application.reference}/documents/{document.pk}/"
    assert app_for(resident).get(url).status_code == 404


def test_files_need_a_signed_in_person(api, resident, service):
    application = _with_files(resident, service)
    document = Document.objects.filter(application=application).first()
    base = f"{V1}/applications/{application.reference}"
    for url in (f"{base}/receipt/", f"{base}/documents/{document.pk}/"):
        response = api.get(url, HTTP_ACCEPT="application/pdf")
        assert response.status_code in (401, 403)
        assert response["Content-Type"] == "application/problem+json"
        forged = api.get(url, HTTP_X_SESSION_TOKEN="forged")
        assert forged.status_code in (401, 403)


def test_applying_past_the_account_limit_is_429(api_for, resident, service, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "application": {"account": "2/hour", "address": "10/hour"},
    }
    body = {"service": "certificate", "answers": {"name": "Оксана", "purpose": 0, "agree": True}}
    client = api_for(resident)
    codes = [
        client.post(
            f"{V1}/applications/", {**body, "idempotency_key": str(uuid.uuid4())}, format="json"
        ).status_code
        for _ in range(3)
    ]
    assert codes == [201, 201, 429]
    assert Application.objects.count() == 2
