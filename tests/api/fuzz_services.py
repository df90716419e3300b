"""Data for the schema fuzzing (tests/api/test_schema.py) of the services resources."""

import datetime as dt

from django.utils import timezone


def make_fuzz_data(*, resident, other_resident) -> None:
    """Rows the services resources can answer about, so the fuzzing reaches past empty lists."""
    from services.models import CentreException, FormField
    from services.services import application_message, appointment_book
    from tests.services.factories import (
        FormFieldFactory,
        ServiceCentreFactory,
        ServiceFactory,
        submit,
    )

    centre = ServiceCentreFactory(slug="fuzz-centre")
    CentreException.objects.create(
        centre=centre, date=timezone.localdate() + dt.timedelta(days=2), reason="outage"
    )
    service = ServiceFactory(slug="fuzz-service", centres=[centre], urgent_hours=48)
    for kind, extra in [
        (FormField.Type.TEXT, {"code": "name"}),
        (FormField.Type.CHOICE, {"code": "choice", "choices": "Один\nДва"}),
        (FormField.Type.YES_NO, {"code": "agree"}),
        (FormField.Type.DATE, {"code": "day", "required": False, "min_value": 0}),
        (FormField.Type.NUMBER, {"code": "count", "required": False, "max_value": 10}),
        (FormField.Type.FILE, {"code": "scan", "required": False}),
    ]:
        FormFieldFactory(service=service, type=kind, **extra)
    ServiceFactory(slug="fuzz-offline", online=False, bookable=False)
    mine = submit(resident, service)
    application_message(application=mine, author=resident, body="Питання")
    submit(other_resident, service)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for person, hour in ((resident, 10), (other_resident, 11)):
        appointment_book(
            resident=person,
            service=service,
            centre=centre,
            starts_at=dt.datetime.combine(
                tomorrow, dt.time(hour, 0), tzinfo=timezone.get_current_timezone()
            ),
        )
