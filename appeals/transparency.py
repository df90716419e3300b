"""What appeals contribute to the public statistics and open data (mycity/transparency.py).

APPEALS and PROPOSALS count every appeal, private and sensitive ones too,
and return numbers only: stats withholds the figures of small groups.
PUBLIC_APPEALS is the open dataset of what public pages already show: no
names, no texts, the point rounded as on the map.

Each figure is counted over one "facet" of the appeals, one grouped query
on an index each: the appeals received in the period (registered_at), the
ones answered in it (answered_at), the ones overdue now (the open ones'
partial index) and the ratings given in it. A group's size, which decides
whether it shows at all, is the largest of its facets: never more than the
distinct appeals behind it, so a group is shown only when one of its counts
alone reaches the threshold.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from django.conf import settings
from django.db import connections
from django.db.models import Avg, Count, F, Max, Q, Value
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from mycity.models import Department, District
from mycity.transparency import (
    BOOLEAN,
    BY_CATEGORY,
    BY_DEPARTMENT,
    BY_DISTRICT,
    DATE,
    DAYS,
    NUMBER,
    PERCENT,
    RATING,
    STRING,
    Dataset,
    Field,
    Figures,
    Measure,
    Period,
)

from .models import Appeal, AppealRating, Category, Kind
from .models.rules import public_point
from .statistics import Percentile, answer_time
from .workflow import OPEN_STATUSES, Status

# Taken into consideration after moderation, whatever became of it since (a
# rejected, merged or lapsed appeal, or one still awaiting moderation, was not).
CONSIDERED_STATUSES = frozenset(
    {Status.ACCEPTED, Status.IN_PROGRESS, Status.ANSWERED, Status.CLOSED, Status.FORWARDED}
)
SECONDS_A_DAY = 86400

# The fields a breakdown groups by.
GROUP_FIELDS = {
    BY_DEPARTMENT: "department_id",
    BY_CATEGORY: "category_id",
    BY_DISTRICT: "district_id",
}
GROUP_MODELS = {BY_DEPARTMENT: Department, BY_CATEGORY: Category, BY_DISTRICT: District}


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _in(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.since, f"{field}__lt": period.until})


def _grouped(queryset, group, aggregates: dict) -> dict:
    """{group value: aggregates}; one row under None when `group` is None."""
    if group is None:
        return {None: queryset.aggregate(**aggregates)}
    rows = queryset.annotate(bucket=group).values("bucket").annotate(**aggregates).order_by()
    return {row.pop("bucket"): row for row in rows}


def _month(value) -> str | None:
    """A TruncMonth value ("2026-03-01 00:00+02:00") as its month key: "2026-03"."""
    if value is None:
        return None
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value:%Y-%m}"


def _percentile(values: list[float], fraction: float) -> float:
    """The percentile PostgreSQL's percentile_cont gives: interpolated between neighbours."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _days(seconds: float | None) -> float | None:
    return round(seconds / SECONDS_A_DAY, 1) if seconds is not None else None


