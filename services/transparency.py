"""What the e-services contribute to the public statistics and open data (mycity/transparency.py).

APPLICATIONS counts every application (the private ones are never shown, only
counted: stats withholds small groups); CATALOGUE and CENTRES are what the
public catalogue and centres pages show to everyone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from mycity.models import Department
from mycity.transparency import (
    BOOLEAN,
    BY_DEPARTMENT,
    DATE,
    INTEGER,
    NUMBER,
    PERCENT,
    STRING,
    WEEKLY,
    Dataset,
    Field,
    Figures,
    Measure,
    Period,
    percent,
)

from .models import Application, CentreException, OpeningHours, Service, ServiceCentre
from .workflow import OPEN_STATUSES, Status

# Decided: ready (decided, waiting to be issued), issued or refused. Withdrawn
# ones were never decided; the open ones still run their term.
DECIDED_STATUSES = frozenset({Status.READY, Status.ISSUED, Status.REFUSED})


def _decided_in(period: Period) -> Q:
    return period.within("decided_at") & Q(status__in=sorted(DECIDED_STATUSES))


def _counts(period: Period, now: dt.datetime | None, prefix: str = "") -> dict:
    """The conditional counts of one period; `now` adds the overdue ones."""
    submitted = period.within("submitted_at")
    decided = _decided_in(period)
    counts = {
        f"{prefix}submitted": Count("pk", filter=submitted),
        f"{prefix}decided": Count("pk", filter=decided),
        f"{prefix}in_term": Count("pk", filter=decided & Q(decided_at__lte=F("due_at"))),
        f"{prefix}extended": Count("pk", filter=decided & Q(extended_at__isnull=False)),
    }
    behind = submitted | decided
    if now is not None:
        overdue = Q(status__in=sorted(OPEN_STATUSES), due_at__lt=now)
        counts[f"{prefix}overdue_now"] = Count("pk", filter=overdue)
        behind |= overdue
    counts[f"{prefix}size"] = Count("pk", filter=behind)
    return counts


def _values(row: dict, prefix: str = "", *, current: bool = True) -> dict:
    decided = row[f"{prefix}decided"]
    return {
        "submitted": row[f"{prefix}submitted"],
        "decided": decided,
        "decided_in_term_pct": percent(row[f"{prefix}in_term"], decided),
        "extended_pct": percent(row[f"{prefix}extended"], decided),
        "overdue_now": row[f"{prefix}overdue_now"] if current else None,
    }


class ApplicationFigures:
    """Applications for e-services: how many, how many decided, how many in term."""

    key = "services"
    title = _("E-services")
    measures = (
        Measure(
            "submitted",
            _("Applications submitted"),
            _("Applications for e-services submitted in the period, whatever became of them."),
        ),
        Measure(
            "decided",
            _("Applications decided"),
            _(
                "Applications made ready, issued or refused in the period, by the time of "
                "the decision; withdrawn ones are not counted."
            ),
        ),
        Measure(
            "decided_in_term_pct",
            _("Decided in term"),
            _(
                "Of the applications decided in the period, the share decided no later "
                "than their due time (after an extension, the extended one)."
            ),
            unit=PERCENT,
            base="decided",
            trend=True,
        ),
        Measure(
            "extended_pct",
            _("Term extended"),
            _("Of the applications decided in the period, the share whose term was extended."),
            unit=PERCENT,
            base="decided",
        ),
        Measure(
            "overdue_now",
            _("Overdue now"),
            _(
                "Applications not decided yet (submitted, in progress or returned for "
                "correction) whose due time has passed, at the moment the figures were made."
            ),
            current=True,
        ),
    )
    breakdowns = (BY_DEPARTMENT,)
    ranking = "decided_in_term_pct"

    def _applications(self, department=None):
        queryset = Application.objects.order_by()
        if department is not None:
            queryset = queryset.filter(department=department)
        return queryset

    def figures(self, period: Period, *, department=None) -> Figures:
        """The city's (or one department's) figures over `period`: one query."""
        row = self._applications(department).aggregate(**_counts(period, timezone.now()))
        return Figures(
            key=department.slug if department is not None else "city",
            label=department.name if department is not None else str(_("The whole city")),
            size=row["size"],
            values=_values(row),
        )

    def breakdown(self, period: Period, by: str, *, department=None) -> list[Figures]:
        """One Figures per department with any application behind a figure: two queries."""
        if by != BY_DEPARTMENT:
            raise ValueError(f"E-services are not broken down by {by!r}.")
        counts = _counts(period, timezone.now())
        rows = [
            row
            for row in self._applications(department)
            .values("department_id")
            .annotate(**counts)
            .order_by("department_id")
            if row["size"]
        ]
        departments = Department.objects.in_bulk([row["department_id"] for row in rows])
        result = [
            Figures(
                key=departments[row["department_id"]].slug,
                label=departments[row["department_id"]].name,
                size=row["size"],
                values=_values(row),
            )
            for row in rows
        ]
        return sorted(result, key=lambda figures: (str(figures.label).casefold(), figures.key))

    def monthly(self, months: list[Period], *, department=None) -> list[Figures]:
        """One Figures per month of `months` (no overdue: that is now only): one query."""
        if not months:
            return []
        counts = {}
        for n, month in enumerate(months):
            counts.update(_counts(month, None, prefix=f"m{n}_"))
        whole = Period(min(m.start for m in months), max(m.end for m in months))
        row = (
            self._applications(department)
            .filter(whole.within("submitted_at") | whole.within("decided_at"))
            .aggregate(**counts)
        )
        return [
            Figures(
                key=f"{month.start:%Y-%m}",
                label=date_format(month.start, "YEAR_MONTH_FORMAT"),
                size=row[f"m{n}_size"],
                values=_values(row, f"m{n}_", current=False),
            )
            for n, month in enumerate(months)
        ]


APPLICATIONS = ApplicationFigures()


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- the catalogue --------------------------------------------------------------


def _catalogue_rows():
    services = (
        Service.objects.active()
        .select_related("category", "department")
        .order_by("category__ordering", "category__slug", "ordering", "slug")
    )
    for service in services.iterator(chunk_size=500):
        yield {
            "slug": service.slug,
            "name": service.name,
            "category": service.category.name,
            "department": service.department.name,
            "summary": service.summary,
            "online": service.online,
            "bookable": service.bookable,
            "processing_days": service.processing_days,
            "extension_days": service.extension_days,
            "urgent_hours": service.urgent_hours,
            "fee": float(service.fee),
            "fee_note": service.fee_note,
            "legal_basis": service.legal_basis,
            "url": _absolute(service.get_absolute_url()),
        }


CATALOGUE = Dataset(
    slug="services",
    title=_("E-services of the city"),
    description=_(
        "The administrative services the city provides, as the public catalogue shows "
        "them: who provides each, whether one can apply online, the term and the fee."
    ),
    fields=(
        Field("slug", STRING, _("The service's code, the last part of its page's address.")),
        Field("name", STRING, _("The name of the service.")),
        Field("category", STRING, _("The category of the catalogue it is listed under.")),
        Field("department", STRING, _("The department responsible for it.")),
        Field("summary", STRING, _("What the service gives.")),
        Field("online", BOOLEAN, _("Whether one can apply for it online on the portal.")),
        Field("bookable", BOOLEAN, _("Whether a visit to a service centre can be booked for it.")),
        Field("processing_days", INTEGER, _("The term of the answer, in working days.")),
        Field(
            "extension_days",
            INTEGER,
            _("The longest term after an extension, in working days; empty: no extension."),
        ),
        Field(
            "urgent_hours",
            INTEGER,
            _("The shorter term when life or safety is concerned, in hours; empty: none."),
        ),
        Field("fee", NUMBER, _("The fee in hryvnias; 0 for a free service.")),
        Field("fee_note", STRING, _("About the fee, if anything.")),
        Field("legal_basis", STRING, _("The law the service is provided under, if given.")),
        Field("url", STRING, _("The service's page on the portal.")),
    ),
    rows=_catalogue_rows,
    app_label="services",
    frequency=WEEKLY,
    keywords=(_("administrative services"), _("e-services"), _("TsNAP")),
)


# --- the service centres ----------------------------------------------------------

WEEKDAY_FIELDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _span(opens: dt.time, closes: dt.time) -> str:
    return f"{opens:%H:%M}–{closes:%H:%M}"


def _weekly_hours() -> dict[int, dict[int, str]]:
    """Each active centre's hours by weekday ("08:00–12:00, 13:00–17:00"), in one query."""
    periods = defaultdict(lambda: defaultdict(list))
    rows = (
        OpeningHours.objects.filter(centre__is_active=True)
        .order_by("centre_id", "weekday", "opens")
        .values_list("centre_id", "weekday", "opens", "closes")
    )
    for centre_id, weekday, opens, closes in rows:
        periods[centre_id][weekday].append(_span(opens, closes))
    return {
        centre_id: {weekday: ", ".join(spans) for weekday, spans in days.items()}
        for centre_id, days in periods.items()
    }


