"""Booking visits to service centres: free times, book, cancel, reschedule, remind, mark."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.notifications.services import notify
from mycity.lib.i18n import field_in_every_language

from .. import calendar
from ..appointment_workflow import MARKS, OFFICER, RESIDENT, WORKFLOW, Action, allowed, target
from ..models import Appointment, CentreException, Service, ServiceCentre, Slot
from .common import ServiceError, may_process

# A resident may hold this many upcoming visits at once (no hoarding of times).
MAX_UPCOMING = 3
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def booking_days(today: dt.date | None = None) -> list[dt.date]:
    today = today or timezone.localdate()
    return [today + dt.timedelta(days=n) for n in range(settings.SERVICES_BOOKING_DAYS_AHEAD + 1)]


def free_times(
    *, centre: ServiceCentre, service: Service, day: dt.date, hours=None, exceptions=None
) -> list[dict]:
    """The day's visit times at `centre` for `service`: start, end, free seats.

    At most three queries whatever the day holds: the centre's hours and the
    day's exception (unless passed in, already fetched), and the day's Slot
    rows at once. Past times are left out.
    """
    hours = list(centre.hours.all()) if hours is None else hours
    if exceptions is None:
        exceptions = list(centre.exceptions.filter(date=day))
    starts = calendar.slot_times(centre, day, hours=hours, exceptions=exceptions)
    if not starts:
        return []
    seats = {
        start: (capacity, booked)
        for start, capacity, booked in Slot.objects.filter(
            centre=centre, service=service, starts_at__gte=starts[0], starts_at__lte=starts[-1]
        ).values_list("starts_at", "capacity", "booked")
    }
    now = timezone.now()
    step = dt.timedelta(minutes=centre.slot_minutes)
    times = []
    for start in starts:
        if start <= now:
            continue
        capacity, booked = seats.get(start, (centre.slot_capacity, 0))
        times.append({"start": start, "end": start + step, "free": max(capacity - booked, 0)})
    return times


def why_closed(*, centre: ServiceCentre, day: dt.date) -> str:
    """Why the centre takes no visits on `day`, in the user's language."""
    exception = CentreException.objects.filter(centre=centre, date=day).first()
    if exception is not None and exception.closed:
        reason = exception.get_reason_display()
        return f"{reason}: {exception.note}" if exception.note else str(reason)
    if calendar.is_holiday(day):
        return _("Public holiday")
    return _("The centre is closed on this day.")


def _check_time(*, centre: ServiceCentre, service: Service, starts_at: dt.datetime) -> None:
    if not service.is_active or not service.bookable:
        raise ServiceError(_("Visits for this service cannot be booked."))
    if not centre.is_active or not service.centres.filter(pk=centre.pk).exists():
        raise ServiceError(_("This centre does not provide this service."))
    now = timezone.now()
    if starts_at <= now:
        raise ServiceError(_("This time has already passed. Choose a later time."))
    day = timezone.localdate(starts_at)
    if day > booking_days()[-1]:
        raise ServiceError(
            _("Visits can be booked up to %(n)d days ahead.")
            % {"n": settings.SERVICES_BOOKING_DAYS_AHEAD}
        )
    hours = list(centre.hours.all())
    exceptions = list(centre.exceptions.filter(date=day))
    starts = calendar.slot_times(centre, day, hours=hours, exceptions=exceptions)
    if not starts:
        raise ServiceError(
            _("The centre is closed on %(day)s (%(why)s). Choose another day.")
            % {"day": day.strftime("%d.%m.%Y"), "why": why_closed(centre=centre, day=day)}
        )
    if starts_at not in starts:
        raise ServiceError(_("The centre takes no visits at this time. Choose one of the times."))