class Facets:
    """The grouped counts behind one set of figures: by a field, by month, or the whole."""

    def __init__(self, department=None, *, by: str | None = None, monthly: bool = False):
        self.appeals = Appeal.objects.order_by()
        self.ratings = AppealRating.objects.order_by()
        if department is not None:
            self.appeals = self.appeals.filter(department=department)
            self.ratings = self.ratings.filter(appeal__department=department)
        self.by = by
        self.monthly = monthly
        self.postgres = connections[self.appeals.db].vendor == "postgresql"

    def _group(self, moment: str, prefix: str = ""):
        """What rows are grouped by: the month of `moment`, the breakdown's field, or nothing."""
        if self.monthly:
            return TruncMonth(moment)
        if self.by is not None:
            return F(f"{prefix}{GROUP_FIELDS[self.by]}")
        return None

    def _key(self, value):
        return _month(value) if self.monthly else value

    def _counts(self, queryset, group, aggregates: dict) -> dict:
        return {
            self._key(value): row for value, row in _grouped(queryset, group, aggregates).items()
        }

    def received(self, period: Period) -> dict:
        return self._counts(
            self.appeals.filter(_in("registered_at", period)),
            self._group("registered_at"),
            {
                "received": Count("pk"),
                "considered": Count("pk", filter=Q(status__in=sorted(CONSIDERED_STATUSES))),
            },
        )

    def answered(self, period: Period) -> dict:
        """Answered in the period: in term, extended, reopened, and the days it took."""
        window = self.appeals.filter(_in("answered_at", period))
        group = self._group("answered_at")
        aggregates = {
            "answered": Count("pk"),
            "in_term": Count("pk", filter=Q(answered_at__date__lte=F("deadline"))),
            "extended": Count("pk", filter=Q(deadline_extended=True)),
            "reopened": Count("pk", filter=Q(reopened=True)),
        }
        if self.postgres:
            aggregates["median"] = Percentile(answer_time(), 0.5)
            aggregates["p90"] = Percentile(answer_time(), 0.9)
        rows = self._counts(window, group, aggregates)
        if not self.postgres:
            # SQLite has no percentile_cont: the window's durations, computed here.
            durations = defaultdict(list)
            timed = window.annotate(bucket=group if group is not None else Value(0))
            for bucket, registered, answered in timed.values_list(
                "bucket", "registered_at", "answered_at"
            ).iterator():
                key = self._key(bucket) if group is not None else None
                durations[key].append((answered - registered).total_seconds())
            for key, row in rows.items():
                seconds = durations.get(key)
                row["median"] = _percentile(seconds, 0.5) if seconds else None
                row["p90"] = _percentile(seconds, 0.9) if seconds else None
        return rows

    def overdue(self, today: dt.date) -> dict:
        return self._counts(
            self.appeals.filter(status__in=sorted(OPEN_STATUSES), deadline__lt=today),
            self._group("deadline"),
            {"overdue_now": Count("pk")},
        )

    def rated(self, period: Period) -> dict:
        return self._counts(
            self.ratings.filter(_in("created_at", period)),
            self._group("created_at", prefix="appeal__"),
            {"rated": Count("pk"), "rating": Avg("score")},
        )


