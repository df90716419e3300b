"""A form's file field that takes several files (both pages of a passport), and the
service page's "How to get this service" block."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from services.models import Application, Document, FormField

from .factories import (
    FormFieldFactory,
    ServiceCentreFactory,
    ServiceFactory,
    image_bytes,
    pdf_bytes,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def passport_service(cnap):
    service = ServiceFactory(slug="housing-aid", department=cnap, bookable=False)
    FormFieldFactory(service=service, code="name", ordering=1)
    FormFieldFactory(
        service=service,
        code="passport",
        type=FormField.Type.FILE,
        max_files=2,
        label_uk="Паспорт",
        label_en="Passport",
        ordering=2,
    )
    FormFieldFactory(
        service=service, code="extra", type=FormField.Type.FILE, required=False, ordering=3
    )
    return service


def jpeg(name):
    return upload(image_bytes(), name, "image/jpeg")


def apply(client, service, **data):
    payload = {"idempotency_key": str(uuid.uuid4()), "f_name": "Оксана Коваленко", **data}
    return client.post(reverse("services:apply", args=[service.slug]), payload)


def test_the_form_offers_several_files_and_says_how_many(client_for, resident, passport_service):
    html = client_for(resident).get(reverse("services:apply", args=["housing-aid"])).content
    html = html.decode()
    passport = html[html.index('name="f_passport"') - 200 : html.index('name="f_passport"') + 200]
    assert "multiple" in passport
    assert "Up to 2 files" in html or "До 2 файлів" in html
    extra = html[html.index('name="f_extra"') - 200 : html.index('name="f_extra"') + 200]
    assert "multiple" not in extra


def test_both_pages_of_a_passport_are_kept_under_their_field(
    client_for, resident, passport_service
):
    response = apply(
        client_for(resident),
        passport_service,
        f_passport=[jpeg("photo-page.jpg"), upload(pdf_bytes(), "registration.pdf")],
    )

    assert response.status_code == 302
    application = Application.objects.get()
    documents = Document.objects.filter(application=application)
    assert sorted((d.field_code, d.name, d.kind) for d in documents) == [
        ("passport", "photo-page.jpg", "jpeg"),
        ("passport", "registration.pdf", "pdf"),
    ]
    assert application.answer_text("passport") == "photo-page.jpg, registration.pdf"


def test_more_files_than_the_field_takes_are_refused(client_for, resident, passport_service):
    response = apply(
        client_for(resident),
        passport_service,
        f_passport=[jpeg("1.jpg"), jpeg("2.jpg"), jpeg("3.jpg")],
    )

    assert response.status_code == 200
    assert "f_passport" in response.context["form"].errors
    assert not Application.objects.exists()
    assert not Document.objects.exists()


def test_each_file_is_checked_and_the_bad_one_is_named(client_for, resident, passport_service):
    response = apply(
        client_for(resident),
        passport_service,
        f_passport=[jpeg("good.jpg"), upload(b"MZ\x90\x00 a program", "bad.pdf")],
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["f_passport"]
    assert any(error.startswith("bad.pdf: ") for error in errors)
    assert not Application.objects.exists()


def test_each_file_keeps_the_size_limit(client_for, resident, passport_service, settings):
    settings.SERVICES_UPLOAD_MAX_MB = 1
    big = upload(pdf_bytes() + b"\n%" + b"x" * (1024 * 1024 + 10), "big.pdf")
    response = apply(client_for(resident), passport_service, f_passport=[jpeg("ok.jpg"), big])
    assert response.status_code == 200
    assert "f_passport" in response.context["form"].errors
    assert not Application.objects.exists()


def test_a_required_multi_file_field_needs_a_file(client_for, resident, passport_service):
    response = apply(client_for(resident), passport_service)
    assert response.status_code == 200
    assert "f_passport" in response.context["form"].errors


def test_the_total_of_files_keeps_the_application_limit(
    client_for, resident, passport_service, settings
):
    settings.SERVICES_MAX_FILES = 2
    response = apply(
        client_for(resident),
        passport_service,
        f_passport=[jpeg("1.jpg"), jpeg("2.jpg")],
        f_extra=jpeg("3.jpg"),
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Application.objects.exists()


def test_only_a_file_field_takes_several_files(cnap):
    field = FormFieldFactory(type=FormField.Type.TEXT, max_files=3)
    with pytest.raises(ValidationError) as error:
        field.full_clean()
    assert "max_files" in error.value.message_dict


def test_a_field_takes_at_most_ten_files(cnap):
    field = FormFieldFactory(type=FormField.Type.FILE, max_files=11)
    with pytest.raises(ValidationError):
        field.full_clean()


# --- How to get this service ---------------------------------------------------


def how_to_get(client, service) -> str:
    html = client.get(service.get_absolute_url()).content.decode()
    return html[
        html.index('id="how-title"') : html.index("</section>", html.index('id="how-title"'))
    ]


def test_a_service_online_and_by_visit_says_choose_one(client, cnap, everything_in_english):
    centre = ServiceCentreFactory()
    service = ServiceFactory(
        department=cnap,
        online=True,
        bookable=True,
        centres=[centre],
        documents="Passport\nTax number",
    )

    block = how_to_get(client, service)

    assert "Choose one: apply online from home, or book a visit" in block
    assert reverse("services:apply", args=[service.slug]) in block
    assert reverse("services:book", args=[service.slug]) in block
    assert "What to bring or attach" in block
    assert "<li>Passport</li>" in block
    assert "<li>Tax number</li>" in block


def test_an_online_only_service_says_no_visit(client, cnap, everything_in_english):
    service = ServiceFactory(department=cnap, online=True, bookable=False, documents="Passport")

    block = how_to_get(client, service)

    assert "Online only" in block
    assert "What to attach" in block
    assert reverse("services:book", args=[service.slug]) not in block


def test_a_visit_only_service_says_it_cannot_be_applied_for_online(
    client, cnap, everything_in_english
):
    service = ServiceFactory(
        department=cnap, online=False, bookable=True, centres=[ServiceCentreFactory()]
    )

    block = how_to_get(client, service)

    assert "In person only: it cannot be applied for online" in block
    assert "What to bring" in block
    assert "Only an identity document for a visit." in block
    assert reverse("services:apply", args=[service.slug]) not in block


def test_a_walk_in_service_says_no_booking_is_needed(client, cnap, everything_in_english):
    service = ServiceFactory(
        department=cnap, online=False, bookable=False, centres=[ServiceCentreFactory()]
    )
    block = how_to_get(client, service)
    assert "no booking is needed" in block


def test_the_block_is_in_ukrainian_by_default(client, cnap):
    service = ServiceFactory(department=cnap, online=True, bookable=False)
    assert "Як отримати послугу" in how_to_get(client, service)


def test_the_officer_sees_which_question_each_file_answers(
    client_for, resident, officer, passport_service
):
    apply(
        client_for(resident),
        passport_service,
        f_passport=[jpeg("photo-page.jpg"), upload(pdf_bytes(), "registration.pdf")],
    )
    application = Application.objects.get()

    page = client_for(officer).get(
        reverse("admin:services_application_change", args=[application.pk])
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert 'Паспорт: <a href="' in html
    assert html.count("Паспорт: <a") == 2
