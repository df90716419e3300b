"""The appeals' figures: received, answered in the legal term, overdue, rated; proposals.

See the package's docstring for how each is counted.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, F, Func, IntegerField, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from mycity import pagecache
from mycity.models import Department, District
from mycity.transparency import (
    BY_CATEGORY,
    BY_DEPARTMENT,
    BY_DISTRICT,
    DAYS,
    PERCENT,
    RATING,
    Figures,
    Measure,
    Period,
    percent,
)

from ..models import Appeal, AppealRating, Category
from ..workflow import OPEN_STATUSES, Status

# Taken into consideration after moderation, whatever became of it since (a
# rejected, merged or lapsed appeal, or one still awaiting moderation, was not).
CONSIDERED_STATUSES = frozenset(
    {Status.ACCEPTED, Status.IN_PROGRESS, Status.ANSWERED, Status.CLOSED, Status.FORWARDED}
)
# The fields a breakdown groups by: every facet is counted by all three at
# once, and the city's, a department's or a district's figures are sums.
GROUP_FIELDS = {
    BY_DEPARTMENT: "department_id",
    BY_CATEGORY: "category_id",
    BY_DISTRICT: "district_id",
}
GROUP_MODELS = {BY_DEPARTMENT: Department, BY_CATEGORY: Category, BY_DISTRICT: District}
DIMENSIONS = tuple(GROUP_FIELDS.values())
# What a facet row is grouped by, rather than what it counts.
GROUPING = frozenset({*DIMENSIONS, *(f"appeal__{name}" for name in DIMENSIONS), "bucket", "days"})
# The counted facts of a period are kept this long, so that the city's figures
# and its three breakdowns (four calls) read the database once.
FACTS_SECONDS = 60


def _grouped(queryset, group, aggregates: dict) -> dict:
    """{group value: aggregates}."""
    rows = queryset.annotate(bucket=group).values("bucket").annotate(**aggregates).order_by()
    return {row.pop("bucket"): row for row in rows}


def _month(value) -> str | None:
    """A TruncMonth value ("2026-03-01 00:00+02:00") as its month key: "2026-03"."""
    if value is None:
        return None
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return f"{value:%Y-%m}"


class DaysBetween(Func):
    """Whole days from one moment's local date to another's, as the law counts a term."""

    output_field = IntegerField()

    def __init__(self, start: str, end: str):
        super().__init__(TruncDate(end), TruncDate(start))

    def as_sql(self, compiler, connection, **extra):
        # date - date is a whole number of days on PostgreSQL.
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ")

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(ROUND(julianday(%(expressions)s)) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


def percentile(days: Counter, fraction: float) -> float | None:
    """PostgreSQL's percentile_cont over the values a histogram counts: interpolated."""
    total = sum(days.values())
    if not total:
        return None
    position = (total - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    values, seen = {}, 0
    for value in sorted(days):
        for index in (low, high):
            if seen <= index < seen + days[value]:
                values.setdefault(index, value)
        seen += days[value]
    return values[low] + (values[high] - values[low]) * (position - low)


@dataclass
class Totals:
    """One group's sums over the facts: every count, and the days to answer as a histogram."""

    counts: Counter = field(default_factory=Counter)
    days: Counter = field(default_factory=Counter)

    def add(self, row: dict) -> None:
        """Add a facet row's counts; an answered row's to the histogram of its days too."""
        for name, value in row.items():
            if name not in GROUPING and value:
                self.counts[name] += value
        if row.get("days") is not None:
            self.days[row["days"]] += row["answered"]


class Facts:
    """The counts behind the appeals' figures, each facet by one grouped query on an index.

    Received (appeals_received_window), answered (appeals_answered_window),
    overdue now (the open appeals' partial index) and rated: counted by
    department, category and district together (or by month), then summed
    into whatever groups are asked for.
    """

    def __init__(self, department=None):
        self.appeals = Appeal.objects.order_by()
        self.ratings = AppealRating.objects.order_by()
        if department is not None:
            self.appeals = self.appeals.filter(department=department)
            self.ratings = self.ratings.filter(appeal__department=department)

    def rows(self, period: Period, *, monthly: bool = False, today: dt.date | None = None):
        """Each facet's rows: grouped by department, category and district, or by month."""

        def grouped(queryset, moment, dimensions, aggregates, *, extra=()):
            if monthly:
                queryset = queryset.annotate(bucket=TruncMonth(moment))
                names = ("bucket", *extra)
            else:
                names = (*dimensions, *extra)
            return list(queryset.values(*names).annotate(**aggregates).order_by())

        answered = self.appeals.filter(period.within("answered_at")).annotate(
            days=DaysBetween("registered_at", "answered_at")
        )
        facets = [
            grouped(
                self.appeals.filter(period.within("registered_at")),
                "registered_at",
                DIMENSIONS,
                {
                    "received": Count("*"),
                    "considered": Count(
                        "registered_at", filter=Q(status__in=sorted(CONSIDERED_STATUSES))
                    ),
                },
            ),
            grouped(
                answered,
                "answered_at",
                DIMENSIONS,
                {
                    "answered": Count("*"),
                    "in_term": Count("answered_at", filter=Q(answered_at__date__lte=F("deadline"))),
                    "extended": Count("answered_at", filter=Q(deadline_extended=True)),
                    "reopened": Count("answered_at", filter=Q(reopened=True)),
                },
                extra=("days",),
            ),
            grouped(
                self.ratings.filter(period.within("created_at")),
                "created_at",
                tuple(f"appeal__{name}" for name in DIMENSIONS),
                {"rated": Count("*"), "score": Sum("score")},
            ),
        ]
        if today is not None:
            facets.append(
                grouped(
                    self.appeals.filter(status__in=sorted(OPEN_STATUSES), deadline__lt=today),
                    "deadline",
                    DIMENSIONS,
                    {"overdue_now": Count("*")},
                )
            )
        return facets

    def totals(self, period: Period, today: dt.date) -> dict:
        """{None: the whole, (by, pk): a group} for every breakdown at once."""
        result = defaultdict(Totals)
        for facet in self.rows(period, today=today):
            for row in facet:
                keys = [None] + [
                    (by, row.get(name, row.get(f"appeal__{name}")))
                    for by, name in GROUP_FIELDS.items()
                ]
                for key in keys:
                    result[key].add(row)
        return dict(result)

    def monthly(self, whole: Period) -> dict:
        """{"YYYY-MM": Totals} over `whole`."""
        result = defaultdict(Totals)
        for facet in self.rows(whole, monthly=True):
            for row in facet:
                result[_month(row["bucket"])].add(row)
        return dict(result)


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

    def _values(self, totals: Totals | None, *, current: bool = True) -> tuple[int, dict]:
        totals = totals or Totals()
        counts = totals.counts
        answered, rated = counts["answered"], counts["rated"]
        median, p90 = percentile(totals.days, 0.5), percentile(totals.days, 0.9)
        values = {
            "received": counts["received"],
            "considered": counts["considered"],
            "answered": answered,
            "in_term_pct": percent(counts["in_term"], answered),
            "extended_pct": percent(counts["extended"], answered),
            "overdue_now": counts["overdue_now"] if current else None,
            "median_days": round(median, 1) if median is not None else None,
            "p90_days": round(p90, 1) if p90 is not None else None,
            "reopened_pct": percent(counts["reopened"], answered),
            "rated": rated,
            "rating": round(counts["score"] / rated, 2) if rated else None,
        }
        size = max(counts["received"], answered, counts["overdue_now"], rated)
        return size, values

    def _totals(self, period: Period, department) -> dict:
        """The period's facts summed by every breakdown: four queries, kept a minute.

        With the appeals' page version in the key, a change that public pages
        follow starts a new count.
        """
        today = timezone.localdate()
        key = (
            f"appeals:stats:facts:{pagecache.version('appeals')}:"
            f"{department.pk if department is not None else 'city'}:"
            f"{period.start}:{period.end}:{today}"
        )
        totals = cache.get(key)
        if totals is None:
            totals = Facts(department).totals(period, today)
            cache.set(key, totals, FACTS_SECONDS)
        return totals

    def figures(self, period: Period, *, department=None) -> Figures:
        """The city's (or one department's) figures over `period`."""
        size, values = self._values(self._totals(period, department).get(None))
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
        if by not in GROUP_FIELDS:
            raise ValueError(f"Appeals are not broken down by {by!r}.")
        groups = {
            key[1]: totals
            for key, totals in self._totals(period, department).items()
            if key is not None and key[0] == by and key[1] is not None
        }
        objects = GROUP_MODELS[by].objects.in_bulk(list(groups))
        result = []
        for pk, totals in groups.items():
            size, values = self._values(totals)
            result.append(
                Figures(key=objects[pk].slug, label=objects[pk].name, size=size, values=values)
            )
        return sorted(result, key=lambda figures: (str(figures.label).casefold(), figures.key))

    def monthly(self, months: list[Period], *, department=None) -> list[Figures]:
        """One Figures per month of `months` (no overdue: that is now only): three queries."""
        if not months:
            return []
        whole = Period(min(m.start for m in months), max(m.end for m in months))
        totals = Facts(department).monthly(whole)
        result = []
        for month in months:
            key = f"{month.start:%Y-%m}"
            size, values = self._values(totals.get(key), current=False)
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
            "reached": Count("*"),
            "answered": Count("threshold_reached_at", filter=answered),
            "answered_in_term": Count(
                "pk", filter=answered & Q(answered_at__date__lte=F("deadline"))
            ),
        }

    def _proposals(self, period: Period, department=None):
        proposals = Appeal.objects.filter(period.within("threshold_reached_at")).order_by()
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
