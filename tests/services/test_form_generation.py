"""The application form is generated from the service's fields: every type validates."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.utils import timezone
from phonenumber_field.formfields import PhoneNumberField

from services.forms import ApplicationForm, DocumentField
from services.models import FormField

from .factories import FormFieldFactory, ServiceFactory, image_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db
T = FormField.Type


def make_form(service, data=None, files=None):
    data = (
        None
        if data is None
        else {"idempotency_key": "2b0d8c52-5a3c-4d1c-9d0c-1f6a4b6b7a11", **data}
    )
    return ApplicationForm(data, files, service=service)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (T.TEXT, forms.CharField),
        (T.LONG_TEXT, forms.CharField),
        (T.NUMBER, forms.DecimalField),
        (T.DATE, forms.DateField),
        (T.CHOICE, forms.ChoiceField),
        (T.YES_NO, forms.BooleanField),
        (T.FILE, DocumentField),
        (T.EMAIL, forms.EmailField),
        (T.PHONE, PhoneNumberField),
    ],
)
def test_every_field_type_becomes_a_django_field(kind, expected):
    spec = FormFieldFactory(type=kind, code="x", choices_uk="А\nБ", choices_en="A\nB")
    form = make_form(spec.service)
    assert isinstance(form.fields["f_x"], expected)
    assert form.fields["f_x"].label == spec.label


def test_fields_come_in_the_services_order():
    service = ServiceFactory()
    FormFieldFactory(service=service, code="second", ordering=2)
    FormFieldFactory(service=service, code="first", ordering=1)
    assert [spec.code for spec, _field in make_form(service).field_pairs()] == ["first", "second"]


def test_a_long_text_renders_as_a_textarea():
    spec = FormFieldFactory(type=T.LONG_TEXT, code="x")
    assert isinstance(make_form(spec.service).fields["f_x"].widget, forms.Textarea)


def test_a_required_field_left_empty_is_refused_and_the_rest_is_kept(english):
    service = ServiceFactory()
    FormFieldFactory(service=service, code="name", required=True)
    FormFieldFactory(service=service, code="note", required=False)
    form = make_form(service, {"f_name": "", "f_note": "keep me"})
    assert not form.is_valid()
    assert form.errors["f_name"] == ["This field is required."]
    assert form["f_note"].value() == "keep me"


def test_text_length_limits_come_from_min_and_max(english):
    spec = FormFieldFactory(type=T.TEXT, code="x", min_value=3, max_value=5)
    assert "at least 3" in make_form(spec.service, {"f_x": "ab"}).errors["f_x"][0]
    assert "at most 5" in make_form(spec.service, {"f_x": "abcdef"}).errors["f_x"][0]
    assert make_form(spec.service, {"f_x": "abcd"}).is_valid()


def test_a_pattern_must_match_the_whole_answer_with_the_services_message():
    spec = FormFieldFactory(
        type=T.TEXT, code="tax", pattern=r"\d{10}", pattern_message_uk="Вкажіть 10 цифр."
    )
    assert make_form(spec.service, {"f_tax": "12345678901"}).errors["f_tax"] == ["Вкажіть 10 цифр."]
    assert make_form(spec.service, {"f_tax": "x1234567890"}).errors["f_tax"] == ["Вкажіть 10 цифр."]
    assert make_form(spec.service, {"f_tax": "1234567890"}).is_valid()


def test_numbers_are_checked_against_min_and_max(english):
    spec = FormFieldFactory(type=T.NUMBER, code="n", min_value=1, max_value=5)
    assert "greater than or equal to 1" in make_form(spec.service, {"f_n": "0"}).errors["f_n"][0]
    assert "less than or equal to 5" in make_form(spec.service, {"f_n": "6"}).errors["f_n"][0]
    assert make_form(spec.service, {"f_n": "abc"}).errors["f_n"] == ["Enter a number."]
    form = make_form(spec.service, {"f_n": "3"})
    assert form.is_valid()
    assert form.cleaned_data["f_n"] == Decimal("3")


def test_dates_are_bounded_in_days_from_today(english):
    spec = FormFieldFactory(type=T.DATE, code="d", min_value=1, max_value=60)
    today = timezone.localdate()
    too_early = make_form(spec.service, {"f_d": today.isoformat()})
    assert "cannot be earlier" in too_early.errors["f_d"][0]
    too_late = make_form(spec.service, {"f_d": (today + dt.timedelta(days=61)).isoformat()})
    assert "cannot be later" in too_late.errors["f_d"][0]
    assert make_form(spec.service, {"f_d": (today + dt.timedelta(days=2)).isoformat()}).is_valid()
    assert make_form(spec.service, {"f_d": "31.02.2026"}).errors["f_d"] == ["Enter a valid date."]


def test_a_choice_accepts_only_its_options_and_stores_the_label():
    spec = FormFieldFactory(type=T.CHOICE, code="c", choices_uk="Пошта\nОсобисто")
    assert "f_c" in make_form(spec.service, {"f_c": "7"}).errors
    form = make_form(spec.service, {"f_c": "1"})
    assert form.is_valid()
    assert form.submit_kwargs()["answers"][0]["value"] == "Особисто"


def test_a_required_yes_no_is_a_statement_to_confirm(english):
    spec = FormFieldFactory(type=T.YES_NO, code="consent", required=True)
    assert make_form(spec.service, {}).errors["f_consent"] == ["This field is required."]
    assert make_form(spec.service, {"f_consent": "on"}).is_valid()


def test_an_optional_yes_no_offers_yes_and_no(english):
    spec = FormFieldFactory(type=T.YES_NO, code="before", required=False)
    form = make_form(spec.service, {"f_before": "no"})
    assert form.is_valid()
    assert form.submit_kwargs()["answers"][0]["value"] == "No"


def test_email_and_phone_are_validated(english):
    service = ServiceFactory()
    FormFieldFactory(service=service, code="mail", type=T.EMAIL)
    FormFieldFactory(service=service, code="tel", type=T.PHONE)
    form = make_form(service, {"f_mail": "not-an-address", "f_tel": "12"})
    assert form.errors["f_mail"] == ["Enter a valid email address."]
    assert "f_tel" in form.errors
    form = make_form(service, {"f_mail": "a@example.com", "f_tel": "050 123 45 67"})
    assert form.is_valid()
    assert form.submit_kwargs()["answers"][1]["value"] == "+380 50 123 4567"


def test_a_file_field_accepts_a_pdf_and_refuses_a_disguised_file(english):
    spec = FormFieldFactory(type=T.FILE, code="scan")
    good = make_form(spec.service, {}, {"f_scan": upload(pdf_bytes())})
    assert good.is_valid()
    kwargs = good.submit_kwargs()
    assert kwargs["documents"][0][0] == "scan"
    fake = make_form(spec.service, {}, {"f_scan": upload(b"MZ\x90\x00 not a pdf", "scan.pdf")})
    assert "not a PDF, JPEG or PNG" in fake.errors["f_scan"][0]


def test_the_urgent_box_appears_only_where_the_law_sets_a_short_term():
    assert "urgent" not in make_form(ServiceFactory()).fields
    assert "urgent" in make_form(ServiceFactory(urgent_hours=48)).fields


def test_answers_keep_the_question_in_both_languages():
    spec = FormFieldFactory(type=T.TEXT, code="x", label_uk="Адреса", label_en="Address")
    form = make_form(spec.service, {"f_x": "вул. Соборна, 1"})
    assert form.is_valid()
    assert form.submit_kwargs()["answers"] == [
        {
            "code": "x",
            "type": "text",
            "label": {"uk": "Адреса", "en": "Address"},
            "value": "вул. Соборна, 1",
        }
    ]


def test_an_image_is_accepted_in_a_file_field():
    spec = FormFieldFactory(type=T.FILE, code="photo")
    form = make_form(
        spec.service, {}, {"f_photo": upload(image_bytes("PNG"), "p.png", "image/png")}
    )
    assert form.is_valid()
    assert form.cleaned_data["f_photo"].kind == "png"
