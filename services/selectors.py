"""Reads shared by the web pages and the API.

One helper per object type that depends on who asks (404 otherwise), and the
reads that span several models: the centres with their hours for "open now",
and the days a visit can be booked at a centre.
"""

import datetime as dt

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from citizens.access import has_staff_powers

from . import calendar
from .models import (
    Application,
    ApplicationMessage,
    Appointment,
    CentreException,
    Document,
    Weekday,
    officer_scope,
)
from .services import booking_days


def _officer_may_view(user) -> bool:
    return has_staff_powers(user) and user.has_perm("services.view_application")


def get_application_for_user(user, reference: str) -> Application:
    """The application if `user` is its applicant or an officer of its department."""
    if not user.is_authenticated:
        raise Http404("No such application.")
    queryset = Application.objects.select_related(
        "service", "service__category", "department", "applicant"
    ).prefetch_related(
        "events__actor",
        Prefetch(
            "messages",
            queryset=ApplicationMessage.objects.select_related("author").prefetch_related(
                "documents"
            ),
        ),
        "documents",
    )
    application = queryset.filter(reference=reference).first()
    if application is None:
        raise Http404("No such application.")
    if application.applicant_id == user.pk:
        return application
    if (
        _officer_may_view(user)
        and officer_scope(Application.objects.filter(pk=application.pk), user).exists()
    ):
        return application
    raise Http404("No such application.")


def get_document_for_user(user, document_id) -> Document:
    """A document for its applicant and the responsible department's officers only."""
    if not user.is_authenticated:
        raise Http404("No such document.")
    document = Document.objects.select_related("application").filter(pk=document_id).first()
    if document is None:
        raise Http404("No such document.")
    application = document.application
    if application.applicant_id == user.pk:
        return document
    if (
        _officer_may_view(user)
        and officer_scope(Application.objects.filter(pk=application.pk), user).exists()
    ):
        return document
    raise Http404("No such document.")


def get_appointment_for_user(user, code: str) -> Appointment:
    if not user.is_authenticated:
        raise Http404("No such appointment.")
    appointment = (
        Appointment.objects.select_related("service", "centre", "resident")
        .filter(code=code)
        .first()
    )
    if appointment is None:
        raise Http404("No such appointment.")
    if appointment.resident_id == user.pk:
        return appointment
    if (
        has_staff_powers(user)
        and officer_scope(Appointment.objects.filter(pk=appointment.pk), user).exists()
    ):
        return appointment
    raise Http404("No such appointment.")


# --- centres and their hours ----------------------------------------------------


def _with_hours(queryset, days: int):
    today = timezone.localdate()
    return queryset.prefetch_related(
        "hours",
        Prefetch(
            "exceptions",
            queryset=CentreException.objects.filter(
                date__gte=today, date__lte=today + dt.timedelta(days=days)
            ),
        ),
    )


def _annotate_hours(centre, now) -> None:
    hours = list(centre.hours.all())
    exceptions = list(centre.exceptions.all())
    today = timezone.localdate(now)
    centre.open_now = calendar.is_open_at(centre, now, hours=hours, exceptions=exceptions)
    centre.today = calendar.periods_on(centre, today, hours=hours, exceptions=exceptions)
    centre.week = [
        (Weekday(day).label, [(h.opens, h.closes) for h in hours if h.weekday == day])
        for day in range(7)
    ]
    centre.upcoming_exceptions = exceptions
    centre.today_exception = calendar.exception_on(today, exceptions)


def centres_with_hours(queryset, *, days: int = 7) -> list:
    """The centres of `queryset` with their opening hours worked out, in three queries.

    Each centre gets `open_now`, `today` (today's opening periods), `week`
    (the weekly periods by weekday name), `upcoming_exceptions` (the next
    `days` days that differ: holidays, outages) and `today_exception`: what
    the centres page, a service's page and the API show.
    """
    items = list(_with_hours(queryset, days))
    now = timezone.now()
    for centre in items:
        _annotate_hours(centre, now)
    return items


def centre_booking_days(centre, *, hours, exceptions) -> list[dict]:
    """The days a visit can be booked (services.booking_days) at `centre`.

    One dict per day: `day`, `open` (the centre has opening periods that day)
    and `exception` (the CentreException that changes the day, or None).
    `hours` and `exceptions` are the centre's, already fetched, so that the
    booking page and the API's free times ask the database once.
    """
    result = []
    for day in booking_days():
        periods = calendar.periods_on(centre, day, hours=hours, exceptions=exceptions)
        exception = calendar.exception_on(day, exceptions)
        result.append({"day": day, "open": bool(periods), "exception": exception})
    return result
