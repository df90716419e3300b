"""Services' counters for the daily check (mycity.lib.counters): a slot's booked seats."""

from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from mycity.lib.counters import CounterCheck

from .models import Appointment, Slot
from .services.appointments import slot_recount


def _booked_differs():
    holding = (
        Appointment.objects.filter(slot=OuterRef("pk"))
        .filter(~Q(status=Appointment.Status.CANCELLED))
        .order_by()
        .values("slot")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Slot.objects.annotate(rows=Coalesce(Subquery(holding), Value(0)))
        .exclude(booked=F("rows"))
        .order_by("pk")
        .values_list("pk", "booked", "rows")
    )


def _find():
    for pk, booked, rows in _booked_differs():
        yield pk, f"slot #{pk}", booked, rows


def _recount(slot_id) -> int | None:
    return slot_recount(slot_id=slot_id)


CHECKS = [
    CounterCheck(
        name="services.slot_booked",
        description="Slot.booked = its appointments that are not cancelled",
        find=_find,
        fix=_recount,
    ),
]
