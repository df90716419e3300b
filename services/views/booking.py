"""Booking a visit to a service centre, and the resident's appointment page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mycity.lib.ratelimit import rate_limited

from .. import calendar, selectors
from ..downloads import calendar_response
from ..forms import BookingForm
from ..models import Service
from ..services import (
    ServiceError,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    booking_days,
    free_times,
    why_closed,
)


def _booking_page(request, service, *, appointment=None):
    centres = list(service.centres.filter(is_active=True).prefetch_related("hours"))
    data = request.POST if request.method == "POST" else request.GET
    initial = {"day": timezone.localdate()}
    if appointment is not None:
        initial["centre"] = appointment.centre_id
    form = BookingForm(data or None, centres=centres, initial=initial)
    if not data and len(centres) >= 1:
        form = BookingForm(
            {"centre": initial.get("centre") or centres[0].pk, "day": initial["day"]},
            centres=centres,
        )
    error = ""
    if request.method == "POST":
        starts_at = parse_datetime(request.POST.get("start", ""))
        if form.is_valid() and starts_at is not None and timezone.is_aware(starts_at):
            centre = form.cleaned_data["centre"]
            try:
                if appointment is None:
                    appointment = appointment_book(
                        resident=request.user,
                        service=service,
                        centre=centre,
                        starts_at=starts_at,
                        note=request.POST.get("note", ""),
                    )
                    messages.success(
                        request, _("Your visit is booked. We will remind you the day before.")
                    )
                else:
                    appointment = appointment_reschedule(
                        appointment=appointment, by=request.user, starts_at=starts_at, centre=centre
                    )
                    messages.success(request, _("Your visit is moved to the new time."))
            except ServiceError as exc:
                error = str(exc)
            else:
                return redirect(appointment)
        elif form.is_valid():
            error = _("Choose a time.")
    times, days, closed = [], [], ""
    centre = day = None
    if form.is_valid():
        centre, day = form.cleaned_data["centre"], form.cleaned_data["day"]
        window = booking_days()
        hours = list(centre.hours.all())
        exceptions = list(centre.exceptions.filter(date__gte=window[0], date__lte=window[-1]))
        days = selectors.centre_booking_days(centre, hours=hours, exceptions=exceptions)
        if day < timezone.localdate():
            form.add_error("day", _("This day has passed. Choose today or a later day."))
        elif day > days[-1]["day"]:
            form.add_error(
                "day",
                _("Visits can be booked up to %(n)d days ahead.") % {"n": len(days) - 1},
            )
        else:
            times = free_times(
                centre=centre, service=service, day=day, hours=hours, exceptions=exceptions
            )
            if not times:
                if calendar.slot_times(centre, day, hours=hours, exceptions=exceptions):
                    closed = _("No more visits can be booked on this day. Choose another day.")
                else:
                    closed = why_closed(centre=centre, day=day)
    return render(
        request,
        "services/book.html",
        {
            "service": service,
            "form": form,
            "centre": centre,
            "day": day,
            "days": days,
            "times": times,
            "any_free": any(t["free"] for t in times),
            "closed": closed,
            "error": error,
            "appointment": appointment,
            "chosen": request.POST.get("start", ""),
        },
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("booking")
def book(request, slug):
    service = get_object_or_404(Service.objects.active(), slug=slug)
    if not service.bookable:
        messages.info(request, _("Visits for this service cannot be booked."))
        return redirect(service)
    return _booking_page(request, service)


@login_required
@require_GET
def appointment_detail(request, code):
    appointment = selectors.get_appointment_for_user(request.user, code)
    return render(
        request,
        "services/appointment.html",
        {"appointment": appointment, "is_resident": appointment.resident_id == request.user.pk},
    )


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("booking")
def appointment_move(request, code):
    appointment = selectors.get_appointment_for_user(request.user, code)
    if not appointment.is_active or appointment.resident_id != request.user.pk:
        messages.error(request, _("This appointment can no longer be changed."))
        return redirect(appointment)
    return _booking_page(request, appointment.service, appointment=appointment)


@login_required
@require_POST
def appointment_cancel_view(request, code):
    appointment = selectors.get_appointment_for_user(request.user, code)
    try:
        appointment_cancel(appointment=appointment, by=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your visit is cancelled."))
    return redirect(appointment)


@login_required
@require_GET
def appointment_calendar(request, code):
    return calendar_response(selectors.get_appointment_for_user(request.user, code))
