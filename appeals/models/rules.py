"""The rules appeals' data follow: the public point's rounding and the law's terms."""

import calendar
import datetime as dt
import math

from django.db.models import F, Q, Value
from django.db.models.functions import Floor
from django.utils import timezone

# Public pages, the API and Open311 show a point only rounded to this many
# decimals of a degree (~110 m north-south, ~75 m east-west in Kherson), and
# everything public derived from a point (distances, area filters, ordering)
# is worked out from that rounded point, never from the exact one.
PUBLIC_POINT_DECIMALS = 3
_PUBLIC_STEP = 10**-PUBLIC_POINT_DECIMALS
EARTH_RADIUS_M = 6_371_000
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180


# One rounding rule for everything public derived from a point, so a point shown,
# a point filtered by area and a distance never disagree, not even on a tie
# (46.6355), where Python's round() and a comparison with bounds each broke ties
# their own way and told a prober that the exact point sat on one. The rule is
# floor(x * 1000 + 1/2), computed with the same IEEE double operations in
# Python, PostgreSQL and SQLite; an area is cut at the exact doubles where that
# formula steps, so plain ranges on the columns (which the indexes serve) agree
# with it to the last bit.
_CELLS_PER_DEGREE = 1 / _PUBLIC_STEP


def public_cell(value: float) -> int:
    """The public coordinate in whole steps of the rounding."""
    return math.floor(value * _CELLS_PER_DEGREE + 0.5)


def public_point(latitude: float, longitude: float) -> tuple[float, float]:
    """The point as the public sees it: the one rounding rule."""
    return (
        round(public_cell(latitude) * _PUBLIC_STEP, PUBLIC_POINT_DECIMALS),
        round(public_cell(longitude) * _PUBLIC_STEP, PUBLIC_POINT_DECIMALS),
    )


def _public_cell(field: str):
    """SQL: public_cell() of the row's `field`."""
    return Floor(F(field) * Value(_CELLS_PER_DEGREE) + Value(0.5))


def _cell_start(cell: int) -> float:
    """The smallest double whose public cell is `cell` or more."""
    value = (cell - 0.5) * _PUBLIC_STEP  # within a few doubles of it
    while public_cell(value) >= cell:
        value = math.nextafter(value, -math.inf)
    while public_cell(value) < cell:
        value = math.nextafter(value, math.inf)
    return value


def public_point_within(*, south: float, north: float, west: float, east: float) -> Q:
    """Rows whose public (rounded) point lies in the box, as a filter on the exact columns.

    The box takes whole cells of the grid (those whose rounded value lies
    within it), so whether a row matches depends only on its rounded point:
    shrinking the box step by step (bisection) finds the rounded point, which
    is public anyway, and nothing finer.
    """
    lat_from, lat_to = _cells_within(south, north)
    lon_from, lon_to = _cells_within(west, east)
    return Q(
        latitude__gte=_cell_start(lat_from),
        latitude__lt=_cell_start(lat_to + 1),
        longitude__gte=_cell_start(lon_from),
        longitude__lt=_cell_start(lon_to + 1),
    )


def _cells_within(low: float, high: float) -> tuple[int, int]:
    """The first and last cell whose rounded value lies in [low, high]."""
    return math.ceil(round(low / _PUBLIC_STEP, 6)), math.floor(round(high / _PUBLIC_STEP, 6))


def public_point_near(*, latitude: float, longitude: float, radius_m: float) -> tuple[Q, object]:
    """(filter, squared distance) for rows whose public point lies within `radius_m`.

    The filter is a box on the exact columns (the location index) cut as
    public_point_within cuts it, narrowed by the distance in SQL; the
    distance (square metres, for ordering) is equirectangular from the given
    point to the row's public point, so whether a row matches and its order
    depend only on the rounded point the public sees. Within the 50 km the
    API allows, equirectangular is within half a percent of the great circle.
    """
    cos_lat = max(math.cos(math.radians(latitude)), 1e-6)
    dlat = radius_m / METRES_PER_DEGREE
    dlon = min(radius_m / (METRES_PER_DEGREE * cos_lat), 360)
    box = public_point_within(
        south=latitude - dlat, north=latitude + dlat, west=longitude - dlon, east=longitude + dlon
    )
    metres_per_step = METRES_PER_DEGREE * _PUBLIC_STEP
    dy = (_public_cell("latitude") - Value(latitude / _PUBLIC_STEP)) * Value(metres_per_step)
    dx = (_public_cell("longitude") - Value(longitude / _PUBLIC_STEP)) * Value(
        metres_per_step * cos_lat
    )
    return box, dx * dx + dy * dy


TERM_NO_STUDY_DAYS = 15  # "не пізніше п'ятнадцяти днів" when no extra study is needed
TERM_ONE_MONTH = 30  # "не більше одного місяця": a calendar month, not 30 days
TERM_CAP_DAYS = 45  # "не може перевищувати сорока п'яти днів" with the extension


def add_calendar_month(day: dt.date) -> dt.date:
    """The same day of the next month; the last day of that month when it is shorter."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def legal_deadline(registered: dt.datetime | dt.date, days: int) -> dt.date:
    """The day an answer is due, counted from `registered` in Kyiv time (Art. 20).

    `days` is the term as stored on the category or appeal: TERM_ONE_MONTH (30)
    means "one month" and is counted as a calendar month (31 January -> 28/29
    February, 14 February -> 14 March); any other number is counted in calendar
    days, as the law counts the 15-day and 45-day terms. Every deadline
    (filing, reopening, extension cap, restart after a reply) goes through here.
    """
    start = timezone.localdate(registered) if isinstance(registered, dt.datetime) else registered
    if days == TERM_ONE_MONTH:
        return add_calendar_month(start)
    return start + dt.timedelta(days=days)
