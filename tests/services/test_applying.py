"""Applying online through the generated form; the application page; the receipt."""

import io
import uuid

import pytest
from django.urls import reverse
from pypdf import PdfReader

from citizens.notifications.models import Notification
from services.models import Application, Document, FormField
from services.services import ServiceError, application_submit

from .factories import FormFieldFactory, ServiceFactory, pdf_bytes, submit, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_info(cnap):
    service = ServiceFactory(
        slug="public-info",
        name_uk="Запит на публічну інформацію",
        name_en="Request for public information",
        department=cnap,
        processing_days=5,
        urgent_hours=48,
        extension_days=20,
        bookable=False,
    )
    FormFieldFactory(service=service, code="request", type=FormField.Type.LONG_TEXT, ordering=1)
    FormFieldFactory(
        service=service, code="attachment", type=FormField.Type.FILE, required=False, ordering=2
    )
    return service


def post_application(client, service, **data):
    files = data.pop("files", {})
    payload = {"idempotency_key": str(uuid.uuid4()), **data, **files}
    return client.post(reverse("services:apply", args=[service.slug]), payload)


def test_the_form_asks_anonymous_visitors_to_sign_in(client_for, public_info):
    response = client_for(None).get(reverse("services:apply", args=[public_info.slug]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_resident_sees_the_generated_form(client_for, resident, public_info):
    response = client_for(resident).get(reverse("services:apply", args=[public_info.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="f_request"' in html
    assert 'name="f_attachment"' in html
    assert 'name="urgent_ground"' in html
    assert 'enctype="multipart/form-data"' in html


def test_submitting_with_an_attachment_registers_the_application(
    client_for, resident, officer, public_info, django_capture_on_commit_callbacks
):
    client = client_for(resident)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_application(
            client,
            public_info,
            f_request="Копія рішення виконкому № 12 від 2026 року",
            files={"f_attachment": upload(pdf_bytes(2), "рішення.pdf")},
        )
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == application.get_absolute_url()
    assert application.reference.startswith("KHS-")
    assert application.status == "submitted"
    assert application.department == public_info.department
    assert application.answer_text("request").startswith("Копія рішення")
    document = Document.objects.get()
    assert (document.name, document.kind, document.pages, document.field_code) == (
        "рішення.pdf",
        "pdf",
        2,
        "attachment",
    )
    told = dict(Notification.objects.values_list("recipient_id", "event"))
    assert told == {resident.pk: "services.submitted", officer.pk: "services.new_application"}


def test_an_invalid_form_keeps_what_was_typed_and_explains(client_for, resident, public_info):
    response = post_application(
        client_for(resident),
        public_info,
        f_request="",
        files={"f_attachment": upload(b"not really a pdf", "fake.pdf")},
    )
    assert response.status_code == 200
    assert Application.objects.count() == 0
    form = response.context["form"]
    assert "f_request" in form.errors
    assert "f_attachment" in form.errors
    assert response.context["files_lost"] is True


def test_a_double_submit_registers_once(client_for, resident, public_info):
    client = client_for(resident)
    key = str(uuid.uuid4())
    for _ in range(2):
        post_application(client, public_info, f_request="Одна й та сама заява", idempotency_key=key)
    assert Application.objects.count() == 1


def test_references_count_up_within_the_year(resident, public_info):
    first, second = submit(resident, public_info), submit(resident, public_info)
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_a_service_that_is_not_online_sends_the_resident_to_book(client_for, resident, cnap):
    offline = ServiceFactory(department=cnap, online=False)
    response = client_for(resident).get(reverse("services:apply", args=[offline.slug]))
    assert response.status_code == 302
    assert response["Location"] == offline.get_absolute_url()
    with pytest.raises(ServiceError):
        application_submit(
            applicant=resident, service=offline, answers=[], idempotency_key=uuid.uuid4()
        )


def test_an_urgent_request_is_due_in_48_hours(resident, public_info):
    application = submit(resident, public_info, urgent=True)
    assert application.urgent
    assert (application.due_at - application.submitted_at).total_seconds() == 48 * 3600


def test_urgent_is_ignored_where_the_law_sets_no_short_term(resident, service):
    application = submit(resident, service, urgent=True)
    assert not application.urgent


def test_the_applicant_sees_the_page_with_timeline_and_documents(
    client_for, resident, public_info, django_assert_max_num_queries
):
    application = submit(
        resident, public_info, documents=[("attachment", upload(pdf_bytes(), "a.pdf"))]
    )
    client = client_for(resident)
    with django_assert_max_num_queries(16):
        response = client.get(application.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert application.reference in html
    assert "a.pdf" in html


@pytest.mark.parametrize("who", ["other_resident", "anonymous", "other_officer", "moderator"])
def test_others_cannot_open_an_application(request, client_for, resident, public_info, who):
    application = submit(resident, public_info)
    response = client_for(request.getfixturevalue(who)).get(application.get_absolute_url())
    assert response.status_code in (302, 404)
    if who == "anonymous":
        assert reverse("account_login") in response["Location"]


def test_the_receipt_is_a_pdf_with_the_reference_and_the_deadline(
    client_for, resident, public_info
):
    application = submit(resident, public_info, documents=[("attachment", upload(pdf_bytes()))])
    response = client_for(resident).get(reverse("services:receipt", args=[application.reference]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert application.reference in text
    assert "Запит на публічну інформацію" in text  # Cyrillic survives: the font is embedded
    assert application.due_at.astimezone().strftime("%d.%m.%Y") in text or "." in text
    assert "scan.pdf" in text


def test_the_receipt_follows_the_language(everything_in_english, client_for, resident, public_info):
    application = submit(resident, public_info)
    response = client_for(resident).get(reverse("services:receipt", args=[application.reference]))
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Receipt for application" in text
    assert "Request for public information" in text


def test_the_receipt_is_only_for_the_applicant_and_officers(
    client_for, resident, other_resident, officer, public_info
):
    application = submit(resident, public_info)
    url = reverse("services:receipt", args=[application.reference])
    assert client_for(other_resident).get(url).status_code == 404
    assert client_for(officer).get(url).status_code == 200


def test_my_applications_lists_only_mine(client_for, resident, other_resident, public_info):
    mine = submit(resident, public_info)
    theirs = submit(other_resident, public_info)
    html = client_for(resident).get(reverse("services:mine")).content.decode()
    assert mine.reference in html
    assert theirs.reference not in html


def test_my_page_makes_a_fixed_number_of_queries(
    client_for, resident, public_info, django_assert_max_num_queries
):
    for _ in range(15):
        submit(resident, public_info)
    client = client_for(resident)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("services:mine")).status_code == 200


def test_the_cabinet_links_to_my_applications_and_appointments(client_for, resident):
    html = client_for(resident).get(reverse("citizens:cabinet")).content.decode()
    assert f'href="{reverse("services:mine")}"' in html


def test_the_header_links_to_the_catalogue(client):
    assert f'href="{reverse("services:catalogue")}"' in client.get("/").content.decode()


def test_the_applicant_sends_a_correction_with_a_file_from_the_page(
    client_for, resident, officer, public_info
):
    from services.services import application_transition

    application = submit(resident, public_info)
    application_transition(
        application=application, action="return", actor=officer, reason="Додайте копію паспорта."
    )
    client = client_for(resident)
    page = client.get(application.get_absolute_url()).content.decode()
    assert "Додайте копію паспорта." in page
    response = client.post(
        reverse("services:write", args=[application.reference]),
        {"body": "Додаю копію.", "files": [upload(pdf_bytes(), "passport.pdf")]},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.documents.get().name == "passport.pdf"


def test_a_bad_file_in_a_message_is_explained_and_nothing_is_saved(
    client_for, resident, public_info
):
    application = submit(resident, public_info)
    response = client_for(resident).post(
        reverse("services:write", args=[application.reference]),
        {"body": "Ось файл", "files": [upload(b"GIF89a not allowed", "a.pdf")]},
    )
    assert response.status_code == 400
    # In the resident's language (Ukrainian).
    assert "не є файлом PDF, JPEG або PNG" in response.content.decode()
    assert application.messages.count() == 0


def test_the_applicant_withdraws_from_the_page(client_for, resident, public_info):
    application = submit(resident, public_info)
    client_for(resident).post(reverse("services:withdraw", args=[application.reference]))
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_another_resident_cannot_write_or_withdraw(
    client_for, resident, other_resident, public_info
):
    application = submit(resident, public_info)
    client = client_for(other_resident)
    assert (
        client.post(
            reverse("services:write", args=[application.reference]), {"body": "x"}
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("services:withdraw", args=[application.reference])).status_code == 404
    )
    assert Application.objects.get(pk=application.pk).status == "submitted"