class AppealFigures:
    """Appeals of every kind: received, answered in the legal term, overdue, rated."""

    key = "appeals"
    title = _("Appeals")
    measures = (
        Measure(
            "received",
            _("Received"),
            _(
                "Appeals of every kind registered in the period, private and sensitive "
                "ones included, whatever became of them."
            ),
            trend=True,
        ),
        Measure(
            "considered",
            _("Accepted for consideration"),
            _(
                "Of the appeals received in the period, those a moderator accepted and "
                "routed (not rejected, merged as duplicates or still awaiting moderation)."
            ),
        ),
        Measure(
            "answered",
            _("Answered"),
            _("Appeals given an answer in the period, by the date of the answer."),
        ),
        Measure(
            "in_term_pct",
            _("Answered within the legal term"),
            _(
                "Of the appeals answered in the period, the share answered no later than "
                "their term under the Law “On Citizens' Appeals” (Art. 20): 15 or 30 days, "
                "or 45 after an extension."
            ),
            unit=PERCENT,
            base="answered",
            trend=True,
        ),
        Measure(
            "extended_pct",
            _("Term extended"),
            _("Of the appeals answered in the period, the share whose term was extended."),
            unit=PERCENT,
            base="answered",
        ),
        Measure(
            "overdue_now",
            _("Overdue now"),
            _(
                "Appeals still waiting for the city whose term has passed, at the moment the "
                "figures were made (the days an appeal waits for its author do not count)."
            ),
            current=True,
        ),
        Measure(
            "median_days",
            _("Median days to answer"),
            _(
                "Half of the appeals answered in the period were answered within this many "
                "days of registration, half took longer."
            ),
            unit=DAYS,
            base="answered",
            trend=True,
        ),
        Measure(
            "p90_days",
            _("Days to answer, 90th percentile"),
            _(
                "Nine in ten of the appeals answered in the period were answered within this "
                "many days of registration."
            ),
            unit=DAYS,
            base="answered",
        ),
        Measure(
            "reopened_pct",
            _("Reopened after the answer"),
            _(
                "Of the appeals answered in the period, the share whose author reopened "
                "it because the problem was not solved."
            ),
            unit=PERCENT,
            base="answered",
        ),
        Measure(
            "rating",
            _("Residents' rating"),
            _("The average of the ratings (1 to 5) authors gave to answers in the period."),
            unit=RATING,
            base="rated",
            trend=True,
        ),
    )
    breakdowns = (BY_DEPARTMENT, BY_CATEGORY, BY_DISTRICT)
    ranking = "in_term_pct"

    def _values(self, received, answered, overdue, rated, *, current=True) -> tuple[int, dict]:
        count = answered.get("answered", 0)
        values = {
            "received": received.get("received", 0),
            "considered": received.get("considered", 0),
            "answered": count,
            "in_term_pct": percent(answered.get("in_term", 0), count),
            "extended_pct": percent(answered.get("extended", 0), count),
            "overdue_now": overdue.get("overdue_now", 0) if current else None,
            "median_days": _days(answered.get("median")),
            "p90_days": _days(answered.get("p90")),
            "reopened_pct": percent(answered.get("reopened", 0), count),
            "rated": rated.get("rated", 0),
            "rating": round(rated["rating"], 2) if rated.get("rating") is not None else None,
        }
        size = max(values["received"], count, values["overdue_now"] or 0, values["rated"])
        return size, values

    def figures(self, period: Period, *, department=None) -> Figures:
        """The city's (or one department's) figures over `period`: four queries."""
        facets = Facets(department)
        size, values = self._values(
            facets.received(period).get(None, {}),
            facets.answered(period).get(None, {}),
            facets.overdue(timezone.localdate()).get(None, {}),
            facets.rated(period).get(None, {}),
        )
        return Figures(
            key=department.slug if department is not None else "city",
            label=department.name if department is not None else str(_("The whole city")),
            size=size,
            values=values,
        )

    def breakdown(self, period: Period, by: str, *, department=None) -> list[Figures]:
        """One Figures per department, category or district with any appeal behind a figure.

        Appeals with no district (or category) make no row of that breakdown.
        """
        facets = Facets(department, by=by)
        received = facets.received(period)
        answered = facets.answered(period)
        overdue = facets.overdue(timezone.localdate())
        rated = facets.rated(period)
        keys = (set(received) | set(answered) | set(overdue) | set(rated)) - {None}
        objects = GROUP_MODELS[by].objects.in_bulk(keys)
        result = []
        for pk in keys:
            size, values = self._values(
                received.get(pk, {}), answered.get(pk, {}), overdue.get(pk, {}), rated.get(pk, {})
            )
            result.append(
                Figures(key=objects[pk].slug, label=objects[pk].name, size=size, values=values)
            )
        return sorted(result, key=lambda figures: (str(figures.label).casefold(), figures.key))

    def monthly(self, months: list[Period], *, department=None) -> list[Figures]:
        """One Figures per month of `months` (no overdue: that is now only): three queries."""
        if not months:
            return []
        whole = Period(min(m.start for m in months), max(m.end for m in months))
        facets = Facets(department, monthly=True)
        received = facets.received(whole)
        answered = facets.answered(whole)
        rated = facets.rated(whole)
        result = []
        for month in months:
            key = f"{month.start:%Y-%m}"
            size, values = self._values(
                received.get(key, {}), answered.get(key, {}), {}, rated.get(key, {}), current=False
            )
            result.append(
                Figures(
                    key=key,
                    label=date_format(month.start, "YEAR_MONTH_FORMAT"),
                    size=size,
                    values=values,
                )
            )
        return result


APPEALS = AppealFigures()