def _take_seat(*, centre: ServiceCentre, service: Service, starts_at: dt.datetime) -> Slot:
    """Take one seat of the slot, or ServiceError when it is full. In a transaction.

    The slot row is created on first use (the unique constraint settles a race);
    the seat is taken by a conditional UPDATE that the CHECK constraint backs.
    """
    slot, _created = Slot.objects.get_or_create(
        centre=centre,
        service=service,
        starts_at=starts_at,
        defaults={
            "ends_at": starts_at + dt.timedelta(minutes=centre.slot_minutes),
            "capacity": centre.slot_capacity,
        },
    )
    taken = Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if not taken:
        raise ServiceError(_("Sorry, this time has just been fully booked. Choose another time."))
    return slot


def _release_seat(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def slot_recount(*, slot_id: int) -> int | None:
    """Set a slot's `booked` to its appointments that hold a seat (the counters check's fix).

    Every appointment but a cancelled one holds its seat (an attended or
    missed visit used it). The slot row is locked first, as a booking's
    conditional UPDATE would lock it. Returns the stored number, or None if
    the slot is gone; more appointments than seats is an IntegrityError
    (the CHECK constraint), for a person to sort out.
    """
    with transaction.atomic():
        if not Slot.objects.select_for_update().filter(pk=slot_id).exists():
            return None
        count = (
            Appointment.objects.filter(slot_id=slot_id)
            .exclude(status=Appointment.Status.CANCELLED)
            .count()
        )
        Slot.objects.filter(pk=slot_id).update(booked=count)
    return count


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def _context(appointment: Appointment) -> dict:
    start = timezone.localtime(appointment.starts_at)
    return {
        "code": appointment.code,
        "service": field_in_every_language(appointment.service, "name"),
        "centre": field_in_every_language(appointment.centre, "name"),
        "address": field_in_every_language(appointment.centre, "address"),
        "when": start.strftime("%d.%m.%Y %H:%M"),
    }


def appointment_book(
    *,
    resident,
    service: Service,
    centre: ServiceCentre,
    starts_at: dt.datetime,
    note: str = "",
) -> Appointment:
    """Book a visit: the time must be a future slot of an open day with a free seat.

    Refuses past times, closed days, times off the centre's grid, full slots
    and more than MAX_UPCOMING upcoming visits; the resident is told by the
    outbox and gets a reminder the day before.
    """
    note = (note or "").strip()[:300]
    _check_time(centre=centre, service=service, starts_at=starts_at)
    if Appointment.objects.filter(resident=resident).upcoming().count() >= MAX_UPCOMING:
        raise ServiceError(
            _("You already have %(n)d upcoming visits. Cancel one to book another.")
            % {"n": MAX_UPCOMING}
        )
    with transaction.atomic():
        slot = _take_seat(centre=centre, service=service, starts_at=starts_at)
        try:
            with transaction.atomic():
                appointment = Appointment.objects.create(
                    code=_new_code(),
                    slot=slot,
                    centre=centre,
                    service=service,
                    department_id=service.department_id,
                    resident=resident,
                    starts_at=slot.starts_at,
                    ends_at=slot.ends_at,
                    status=target(Action.BOOK, None),
                    note=note,
                )
        except IntegrityError:
            # Rolls the seat back with the outer transaction.
            raise ServiceError(_("You have already booked this time.")) from None
        notify(
            recipients=[resident],
            event="services.appointment_booked",
            context=_context(appointment),
            url=appointment.get_absolute_url(),
        )
    return appointment


def _may_change(appointment: Appointment, user) -> bool:
    return appointment.resident_id == user.pk or may_process(user, appointment.department_id)


def appointment_cancel(*, appointment: Appointment, by) -> Appointment:
    """Cancel a booked future visit and give its seat back (resident or officer)."""
    if not _may_change(appointment, by):
        raise ServiceError(_("You cannot change this appointment."))
    role = RESIDENT if appointment.resident_id == by.pk else OFFICER
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        WORKFLOW.move(
            locked,
            Action.CANCEL,
            role,
            refused=lambda _status: ServiceError(_("This appointment is no longer booked.")),
        )
        if locked.starts_at <= timezone.now():
            raise ServiceError(_("This visit has already started or passed."))
        locked.save(update_fields=["status", "updated_at"])
        _release_seat(locked.slot_id)
        notify(
            recipients=[locked.resident_id],
            event="services.appointment_cancelled",
            context=_context(locked),
            url=locked.get_absolute_url(),
        )
    return locked


def appointment_reschedule(
    *, appointment: Appointment, by, starts_at: dt.datetime, centre: ServiceCentre | None = None
) -> Appointment:
    """Move a booked visit to another time (and centre): the new seat is taken
    before the old one is given back, in one transaction."""
    if appointment.resident_id != by.pk:
        raise ServiceError(_("You cannot change this appointment."))
    centre = centre or appointment.centre
    service = appointment.service
    _check_time(centre=centre, service=service, starts_at=starts_at)
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if (
            not allowed(Action.RESCHEDULE, locked.status, RESIDENT)
            or locked.starts_at <= timezone.now()
        ):
            raise ServiceError(_("This appointment can no longer be changed."))
        if locked.starts_at == starts_at and locked.centre_id == centre.pk:
            raise ServiceError(_("This is already the time of your visit."))
        slot = _take_seat(centre=centre, service=service, starts_at=starts_at)
        _release_seat(locked.slot_id)
        locked.slot = slot
        locked.centre = centre
        locked.starts_at = slot.starts_at
        locked.ends_at = slot.ends_at
        locked.reminded_at = None
        try:
            with transaction.atomic():
                locked.save(
                    update_fields=[
                        "slot",
                        "centre",
                        "starts_at",
                        "ends_at",
                        "reminded_at",
                        "updated_at",
                    ]
                )
        except IntegrityError:
            raise ServiceError(_("You have already booked this time.")) from None
        notify(
            recipients=[locked.resident_id],
            event="services.appointment_booked",
            context=_context(locked),
            url=locked.get_absolute_url(),
        )
    return locked


def appointment_mark(*, appointment: Appointment, officer, status: str) -> Appointment:
    """An officer marks a visit as attended or a no-show (once it has started)."""
    action = MARKS.get(status)
    if action is None:
        raise ServiceError(_("Mark a visit as attended or as a no-show."))
    if not may_process(officer, appointment.department_id):
        raise ServiceError(_("Only officers of the responsible department can do this."))
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        WORKFLOW.move(
            locked,
            action,
            OFFICER,
            refused=lambda _status: ServiceError(_("This appointment was cancelled.")),
        )
        if action == Action.NO_SHOW and locked.starts_at > timezone.now():
            raise ServiceError(_("A visit that has not started yet cannot be a no-show."))
        locked.marked_by = officer
        locked.save(update_fields=["status", "marked_by", "updated_at"])
    return locked


def appointments_remind(*, now: dt.datetime | None = None) -> int:
    """Remind everyone with a visit tomorrow, once each. Returns how many were told.

    Each appointment is claimed with a conditional UPDATE on reminded_at IS
    NULL in the same transaction as its notification: two runs at once (or a
    task delivered twice) remind each person once.
    """
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + dt.timedelta(days=1)
    start = calendar.end_of_day(tomorrow - dt.timedelta(days=1)) + dt.timedelta(seconds=1)
    end = calendar.end_of_day(tomorrow)
    due = list(
        Appointment.objects.filter(
            status=Appointment.Status.BOOKED,
            reminded_at__isnull=True,
            starts_at__gte=start,
            starts_at__lte=end,
        ).values_list("pk", flat=True)
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            claimed = Appointment.objects.filter(
                pk=pk, reminded_at__isnull=True, status=Appointment.Status.BOOKED
            ).update(reminded_at=now)
            if not claimed:
                continue
            appointment = Appointment.objects.select_related("service", "centre").get(pk=pk)
            notify(
                recipients=[appointment.resident_id],
                event="services.appointment_reminder",
                context=_context(appointment),
                url=appointment.get_absolute_url(),
            )
            sent += 1
    return sent
