"""The e-services API: a person's visits to a centre: book, move, cancel, the calendar file."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from services.models import (
    Appointment,
    CentreException,
    Slot,
)
from services.services import appointment_book, appointment_cancel
from tests.api.services_fixtures import (
    V1,
    app_for,
    at,
    centre,
    cnap,
    private_root,
    service,
    uk_client,
)
from tests.concurrency import at_once
from tests.factories import UserFactory
from tests.problems import fields

pytestmark = pytest.mark.django_db
# The shared fixtures (services_fixtures.py): pytest finds them by their names here.
FIXTURES = (centre, cnap, private_root, service)


# --- appointments -------------------------------------------------------------


def _book(client, when, **change):
    body = {"service": "certificate", "centre": "main", "starts_at": when.isoformat(), **change}
    return client.post(f"{V1}/appointments/", body, format="json")


def test_appointments_need_a_signed_in_person(api, service):
    assert api.get(f"{V1}/appointments/").status_code in (401, 403)
    assert _book(api, at(1, 10)).status_code in (401, 403)
    assert not Appointment.objects.exists()


def test_booking_a_visit(api_for, resident, service, centre):
    response = _book(api_for(resident), at(1, 10), centre=str(centre.pk), note="З дитиною")
    assert response.status_code == 201, response.json()
    data = response.json()
    appointment = Appointment.objects.get()
    assert (appointment.resident, appointment.note) == (resident, "З дитиною")
    assert data["code"] == appointment.code
    assert data["starts_at"] == at(1, 10).isoformat()
    assert data["centre"]["slug"] == "main"
    assert data["ics_url"] == f"http://testserver{V1}/appointments/{appointment.code}/calendar/"
    assert data["web_ics_url"] == (
        f"http://testserver/services/appointments/{appointment.code}/visit.ics"
    )
    assert Slot.objects.get().booked == 1


def test_a_double_submit_books_once(api_for, resident, service):
    client = api_for(resident)
    assert _book(client, at(1, 10)).status_code == 201
    again = _book(client, at(1, 10))
    assert again.status_code == 400
    assert again.json()["detail"] == "You have already booked this time."
    assert Appointment.objects.count() == 1
    assert Slot.objects.get().booked == 1


def test_the_last_place_goes_to_one_person_only(api_for, resident, other_resident, service, centre):
    centre.slot_capacity = 1
    centre.save()
    assert _book(api_for(other_resident), at(1, 10)).status_code == 201
    response = _book(api_for(resident), at(1, 10))
    assert response.status_code == 400
    assert "fully booked" in response.json()["detail"]
    assert Slot.objects.get().booked == 1


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (lambda: at(2, 10), "closed"),  # an outage that day
        (lambda: at(1, 10, 15), "no visits at this time"),  # off the grid
        (lambda: at(1, 20), "no visits at this time"),  # after closing
        (lambda: at(-1, 10), "already passed"),
        (lambda: at(settings.SERVICES_BOOKING_DAYS_AHEAD + 1, 10), "days ahead"),
    ],
)
def test_closed_or_impossible_times_are_400_with_the_reason(
    api_for, resident, service, centre, when, message
):
    CentreException.objects.create(centre=centre, date=at(2, 10).date(), reason="outage")
    response = _book(api_for(resident), when())
    assert response.status_code == 400
    assert message in response.json()["detail"]
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service": "nope"}, "service"),
        ({"centre": "nope"}, "centre"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"centre": ""}, "centre"),
    ],
)
def test_booking_input_errors_by_field(api_for, resident, service, change, field):
    response = _book(api_for(resident), at(1, 10), **change)
    assert response.status_code == 400
    assert field in fields(response)


def test_a_service_without_visits_cannot_be_booked(api_for, resident, service):
    service.bookable = False
    service.save()
    response = _book(api_for(resident), at(1, 10))
    assert response.status_code == 400
    assert response.json()["detail"] == "Visits for this service cannot be booked."


def test_my_appointments_upcoming_first(api_for, resident, other_resident, service, centre):
    later = appointment_book(resident=resident, service=service, centre=centre, starts_at=at(3, 9))
    soon = appointment_book(resident=resident, service=service, centre=centre, starts_at=at(1, 9))
    cancelled = appointment_book(
        resident=resident, service=service, centre=centre, starts_at=at(2, 9)
    )
    appointment_cancel(appointment=cancelled, by=resident)
    appointment_book(resident=other_resident, service=service, centre=centre, starts_at=at(1, 9))
    rows = api_for(resident).get(f"{V1}/appointments/").json()["results"]
    assert [r["code"] for r in rows] == [soon.code, later.code, cancelled.code]
    assert [r["status"] for r in rows] == ["booked", "booked", "cancelled"]
    assert rows[2]["status_label"] == "Cancelled"
    assert rows[2]["is_active"] is False


@pytest.mark.parametrize("count", [1, 8])
def test_my_appointments_make_a_fixed_number_of_queries(
    api_for, resident, service, centre, count, django_assert_num_queries
):
    for n in range(count):
        appointment = appointment_book(
            resident=resident, service=service, centre=centre, starts_at=at(1, 9 + n)
        )
        appointment_cancel(appointment=appointment, by=resident)  # past the limit of three
    client = api_for(resident)
    with django_assert_num_queries(2):
        assert len(client.get(f"{V1}/appointments/").json()["results"]) == count
    with django_assert_num_queries(1):
        client.get(f"{V1}/appointments/{appointment.code}/")


def test_someone_elses_appointment_is_404(api_for, resident, other_resident, service, centre):
    appointment = appointment_book(
        resident=resident, service=service, centre=centre, starts_at=at(1, 10)
    )
    client = api_for(other_resident)
    base = f"{V1}/appointments/{appointment.code}"
    assert client.get(f"{base}/").status_code == 404
    assert client.post(f"{base}/cancel/").status_code == 404
    body = {"starts_at": at(1, 11).isoformat()}
    assert client.post(f"{base}/reschedule/", body, format="json").status_code == 404
    assert Appointment.objects.get().status == "booked"
    assert api_for(resident).get(f"{base}/").json()["code"] == appointment.code


def test_cancelling_gives_the_place_back(api_for, resident, service, centre):
    appointment = appointment_book(
        resident=resident, service=service, centre=centre, starts_at=at(1, 10)
    )
    client = api_for(resident)
    response = client.post(f"{V1}/appointments/{appointment.code}/cancel/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["is_active"]) == ("cancelled", False)
    assert Slot.objects.get().booked == 0
    again = client.post(f"{V1}/appointments/{appointment.code}/cancel/")
    assert again.status_code == 400
    assert again.json()["detail"] == "This appointment is no longer booked."


def test_rescheduling_takes_the_new_place_and_frees_the_old(api_for, resident, service, centre):
    appointment = appointment_book(
        resident=resident, service=service, centre=centre, starts_at=at(1, 10)
    )
    client = api_for(resident)
    url = f"{V1}/appointments/{appointment.code}/reschedule/"
    response = client.post(url, {"starts_at": at(1, 14).isoformat()}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["starts_at"] == at(1, 14).isoformat()
    assert dict(Slot.objects.values_list("starts_at", "booked")) == {at(1, 10): 0, at(1, 14): 1}
    same = client.post(url, {"starts_at": at(1, 14).isoformat()}, format="json")
    assert same.status_code == 400
    assert (
        client.post(url, {"starts_at": at(1, 14).isoformat(), "centre": "nope"}).status_code == 400
    )
    client.post(f"{V1}/appointments/{appointment.code}/cancel/")
    moved = client.post(url, {"starts_at": at(1, 15).isoformat()}, format="json")
    assert moved.status_code == 400
    assert moved.json()["detail"] == "This appointment can no longer be changed."


def test_appointment_texts_in_ukrainian(resident, service, centre):
    appointment_book(resident=resident, service=service, centre=centre, starts_at=at(1, 10))
    row = uk_client(resident).get(f"{V1}/appointments/").json()["results"][0]
    assert (row["status_label"], row["centre"]["name"]) == ("Заброньовано", "ЦНАП Центр")


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="concurrent transactions need PostgreSQL (set DATABASE_URL)",
)
def test_two_people_booking_the_last_place_at_once_through_the_api(service, centre):
    centre.slot_capacity = 1
    centre.save()
    people = UserFactory.create_batch(2)

    def booking(person):
        def book():
            client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
            client.force_authenticate(person)
            return _book(client, at(1, 10)).status_code

        return book

    codes, errors = at_once([booking(p) for p in people])
    assert errors == []
    assert sorted(codes) == [201, 400]
    assert Slot.objects.get().booked == 1
    assert Appointment.objects.count() == 1


# --- the calendar file, with the API's sign-in -----------------------------------------


def test_an_app_downloads_the_calendar_file_with_its_session_token(resident, service, centre):
    appointment = appointment_book(
        resident=resident, service=service, centre=centre, starts_at=at(1, 10)
    )
    app = app_for(resident)
    url = app.get(f"{V1}/appointments/{appointment.code}/").json()["ics_url"]
    response = app.get(url, HTTP_ACCEPT="text/calendar")  # no 406
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.content.startswith(b"BEGIN:VCALENDAR")
    assert appointment.code.encode() in response.content
    assert response["Content-Disposition"] == (
        f'attachment; filename="visit-{appointment.code}.ics"'
    )
    assert response["Cache-Control"] == "private, no-store"


def test_someone_elses_calendar_file_is_404_and_anonymous_401(
    api, resident, other_resident, service, centre
):
    appointment = appointment_book(
        resident=resident, service=service, centre=centre, starts_at=at(1, 10)
    )
    url = f"{V1}/appointments/{appointment.code}/calendar/"
    other = app_for(other_resident).get(url, HTTP_ACCEPT="text/calendar")
    assert other.status_code == 404
    assert other["Content-Type"] == "application/problem+json"
    assert app_for(resident).get(f"{V1}/appointments/NOSUCH/calendar/").status_code == 404
    anonymous = api.get(url, HTTP_ACCEPT="text/calendar")
    assert anonymous.status_code in (401, 403)
    assert anonymous["Content-Type"] == "application/problem+json"
