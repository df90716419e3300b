"""What the statistics pages show: the sources' figures, withheld where a group is small.

One rule for every page and every download (the monthly dataset too): a
group of fewer than SMALL_GROUP cases shows no figures, and a share, median
or average taken over fewer than SMALL_GROUP cases is withheld even in a
large group. Everything else about the figures is the sources' (the apps').

The figures are worked out at most once per STATISTICS_SECONDS per period,
department and language, by one request while the others keep the previous
copy (mycity.lib.cache.recomputed_once); the 12-month trends, which do not
depend on the period, once per TREND_SECONDS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mycity import transparency
from mycity.lib.cache import recomputed_once
from mycity.transparency import (
    BY_CATEGORY,
    BY_DEPARTMENT,
    BY_DISTRICT,
    COUNT,
    DAYS,
    PERCENT,
    RATING,
    SMALL_GROUP,
    Figures,
    FigureSource,
    Measure,
    Period,
    months_before,
)

STATISTICS_SECONDS = 10 * 60
TREND_SECONDS = 60 * 60

# A cell's state: a figure, too few cases to show one, or nothing to measure.
SHOWN, WITHHELD, EMPTY = "shown", "withheld", "empty"

BREAKDOWN_TITLES = {
    BY_DEPARTMENT: _("By department"),
    BY_CATEGORY: _("By category"),
    BY_DISTRICT: _("By district"),
}
DECIMALS = {COUNT: 0, PERCENT: 1, DAYS: 1, RATING: 1}


@dataclass(frozen=True)
class Cell:
    measure: Measure
    state: str
    value: int | float | None = None

    @property
    def text(self) -> str:
        """The figure as printed: grouped digits, one decimal, a percent sign."""
        if self.state != SHOWN:
            return "—"
        decimals = DECIMALS[self.measure.unit]
        # number_format cuts the digits off: round first (4.66 is 4.7).
        number = formats.number_format(
            round(self.value, decimals), decimals, use_l10n=True, force_grouping=True
        )
        return f"{number} %" if self.measure.unit == PERCENT else number


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    size: int
    cells: tuple[Cell, ...]

    @property
    def withheld(self) -> bool:
        """The whole group is under SMALL_GROUP cases: it shows no figure."""
        return self.size < SMALL_GROUP

    def cell(self, key: str) -> Cell:
        return next(cell for cell in self.cells if cell.measure.key == key)


def cell(figures: Figures, measure: Measure) -> Cell:
    """One figure of a group, withheld by the small-group rule."""
    if figures.size < SMALL_GROUP:
        return Cell(measure, WITHHELD)
    value = figures.values.get(measure.key)
    if measure.base is not None:
        base = figures.values.get(measure.base) or 0
        if base == 0:
            return Cell(measure, EMPTY)
        if base < SMALL_GROUP:
            return Cell(measure, WITHHELD)
    if value is None:
        return Cell(measure, EMPTY)
    return Cell(measure, SHOWN, value)


def row(figures: Figures, measures) -> Row:
    return Row(
        figures.key,
        figures.label,
        figures.size,
        tuple(cell(figures, measure) for measure in measures),
    )


def _cached(name: str, ttl: int, compute):
    return recomputed_once(f"stats:{name}:{get_language()}", ttl, compute)


def _scope(department) -> str:
    return department.slug if department is not None else "city"


def summary(source: FigureSource, period: Period, department=None) -> Row:
    figures = _cached(
        f"{source.key}:summary:{_scope(department)}:{period.start}:{period.end}",
        STATISTICS_SECONDS,
        lambda: source.figures(period, department=department),
    )
    return row(figures, source.measures)


def breakdown(source: FigureSource, period: Period, by: str, department=None) -> list[Row]:
    groups = _cached(
        f"{source.key}:by-{by}:{_scope(department)}:{period.start}:{period.end}",
        STATISTICS_SECONDS,
        lambda: source.breakdown(period, by, department=department),
    )
    return [row(figures, source.measures) for figures in groups]


def ranking(source: FigureSource, period: Period) -> list[tuple[int | None, Row]]:
    """The departments by the source's ranking measure, best first; withheld ones last.

    Equal figures share a place (1, 2, 2, 4); a withheld department has none.
    """
    rows = breakdown(source, period, BY_DEPARTMENT)
    shown = [r for r in rows if r.cell(source.ranking).state == SHOWN]
    shown.sort(key=lambda r: (-r.cell(source.ranking).value, r.label))
    ranked, place, previous = [], 0, None
    for index, entry in enumerate(shown, start=1):
        value = entry.cell(source.ranking).value
        if value != previous:
            place, previous = index, value
        ranked.append((place, entry))
    rest = sorted((r for r in rows if r not in shown), key=lambda r: r.label)
    return ranked + [(None, r) for r in rest]


def monthly(source: FigureSource, today: dt.date, department=None) -> list[Row]:
    """The last 12 months (this one so far), oldest first."""
    months = months_before(today)
    groups = _cached(
        f"{source.key}:monthly:{_scope(department)}:{today}",
        TREND_SECONDS,
        lambda: source.monthly(months, department=department),
    )
    return [row(figures, source.measures) for figures in groups]


@dataclass
class Section:
    """One source's part of a page."""

    source: FigureSource
    summary: Row
    breakdowns: list[tuple[str, str, list[Row]]]
    months: list[Row]
    ranking: list[tuple[int | None, Row]]

    @property
    def measures(self):
        return self.source.measures

    @property
    def trend_measures(self):
        return [m for m in self.source.measures if m.trend]

    @property
    def ranking_measure(self) -> Measure | None:
        return next((m for m in self.source.measures if m.key == self.source.ranking), None)

    @property
    def period_measures(self):
        """The measures of a period (all but the "now" ones, such as overdue now)."""
        return [m for m in self.source.measures if not m.current]


def sections(period: Period, department=None, *, today: dt.date | None = None) -> list[Section]:
    """Every source's figures for the city (with rankings) or for one department."""
    today = today or timezone.localdate()
    found = []
    for source in transparency.figure_sources():
        if department is None:
            kinds = source.breakdowns
        else:
            # A department's page breaks its figures down by its own categories.
            kinds = [by for by in source.breakdowns if by == BY_CATEGORY]
        found.append(
            Section(
                source=source,
                summary=summary(source, period, department),
                breakdowns=[
                    (by, BREAKDOWN_TITLES[by], breakdown(source, period, by, department))
                    for by in kinds
                ],
                months=monthly(source, today, department),
                ranking=ranking(source, period) if department is None and source.ranking else [],
            )
        )
    return found