class ProposalFigures:
    """Proposals that reached their support threshold, and whether the city answered in time."""

    key = "proposals"
    title = _("Proposals")
    measures = (
        Measure(
            "reached",
            _("Reached the support threshold"),
            _("Proposals that gathered the supports their category asks for in the period."),
            trend=True,
        ),
        Measure(
            "answered",
            _("Given an official answer"),
            _("Of the proposals that reached the threshold in the period, those answered since."),
        ),
        Measure(
            "answered_in_term",
            _("Answered in time"),
            _(
                "Of the proposals that reached the threshold in the period, those answered "
                "no later than their term."
            ),
        ),
        Measure(
            "in_term_pct",
            _("Answered in time, share"),
            _(
                "Of the proposals that reached the threshold in the period, the share "
                "answered no later than their term; the ones still within it count as not yet."
            ),
            unit=PERCENT,
            base="reached",
            trend=True,
        ),
    )
    breakdowns = (BY_DEPARTMENT, BY_CATEGORY)
    ranking = None

    def _aggregates(self) -> dict:
        answered = Q(answered_at__isnull=False)
        return {
            "reached": Count("pk"),
            "answered": Count("pk", filter=answered),
            "answered_in_term": Count(
                "pk", filter=answered & Q(answered_at__date__lte=F("deadline"))
            ),
        }

    def _proposals(self, period: Period, department=None):
        proposals = Appeal.objects.filter(_in("threshold_reached_at", period)).order_by()
        if department is not None:
            proposals = proposals.filter(department=department)
        return proposals

    def _figures(self, key, label, row: dict) -> Figures:
        reached = row.get("reached", 0)
        values = {
            "reached": reached,
            "answered": row.get("answered", 0),
            "answered_in_term": row.get("answered_in_term", 0),
            "in_term_pct": percent(row.get("answered_in_term", 0), reached),
        }
        return Figures(key=key, label=label, size=reached, values=values)

    def figures(self, period: Period, *, department=None) -> Figures:
        row = self._proposals(period, department).aggregate(**self._aggregates())
        return self._figures(
            department.slug if department is not None else "city",
            department.name if department is not None else str(_("The whole city")),
            row,
        )

    def breakdown(self, period: Period, by: str, *, department=None) -> list[Figures]:
        if by not in self.breakdowns:
            raise ValueError(f"Proposals are not broken down by {by!r}.")
        rows = _grouped(
            self._proposals(period, department), F(GROUP_FIELDS[by]), self._aggregates()
        )
        objects = GROUP_MODELS[by].objects.in_bulk([pk for pk in rows if pk is not None])
        result = [
            self._figures(objects[pk].slug, objects[pk].name, row)
            for pk, row in rows.items()
            if pk is not None
        ]
        return sorted(result, key=lambda figures: (str(figures.label).casefold(), figures.key))

    def monthly(self, months: list[Period], *, department=None) -> list[Figures]:
        if not months:
            return []
        whole = Period(min(m.start for m in months), max(m.end for m in months))
        rows = {
            _month(value): row
            for value, row in _grouped(
                self._proposals(whole, department),
                TruncMonth("threshold_reached_at"),
                self._aggregates(),
            ).items()
        }
        return [
            self._figures(
                f"{month.start:%Y-%m}",
                date_format(month.start, "YEAR_MONTH_FORMAT"),
                rows.get(f"{month.start:%Y-%m}", {}),
            )
            for month in months
        ]


PROPOSALS = ProposalFigures()


# --- the open dataset of public appeals ------------------------------------------


