"""A resident applies for public information with an attachment, then books a visit,
on a phone-sized screen, in Ukrainian and in English."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from fpdf import FPDF
from playwright.sync_api import expect

from citizens.roles import roles_sync
from services import demo
from services.models import Application, Appointment, Service, ServiceCentre
from services.services import free_times
from tests.factories import PASSWORD, DepartmentFactory, UserFactory, verify_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "uk": {
        "apply": "Подати заяву онлайн",
        "submit": "Подати заяву",
        "received": "отримано",
        "book": "Записатися на цей час",
        "booked": "Вас записано",
    },
    "en": {
        "apply": "Apply online",
        "submit": "Submit the application",
        "received": "is received",
        "book": "Book this time",
        "booked": "Your visit is booked",
    },
}


@pytest.fixture
def catalogue(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "mycity.lib.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    from django.utils.functional import empty

    from services.models import private_storage

    private_storage._wrapped = empty
    roles_sync()
    DepartmentFactory(slug="cnap", name_uk="ЦНАП", name_en="TsNAP")
    DepartmentFactory(slug="social", name_uk="Соцзахист", name_en="Social protection")
    demo.seed(stdout=type("Quiet", (), {"write": lambda self, text: None})())
    yield
    private_storage._wrapped = empty


def scan(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(0, 10, "Decision No. 12 of the executive committee")
    path = tmp_path / "decision.pdf"
    pdf.output(str(path))
    return path


def next_free(service, centre):
    for offset in range(1, 15):
        day = timezone.localdate() + dt.timedelta(days=offset)
        times = [t for t in free_times(centre=centre, service=service, day=day) if t["free"]]
        if times:
            return day, times[0]["start"]
    raise AssertionError("no free time in two weeks")


@pytest.mark.parametrize("language", ["uk", "en"])
def test_apply_for_public_information_then_book_a_visit(
    phone_page, live_server, screenshot, catalogue, eager, tmp_path, language
):
    words = TEXT[language]
    resident = UserFactory(email="resident@example.com", preferred_language=language)
    verify_email(resident)
    page = phone_page

    page.goto(f"{live_server.url}/accounts/login/?next=/services/")
    page.fill("#id_login", resident.email)
    page.fill("#id_password", PASSWORD)
    page.locator('form[action^="/accounts/login/"] button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/services/$"))
    screenshot(page, f"{language}-1-catalogue")

    public_info = Service.objects.get(slug="public-information-request")
    page.locator(f'a[href="{public_info.get_absolute_url()}"]').click()
    screenshot(page, f"{language}-2-service")
    page.get_by_role("link", name=words["apply"]).click()

    expect(page.locator("#id_f_request")).to_be_visible()
    # Sending it empty: the server explains and keeps the page.
    page.get_by_role("button", name=words["submit"]).click()
    expect(page.locator("#form-errors")).to_be_visible()
    screenshot(page, f"{language}-3-form-errors")

    page.fill(
        "#id_f_request",
        "Копію рішення виконавчого комітету № 12 про ремонт укриттів у Корабельному районі.",
    )
    page.locator('input[name="f_answer_by"][value="0"]').check()
    page.set_input_files("#id_f_attachment", str(scan(tmp_path)))
    screenshot(page, f"{language}-4-form-filled")
    page.get_by_role("button", name=words["submit"]).click()

    application = Application.objects.get(applicant=resident)
    expect(page).to_have_url(re.compile(re.escape(application.get_absolute_url()) + "$"))
    expect(page.locator(".alert-success")).to_contain_text(words["received"])
    expect(page.get_by_text("decision.pdf").first).to_be_visible()
    screenshot(page, f"{language}-5-application")
    assert application.documents.get().kind == "pdf"

    certificate = Service.objects.get(slug="registered-persons-certificate")
    centre = ServiceCentre.objects.get(slug="cnap-centre")
    day, start = next_free(certificate, centre)
    page.goto(f"{live_server.url}/services/{certificate.slug}/book/?centre={centre.pk}&day={day}")
    screenshot(page, f"{language}-6-times")
    page.locator(f'input[name="start"][value="{start.isoformat()}"]').check(force=True)
    page.get_by_role("button", name=words["book"]).click()

    appointment = Appointment.objects.get(resident=resident)
    expect(page).to_have_url(re.compile(re.escape(appointment.get_absolute_url()) + "$"))
    expect(page.locator(".alert-success")).to_contain_text(words["booked"])
    expect(page.locator(".booking-code")).to_have_text(appointment.code)
    screenshot(page, f"{language}-7-appointment")

    page.goto(f"{live_server.url}/services/centres/")
    screenshot(page, f"{language}-8-centres")
    assert [e for e in page.errors if "Failed to load resource" not in e] == []
