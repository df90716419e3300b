"""Booking a visit: free times, refusals with reasons, cancel, reschedule, .ics."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from citizens.notifications.models import Notification
from services.models import Appointment, CentreException, Slot
from services.services import (
    ServiceError,
    appointment_book,
    appointment_cancel,
    appointment_mark,
    appointment_reschedule,
    free_times,
)

from .factories import ServiceCentreFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def book(resident, service, centre, when, **kwargs):
    return appointment_book(
        resident=resident, service=service, centre=centre, starts_at=when, **kwargs
    )


def test_booking_takes_a_seat_and_tells_the_resident(resident, service, centre, tomorrow_10):
    appointment = book(resident, service, centre, tomorrow_10, note="Потрібен перекладач")
    slot = Slot.objects.get()
    assert (slot.capacity, slot.booked) == (2, 1)
    assert appointment.starts_at == tomorrow_10
    assert appointment.ends_at == tomorrow_10 + dt.timedelta(minutes=30)
    assert appointment.department == service.department
    assert len(appointment.code) == 8
    told = Notification.objects.get(event="services.appointment_booked")
    assert told.recipient == resident
    assert told.context["code"] == appointment.code


def test_a_full_slot_is_refused_with_an_explanation(
    resident, other_resident, service, centre, tomorrow_10, english
):
    centre.slot_capacity = 1
    centre.save()
    book(resident, service, centre, tomorrow_10)
    with pytest.raises(ServiceError, match="fully booked"):
        book(other_resident, service, centre, tomorrow_10)
    assert Slot.objects.get().booked == 1


def test_a_past_time_is_refused(resident, service, centre, english):
    yesterday = timezone.now() - dt.timedelta(days=1)
    with pytest.raises(ServiceError, match="already passed"):
        book(resident, service, centre, yesterday.replace(minute=0, second=0, microsecond=0))


def test_a_closed_day_is_refused_with_its_reason(resident, service, centre, tomorrow_10, english):
    CentreException.objects.create(
        centre=centre, date=tomorrow_10.date(), reason="outage", note_en="No power"
    )
    with pytest.raises(ServiceError, match=r"closed on .*Power outage: No power"):
        book(resident, service, centre, tomorrow_10)


def test_a_time_off_the_grid_is_refused(resident, service, centre, tomorrow_10, english):
    with pytest.raises(ServiceError, match="no visits at this time"):
        book(resident, service, centre, tomorrow_10 + dt.timedelta(minutes=7))
    with pytest.raises(ServiceError, match="no visits at this time"):
        book(resident, service, centre, tomorrow_10.replace(hour=20))


def test_too_far_ahead_is_refused(resident, service, centre, tomorrow_10, settings, english):
    settings.SERVICES_BOOKING_DAYS_AHEAD = 3
    with pytest.raises(ServiceError, match="up to 3 days ahead"):
        book(resident, service, centre, tomorrow_10 + dt.timedelta(days=5))


def test_a_centre_that_does_not_provide_the_service_is_refused(resident, service, tomorrow_10):
    elsewhere = ServiceCentreFactory()
    with pytest.raises(ServiceError):
        book(resident, service, elsewhere, tomorrow_10)


def test_the_same_person_cannot_book_the_same_time_twice(resident, service, centre, tomorrow_10):
    book(resident, service, centre, tomorrow_10)
    with pytest.raises(ServiceError):
        book(resident, service, centre, tomorrow_10)
    assert Slot.objects.get().booked == 1


def test_nobody_holds_more_than_three_upcoming_visits(resident, service, centre, tomorrow_10):
    for hours in range(3):
        book(resident, service, centre, tomorrow_10 + dt.timedelta(hours=hours))
    with pytest.raises(ServiceError):
        book(resident, service, centre, tomorrow_10 + dt.timedelta(hours=4))


def test_cancelling_gives_the_seat_back(resident, service, centre, tomorrow_10):
    appointment = book(resident, service, centre, tomorrow_10)
    appointment_cancel(appointment=appointment, by=resident)
    assert Slot.objects.get().booked == 0
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED
    with pytest.raises(ServiceError):
        appointment_cancel(appointment=appointment, by=resident)


def test_others_cannot_cancel(
    resident, other_resident, other_officer, service, centre, tomorrow_10
):
    appointment = book(resident, service, centre, tomorrow_10)
    for outsider in (other_resident, other_officer):
        with pytest.raises(ServiceError):
            appointment_cancel(appointment=appointment, by=outsider)


def test_rescheduling_moves_the_seat(resident, service, centre, tomorrow_10):
    appointment = book(resident, service, centre, tomorrow_10)
    later = tomorrow_10 + dt.timedelta(hours=2)
    moved = appointment_reschedule(appointment=appointment, by=resident, starts_at=later)
    assert moved.starts_at == later
    assert moved.pk == appointment.pk
    assert dict(Slot.objects.values_list("starts_at", "booked")) == {tomorrow_10: 0, later: 1}


def test_rescheduling_to_a_full_time_keeps_the_old_one(
    resident, other_resident, service, centre, tomorrow_10
):
    centre.slot_capacity = 1
    centre.save()
    later = tomorrow_10 + dt.timedelta(hours=2)
    book(other_resident, service, centre, later)
    appointment = book(resident, service, centre, tomorrow_10)
    with pytest.raises(ServiceError):
        appointment_reschedule(appointment=appointment, by=resident, starts_at=later)
    assert Appointment.objects.get(pk=appointment.pk).starts_at == tomorrow_10
    assert dict(Slot.objects.values_list("starts_at", "booked")) == {tomorrow_10: 1, later: 1}


def test_free_times_show_the_seats_left(resident, service, centre, tomorrow_10):
    book(resident, service, centre, tomorrow_10)
    times = {
        t["start"]: t["free"]
        for t in free_times(centre=centre, service=service, day=tomorrow_10.date())
    }
    assert times[tomorrow_10] == 1
    assert times[tomorrow_10 + dt.timedelta(minutes=30)] == 2
    assert len(times) == 16  # 09:00–17:00 in 30-minute visits


def test_no_shows_are_marked_by_officers_once_the_visit_started(
    officer, other_officer, resident, service, centre, tomorrow_10
):
    appointment = book(resident, service, centre, tomorrow_10)
    with pytest.raises(ServiceError):
        appointment_mark(appointment=appointment, officer=officer, status="no_show")
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=5)
    )
    appointment.refresh_from_db()
    with pytest.raises(ServiceError):
        appointment_mark(appointment=appointment, officer=other_officer, status="no_show")
    marked = appointment_mark(appointment=appointment, officer=officer, status="no_show")
    assert marked.status == "no_show"
    assert marked.marked_by == officer


# --- pages -------------------------------------------------------------------------


def test_the_booking_page_lists_free_times(client_for, resident, service, centre, tomorrow_10):
    url = reverse("services:book", args=[service.slug])
    response = client_for(resident).get(
        url, {"centre": centre.pk, "day": tomorrow_10.date().isoformat()}
    )
    assert response.status_code == 200
    assert len(response.context["times"]) == 16
    assert 'value="' + tomorrow_10.isoformat() in response.content.decode()


def test_booking_through_the_page(client_for, resident, service, centre, tomorrow_10):
    url = reverse("services:book", args=[service.slug])
    response = client_for(resident).post(
        url,
        {
            "centre": centre.pk,
            "day": tomorrow_10.date().isoformat(),
            "start": tomorrow_10.isoformat(),
        },
    )
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == appointment.get_absolute_url()


def test_a_full_time_through_the_page_explains_and_keeps_the_day(
    client_for, resident, other_resident, service, centre, tomorrow_10
):
    centre.slot_capacity = 1
    centre.save()
    book(other_resident, service, centre, tomorrow_10)
    response = client_for(resident).post(
        reverse("services:book", args=[service.slug]),
        {
            "centre": centre.pk,
            "day": tomorrow_10.date().isoformat(),
            "start": tomorrow_10.isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.context["error"]
    assert response.context["day"] == tomorrow_10.date()


def test_a_past_day_on_the_page_is_explained(client_for, resident, service, centre):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client_for(resident).get(
        reverse("services:book", args=[service.slug]), {"centre": centre.pk, "day": yesterday}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["day"]


def test_a_closed_day_on_the_page_is_explained(client_for, resident, service, centre, tomorrow_10):
    CentreException.objects.create(centre=centre, date=tomorrow_10.date(), reason="holiday")
    response = client_for(resident).get(
        reverse("services:book", args=[service.slug]),
        {"centre": centre.pk, "day": tomorrow_10.date().isoformat()},
    )
    assert response.context["closed"]
    assert not response.context["times"]


def test_garbage_in_the_booking_form_is_not_a_500(client_for, resident, service):
    client = client_for(resident)
    url = reverse("services:book", args=[service.slug])
    assert client.get(url, {"centre": "x", "day": "not-a-day"}).status_code == 200
    assert (
        client.post(url, {"centre": "999", "day": "2026-13-01", "start": "yesterday"}).status_code
        == 200
    )


def test_the_appointment_page_cancel_and_move(client_for, resident, service, centre, tomorrow_10):
    appointment = book(resident, service, centre, tomorrow_10)
    client = client_for(resident)
    assert client.get(appointment.get_absolute_url()).status_code == 200
    later = tomorrow_10 + dt.timedelta(hours=1)
    response = client.post(
        reverse("services:move", args=[appointment.code]),
        {"centre": centre.pk, "day": later.date().isoformat(), "start": later.isoformat()},
    )
    assert response.status_code == 302
    assert Appointment.objects.get().starts_at == later
    client.post(reverse("services:cancel", args=[appointment.code]))
    assert Appointment.objects.get().status == "cancelled"


def test_other_residents_cannot_see_an_appointment(
    client_for, other_resident, resident, service, centre, tomorrow_10
):
    appointment = book(resident, service, centre, tomorrow_10)
    client = client_for(other_resident)
    assert client.get(appointment.get_absolute_url()).status_code == 404
    assert client.post(reverse("services:cancel", args=[appointment.code])).status_code == 404
    assert client.get(reverse("services:ics", args=[appointment.code])).status_code == 404


def test_the_ics_file_describes_the_visit(client_for, resident, service, centre, tomorrow_10):
    appointment = book(resident, service, centre, tomorrow_10)
    response = client_for(resident).get(reverse("services:ics", args=[appointment.code]))
    assert response["Content-Type"].startswith("text/calendar")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == tomorrow_10
    assert event.decoded("dtend") == tomorrow_10 + dt.timedelta(minutes=30)
    assert appointment.code in str(event.get("description"))
    assert "ЦНАП Центр" in str(event.get("location"))


def test_services_that_are_not_bookable_send_back(client_for, resident, cnap):
    online_only = ServiceFactory(department=cnap, bookable=False)
    response = client_for(resident).get(reverse("services:book", args=[online_only.slug]))
    assert response.status_code == 302


def test_the_booking_page_query_count_does_not_grow_with_bookings(
    client_for, resident, service, centre, tomorrow_10, django_assert_max_num_queries
):
    from tests.factories import UserFactory

    centre.slot_capacity = 3
    centre.save()
    for n, person in enumerate(UserFactory.create_batch(10)):
        book(person, service, centre, tomorrow_10 + dt.timedelta(minutes=30 * n))
    client = client_for(resident)
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("services:book", args=[service.slug]),
            {"centre": centre.pk, "day": tomorrow_10.date().isoformat()},
        )
    assert sum(1 for t in response.context["times"] if t["free"] == 2) == 10
