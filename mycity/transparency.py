"""Public figures and open datasets that feature apps contribute; the stats app publishes them.

The core holds the contract, as it does for home blocks: each app computes
figures about its own data and lists, on its AppConfig, dotted paths to them,

    figure_sources = ["appeals.transparency.APPEALS"]
    open_datasets = ["appeals.transparency.PUBLIC_APPEALS"]

and `stats` renders whatever the installed apps declare: the pages, the
small-group rule, the charts, the downloads in each format, the data
passports and the harvesting index. A source never hides small groups
itself, and a dataset never formats a file: that is one rule in one place.

A source counts every case, private and sensitive ones too, but returns
numbers only; each group says how many cases are behind it (`size`), and
each statistic names the count it is taken over (`Measure.base`), so that
stats can withhold the figures of a group, or a statistic, under
SMALL_GROUP cases. A dataset's rows are already public: it yields only
what its app shows to everyone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

# A group (or a statistic's base) of fewer cases than this shows no figures:
# a small category in one district must not identify anyone.
SMALL_GROUP = 5

# Units of a measure: how stats prints it.
COUNT, PERCENT, DAYS, RATING = "count", "percent", "days", "rating"
# The ways a source can break its figures down.
BY_DEPARTMENT, BY_CATEGORY, BY_DISTRICT = "department", "category", "district"


@dataclass(frozen=True)
class Period:
    """Whole local days from `start` to `end`, both included."""

    start: dt.date
    end: dt.date

    @property
    def since(self) -> dt.datetime:
        """The first moment of the period (aware, local midnight)."""
        return _midnight(self.start)

    @property
    def until(self) -> dt.datetime:
        """The first moment after the period: compare with `<`."""
        return _midnight(self.end + dt.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def within(self, field: str) -> Q:
        """Rows whose moment `field` falls in the period."""
        return Q(**{f"{field}__gte": self.since, f"{field}__lt": self.until})


def percent(part: int, whole: int) -> float | None:
    """A share as PERCENT measures give it: 0 to 100, one decimal; None of nothing."""
    return round(100 * part / whole, 1) if whole else None


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def months_before(day: dt.date, count: int = 12) -> list[Period]:
    """The `count` calendar months up to the one holding `day`, oldest first.

    The last one ends at `day` (the month so far).
    """
    first = day.replace(day=1)
    months = []
    for _ in range(count):
        following = (first + dt.timedelta(days=32)).replace(day=1)
        months.append(Period(first, min(following - dt.timedelta(days=1), day)))
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return months[::-1]


@dataclass(frozen=True)
class Measure:
    """One figure a source gives for every group."""

    key: str
    label: str
    # How it is computed, in a sentence a journalist can check: shown beside it.
    how: str
    unit: str = COUNT
    # For a share, a median or an average: the key of the count it is taken
    # over (in `Figures.values`; it need not be a measure shown itself). Under
    # SMALL_GROUP such cases the statistic is withheld even in a large group.
    base: str | None = None
    # Drawn as a 12-month trend on the pages.
    trend: bool = False
    # Meaningful for the present only (overdue now): no monthly values.
    current: bool = False


@dataclass
class Figures:
    """A group's figures: the city, a department, a category, a district or a month."""

    key: str
    label: str
    # The cases behind any of the figures (received, answered or open in the
    # period): under SMALL_GROUP, the group shows no figures at all.
    size: int
    values: dict[str, int | float | None] = field(default_factory=dict)


class FigureSource(Protocol):
    """What an app's figures answer to; see appeals/transparency.py for one."""

    key: str  # stable: "appeals"; used in URLs, cache keys and the monthly dataset
    title: str
    measures: tuple[Measure, ...]
    breakdowns: tuple[str, ...]  # of BY_DEPARTMENT, BY_CATEGORY, BY_DISTRICT
    # The measure the departments are ranked by, or None for no ranking.
    ranking: str | None

    def figures(self, period: Period, *, department=None) -> Figures:
        """The whole city's (or one department's) figures over `period`."""

    def breakdown(self, period: Period, by: str, *, department=None) -> list[Figures]:
        """One Figures per department, category or district (keyed by its slug)."""

    def monthly(self, months: list[Period], *, department=None) -> list[Figures]:
        """One Figures per month (keyed "YYYY-MM"), in the order given."""


# Types of a dataset's field, as the data passport and the JSON-LD name them.
STRING, INTEGER, NUMBER, BOOLEAN, DATE, DATETIME = (
    "string",
    "integer",
    "number",
    "boolean",
    "date",
    "datetime",
)
# How often a dataset changes (the passport's "update frequency").
DAILY, WEEKLY, MONTHLY, IRREGULAR = "daily", "weekly", "monthly", "irregular"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class Dataset:
    """A public dataset: its passport, and its rows as plain values.

    `rows()` yields one dict per row, keyed by the fields' names, with str,
    int, float, bool, date, datetime or None values. It must stream
    (`.iterator()`, `values_list`), never load the table: it may be a
    million rows. With `geometry`, the fields include "latitude" and
    "longitude" (None where there is no place: WGS 84 degrees) and a GeoJSON
    format is offered. PERCENT values are percentages, 0 to 100.
    """

    slug: str
    title: str
    description: str
    fields: tuple[Field, ...]
    rows: Callable[[], Iterable[dict[str, Any]]]
    # The app whose changes change the data (the page cache's version label).
    app_label: str
    frequency: str = DAILY
    keywords: tuple[str, ...] = ()
    geometry: bool = False
    # When the data last changed, or None if not known (the passport's "last updated").
    modified: Callable[[], dt.datetime | None] | None = None


def _declared(attribute: str) -> Iterator:
    for config in apps.get_app_configs():
        for path in getattr(config, attribute, ()):
            yield import_string(path)


@cache
def figure_sources() -> tuple[FigureSource, ...]:
    """The installed apps' figure sources, in the order of INSTALLED_APPS."""
    return tuple(_declared("figure_sources"))


@cache
def open_datasets() -> tuple[Dataset, ...]:
    """The installed apps' open datasets, in the order of INSTALLED_APPS."""
    return tuple(_declared("open_datasets"))