def _names(model) -> dict[int, tuple[str, str]]:
    """{pk: (slug, name in the active language)} of a small table."""
    return {item.pk: (item.slug, item.name) for item in model.objects.all()}


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def _public_appeal_rows():
    """Every public appeal, oldest first, streamed: what the public pages show of it."""
    categories, districts, departments = _names(Category), _names(District), _names(Department)
    kinds = dict(Kind.choices)
    statuses = dict(Status.choices)
    rows = (
        Appeal.objects.public()
        .order_by("registered_at", "pk")
        .values_list(
            "reference",
            "kind",
            "category_id",
            "district_id",
            "department_id",
            "status",
            "latitude",
            "longitude",
            "registered_at",
            "deadline",
            "answered_at",
        )
    )
    none = ("", "")
    for (
        reference,
        kind,
        category,
        district,
        department,
        status,
        latitude,
        longitude,
        registered,
        deadline,
        answered_at,
    ) in rows.iterator(chunk_size=2000):
        point = public_point(latitude, longitude) if latitude is not None else (None, None)
        answered = _local_date(answered_at)
        yield {
            "reference": reference,
            "kind": kind,
            "kind_label": str(kinds.get(kind, kind)),
            "category": categories.get(category, none)[0],
            "category_name": categories.get(category, none)[1],
            "district": districts.get(district, none)[0],
            "district_name": districts.get(district, none)[1],
            "department": departments.get(department, none)[0],
            "department_name": departments.get(department, none)[1],
            "status": status,
            "status_label": str(statuses.get(status, status)),
            "latitude": point[0],
            "longitude": point[1],
            "registered": _local_date(registered),
            "deadline": deadline,
            "answered": answered,
            "answered_in_term": answered <= deadline if answered is not None else None,
            "url": f"{settings.SITE_URL}{reverse('appeals:detail', args=[reference])}",
        }


def _modified() -> dt.datetime | None:
    """The newest registration or answer (both indexed): when the data last grew."""
    latest = Appeal.objects.public().aggregate(
        registered=Max("registered_at"), answered=Max("answered_at")
    )
    moments = [moment for moment in latest.values() if moment is not None]
    return max(moments) if moments else None


PUBLIC_APPEALS = Dataset(
    slug="appeals",
    title=_("Residents' appeals to the city"),
    description=_(
        "Every appeal the portal shows publicly: requests, proposals, complaints and "
        "applications, with their category, district, department, the point on the map "
        "rounded to about 100 metres, when they were registered and answered, and whether "
        "the answer came within the legal term. No names and no texts; private appeals and "
        "those in sensitive categories are not in it (they are counted in the statistics)."
    ),
    fields=(
        Field("reference", STRING, _("The appeal's reference number, as on its page.")),
        Field("kind", STRING, _("request, proposal, complaint or application.")),
        Field("kind_label", STRING, _("The kind in words.")),
        Field("category", STRING, _("The category's code (stable).")),
        Field("category_name", STRING, _("The category's name.")),
        Field("district", STRING, _("The district's code; empty: no district given.")),
        Field("district_name", STRING, _("The district's name.")),
        Field("department", STRING, _("The code of the department answering it.")),
        Field("department_name", STRING, _("The department's name.")),
        Field(
            "status",
            STRING,
            _("accepted, in_progress, answered, closed or forwarded (to another body)."),
        ),
        Field("status_label", STRING, _("The status in words.")),
        Field(
            "latitude",
            NUMBER,
            _("Latitude of the place, WGS 84, rounded to 3 decimals; empty: no place."),
        ),
        Field(
            "longitude",
            NUMBER,
            _("Longitude of the place, WGS 84, rounded to 3 decimals; empty: no place."),
        ),
        Field("registered", DATE, _("The day it was registered (Kyiv time).")),
        Field("deadline", DATE, _("The last day of its legal term, after any extension.")),
        Field("answered", DATE, _("The day it was answered; empty: not answered yet.")),
        Field(
            "answered_in_term",
            BOOLEAN,
            _("Whether the answer came no later than the deadline; empty: not answered yet."),
        ),
        Field("url", STRING, _("The appeal's page on the portal.")),
    ),
    rows=_public_appeal_rows,
    app_label="appeals",
    keywords=(_("appeals"), _("requests"), _("city services"), _("legal terms")),
    geometry=True,
    modified=_modified,
)
