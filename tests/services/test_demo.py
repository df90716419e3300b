"""The demo data loads, twice, with the three worked examples of the issue."""

import io

import pytest
from django.core.management import call_command

from services.models import Application, Appointment, FormField, Service, ServiceCentre

pytestmark = pytest.mark.django_db


def test_seed_demo_is_idempotent_and_has_the_worked_examples():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Service.objects.count(), FormField.objects.count(), ServiceCentre.objects.count())
    applications = Application.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        Service.objects.count(),
        FormField.objects.count(),
        ServiceCentre.objects.count(),
    ) == counts
    assert Application.objects.count() == applications == 2
    assert Appointment.objects.count() <= 1

    public_info = Service.objects.get(slug="public-information-request")
    assert (public_info.processing_days, public_info.urgent_hours, public_info.extension_days) == (
        5,
        48,
        20,
    )
    assert Service.objects.get(slug="personal-reception").online
    certificate = Service.objects.get(slug="registered-persons-certificate")
    kinds = set(certificate.fields.values_list("type", flat=True))
    assert {"file", "date", "number", "choice", "yes_no", "text"} <= kinds
    assert ServiceCentre.objects.count() == 3


def test_seed_demo_has_a_request_by_post_without_an_account():
    from services.models import ApplicationEvent
    from services.services import needs_post
    from services.workflow import Action

    call_command("seed_demo", stdout=io.StringIO())

    request = Application.objects.get(applicant=None)
    assert request.service.public_information
    assert request.requester.email == ""
    assert "Херсон" in request.requester.postal_address
    assert needs_post(request)
    assert request.extended_at is not None
    letter = ApplicationEvent.objects.get(application=request, action=Action.POSTED)
    assert "продовження строку" in letter.reason
