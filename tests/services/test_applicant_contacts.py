"""The applicant's contacts on an application's admin page: for its officers, recorded."""

import pytest
from django.urls import reverse

from citizens.models import ContactDisclosure

from .factories import ServiceFactory, submit

pytestmark = pytest.mark.django_db

PHONE = "+380501234567"


@pytest.fixture
def application(resident, service):
    resident.phone = PHONE
    resident.save(update_fields=["phone"])
    return submit(resident, service)


def change_url(application):
    return reverse("admin:services_application_change", args=[application.pk])


def test_handling_officer_sees_the_applicants_contacts(client_for, officer, application, resident):
    response = client_for(officer).get(change_url(application))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="applicant-contacts"' in html
    assert resident.email in html
    assert PHONE in html


def test_the_display_is_recorded(client_for, officer, application, resident):
    client_for(officer).get(change_url(application))

    record = ContactDisclosure.objects.get()
    assert (record.viewer, record.person, record.case) == (
        officer,
        resident,
        f"services.application {application.reference}",
    )


def test_officer_of_another_department_gets_neither_page_nor_contacts(
    client_for, other_officer, resident
):
    theirs = submit(resident, ServiceFactory())

    response = client_for(other_officer).get(change_url(theirs))

    assert response.status_code == 302
    assert resident.email not in response.content.decode()
    assert not ContactDisclosure.objects.exists()


def test_application_list_does_not_show_the_applicants_email(client_for, officer, service):
    from tests.factories import UserFactory

    nameless = UserFactory(full_name="", email="nameless@example.com")
    submit(nameless, service)

    html = client_for(officer).get(reverse("admin:services_application_changelist")).content
    assert b"nameless@example.com" not in html


def test_officer_verifies_the_applicant_from_the_application(
    client_for, officer, application, resident
):
    client = client_for(officer)
    assert b"verify-applicant" in client.get(change_url(application)).content

    response = client.post(
        reverse("admin:services_application_verify_applicant", args=[application.pk])
    )

    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.is_verified_resident
    assert resident.verified_by == officer


def test_officer_of_another_department_cannot_verify_the_applicant(
    client_for, other_officer, application, resident
):
    response = client_for(other_officer).post(
        reverse("admin:services_application_verify_applicant", args=[application.pk])
    )

    assert response.status_code == 404
    resident.refresh_from_db()
    assert not resident.is_verified_resident


def test_staff_without_the_verify_permission_cannot_verify(client_for, application, resident, cnap):
    from tests.conftest import _staff

    colleague = _staff("department_staff", email="colleague@example.com")
    cnap.members.add(colleague)

    response = client_for(colleague).post(
        reverse("admin:services_application_verify_applicant", args=[application.pk])
    )

    assert response.status_code == 403
    resident.refresh_from_db()
    assert not resident.is_verified_resident


def test_visit_lists_do_not_show_the_residents_email(
    client_for, officer, service, centre, tomorrow_10
):
    from services.services import appointment_book
    from tests.factories import UserFactory

    nameless = UserFactory(full_name="", email="nameless@example.com")
    visit = appointment_book(
        resident=nameless, service=service, centre=centre, starts_at=tomorrow_10
    )
    client = client_for(officer)

    listing = client.get(reverse("admin:services_appointment_changelist")).content
    day = client.get(
        reverse("admin:services_appointment_day"), {"date": tomorrow_10.date().isoformat()}
    ).content
    assert visit.code.encode() in listing
    assert visit.code.encode() in day
    assert b"nameless@example.com" not in listing
    assert b"nameless@example.com" not in day