def _next_exceptions() -> dict[int, CentreException]:
    """Each active centre's next day (today included) that differs from its weeks: one query."""
    upcoming = CentreException.objects.filter(
        centre__is_active=True, date__gte=timezone.localdate()
    ).order_by("centre_id", "date")
    result = {}
    for exception in upcoming:
        result.setdefault(exception.centre_id, exception)
    return result


def _centre_rows():
    # Beside the fields, each row carries "latitude" and "longitude" (WGS 84): geometry=True.
    hours = _weekly_hours()
    exceptions = _next_exceptions()
    centres = ServiceCentre.objects.filter(is_active=True).order_by("ordering", "slug")
    for centre in centres.iterator(chunk_size=500):
        week = hours.get(centre.pk, {})
        exception = exceptions.get(centre.pk)
        row = {
            "slug": centre.slug,
            "name": centre.name,
            "address": centre.address,
            "phone": centre.phone,
            "email": centre.email,
            "notes": centre.notes,
            **{name: week.get(n, "") for n, name in enumerate(WEEKDAY_FIELDS)},
            "next_change_date": exception.date if exception else None,
            "next_change_hours": (
                _span(exception.opens, exception.closes)
                if exception and not exception.closed
                else ""
            ),
            "next_change_reason": _exception_reason(exception) if exception else "",
            "url": _absolute(centre.get_absolute_url()),
            "latitude": centre.latitude,
            "longitude": centre.longitude,
        }
        yield row


