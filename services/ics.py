"""An .ics calendar file for a booked visit (icalendar)."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event


def appointment_ics(appointment) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//My City Kherson//e-services//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{appointment.pk}@{settings.SITE_URL.split('://', 1)[-1]}")
    event.add("dtstamp", timezone.now())
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add(
        "summary",
        _("Visit to %(centre)s: %(service)s")
        % {"centre": appointment.centre.name, "service": appointment.service.name},
    )
    event.add("location", f"{appointment.centre.name}, {appointment.centre.address}")
    event.add(
        "description",
        _("Booking code %(code)s. Bring your ID and the documents the service needs. %(url)s")
        % {"code": appointment.code, "url": settings.SITE_URL + appointment.get_absolute_url()},
    )
    event.add("geo", (appointment.centre.latitude, appointment.centre.longitude))
    event.add("status", "CANCELLED" if appointment.status == "cancelled" else "CONFIRMED")
    calendar.add_component(event)
    return calendar.to_ical()
