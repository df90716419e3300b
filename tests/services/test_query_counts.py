"""Issue 20: the e-services' pages make as many queries at 30 rows as at 3, and at most 10.

The pattern and the helper are in tests/query_counts.py. Services carry a
category and centres with opening hours and exceptions; a resident's
applications carry documents, their visits a service and a centre.
"""

import datetime as dt

import pytest
from django.utils import timezone

from services.models import CentreException
from services.services.appointments import appointment_book, appointment_cancel
from tests.query_counts import assert_flat, counts_at_growing_data

from .factories import (
    FormFieldFactory,
    ServiceCategoryFactory,
    ServiceCentreFactory,
    ServiceFactory,
    pdf_bytes,
    submit,
    upload,
)

pytestmark = pytest.mark.django_db

VIEWERS = ["anonymous", "resident"]


def add_centres(n: int) -> list:
    """n centres open every day, each with an exception (an outage) tomorrow."""
    centres = ServiceCentreFactory.create_batch(n)
    CentreException.objects.bulk_create(
        CentreException(
            centre=centre,
            date=timezone.localdate() + dt.timedelta(days=1),
            reason="outage",
            note_uk="Лише генератор",
            note_en="Generator only",
        )
        for centre in centres
    )
    return centres


def add_services(n: int, *, department) -> list:
    """n services, each of its own category, with two form fields and a centre."""
    services = []
    for _ in range(n):
        service = ServiceFactory(
            category=ServiceCategoryFactory(), department=department, centres=add_centres(1)
        )
        FormFieldFactory.create_batch(2, service=service)
        services.append(service)
    return services


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_catalogue_does_not_grow(request, client_for, cnap, viewer):
    client = client_for(request.getfixturevalue(viewer))
    seed = lambda n: add_services(n, department=cnap)  # noqa: E731
    assert_flat(counts_at_growing_data(client, "/services/", seed=seed))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_service_page_does_not_grow(request, client_for, cnap, viewer):
    """More centres (hours, exceptions) and form fields on the service, more services about."""
    (service,) = add_services(1, department=cnap)

    def seed(n):
        service.centres.add(*add_centres(n))
        FormFieldFactory.create_batch(n, service=service)
        add_services(n, department=cnap)

    client = client_for(request.getfixturevalue(viewer))
    assert_flat(counts_at_growing_data(client, service.get_absolute_url(), seed=seed))


def test_my_services_do_not_grow(client_for, resident, cnap):
    """Applications with a document each, and visits booked (then cancelled: three may wait)."""
    centre = ServiceCentreFactory()
    day = timezone.localdate() + dt.timedelta(days=1)
    booked = []

    def seed(n):
        for service in add_services(n, department=cnap):
            submit(resident, service, documents=[("scan", upload(pdf_bytes()))])
            service.centres.add(centre)
            slot = len(booked)
            starts_at = dt.datetime.combine(
                day + dt.timedelta(days=slot // 16),
                dt.time(9 + slot % 16 // 2, 30 * (slot % 2)),
                tzinfo=timezone.get_current_timezone(),
            )
            appointment = appointment_book(
                resident=resident, service=service, centre=centre, starts_at=starts_at
            )
            booked.append(appointment_cancel(appointment=appointment, by=resident))

    assert_flat(counts_at_growing_data(client_for(resident), "/me/services/", seed=seed))


def test_an_application_page_does_not_grow_for_its_applicant(client_for, resident, officer, cnap):
    """Messages both ways and the events they leave; files on some (an application
    takes a bounded number)."""
    from services.services.applications import application_message

    (service,) = add_services(1, department=cnap)
    application = submit(resident, service, documents=[("scan", upload(pdf_bytes()))])

    def seed(n):
        for i in range(n):
            application_message(
                application=application,
                author=resident,
                body=f"Додаю довідку {i}",
                documents=[upload(pdf_bytes(), f"d{i}.pdf")] if i == 0 else [],
            )
            application_message(
                application=application, author=officer, body=f"Дякуємо {i}", documents=[]
            )

    url = f"/services/applications/{application.reference}/"
    assert_flat(counts_at_growing_data(client_for(resident), url, seed=seed))