def _exception_reason(exception: CentreException) -> str:
    reason = str(exception.get_reason_display())
    return f"{reason}: {exception.note}" if exception.note else reason


_WEEKDAY_DESCRIPTIONS = (
    _("Opening hours on Mondays, e.g. “08:00–17:00”; empty when closed."),
    _("Opening hours on Tuesdays, e.g. “08:00–17:00”; empty when closed."),
    _("Opening hours on Wednesdays, e.g. “08:00–17:00”; empty when closed."),
    _("Opening hours on Thursdays, e.g. “08:00–17:00”; empty when closed."),
    _("Opening hours on Fridays, e.g. “08:00–17:00”; empty when closed."),
    _("Opening hours on Saturdays, e.g. “08:00–17:00”; empty when closed."),
    _("Opening hours on Sundays, e.g. “08:00–17:00”; empty when closed."),
)

CENTRES = Dataset(
    slug="centres",
    title=_("Administrative service centres (TsNAP)"),
    description=_(
        "The city's administrative service centres and their branches open to visitors: "
        "address, contacts, weekly opening hours and the next day the hours differ."
    ),
    fields=(
        Field("slug", STRING, _("The centre's code.")),
        Field("name", STRING, _("The name of the centre.")),
        Field("address", STRING, _("The address of the centre.")),
        Field("phone", STRING, _("The centre's phone number, if given.")),
        Field("email", STRING, _("The centre's e-mail address, if given.")),
        Field("notes", STRING, _("How to get there, accessibility, the nearest shelter.")),
        *(
            Field(name, STRING, description)
            for name, description in zip(WEEKDAY_FIELDS, _WEEKDAY_DESCRIPTIONS, strict=True)
        ),
        Field(
            "next_change_date",
            DATE,
            _("The next day (from today) the hours differ: a holiday, a power outage."),
        ),
        Field(
            "next_change_hours",
            STRING,
            _("The hours on that day, e.g. “10:00–14:00”; empty when closed all day."),
        ),
        Field("next_change_reason", STRING, _("Why the hours differ that day.")),
        Field("url", STRING, _("The centre on the portal's page of service centres.")),
        Field("latitude", NUMBER, _("The centre's latitude (WGS 84), empty if not placed.")),
        Field("longitude", NUMBER, _("The centre's longitude (WGS 84), empty if not placed.")),
    ),
    rows=_centre_rows,
    app_label="services",
    frequency=WEEKLY,
    keywords=(_("TsNAP"), _("administrative services"), _("opening hours")),
    geometry=True,
)
