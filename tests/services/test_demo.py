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
    assert Application.objects.count() == applications == 1
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
