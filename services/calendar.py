"""Working days, legal deadlines and the opening hours of service centres.

Public holidays come from the `holidays` package (holidays.Ukraine). Under
martial law public holidays are working days in Ukraine (Law No. 2136-IX,
art. 6; the package files them as "workday" holidays from 2022/2023): the
setting SERVICES_HOLIDAYS_ARE_DAYS_OFF (default false, the law today) makes
them days off again once martial law ends. Saturdays and Sundays are never
working days.
"""

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.utils import timezone


@lru_cache(maxsize=64)
def _holidays(year: int, days_off: bool) -> frozenset[dt.date]:
    categories = (holidays.PUBLIC, holidays.WORKDAY) if days_off else (holidays.PUBLIC,)
    return frozenset(holidays.Ukraine(years=year, categories=categories).keys())


def is_holiday(day: dt.date) -> bool:
    """A public holiday that is a day off (see the module's note on martial law)."""
    return day in _holidays(day.year, settings.SERVICES_HOLIDAYS_ARE_DAYS_OFF)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start` (the term starts the next day)."""
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of `day` in the city's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=zone)


def due_at(submitted: dt.datetime, *, working_days: int, urgent_hours: int | None = None):
    """When an answer is due: `urgent_hours` after submission, or the end of the
    `working_days`-th working day after the day of submission."""
    if urgent_hours:
        return submitted + dt.timedelta(hours=urgent_hours)
    return end_of_day(add_working_days(timezone.localdate(submitted), working_days))


# --- centres' opening hours ---------------------------------------------------


def periods_on(
    centre, day: dt.date, *, hours=None, exceptions=None
) -> list[tuple[dt.time, dt.time]]:
    """The centre's opening periods on `day`: its weekly hours unless an exception
    (a holiday, an outage) closes it or changes them. `hours` and `exceptions`
    may be passed in already fetched (lists of rows) to spare queries."""
    if exceptions is None:
        exceptions = list(centre.exceptions.filter(date=day))
    exception = next((e for e in exceptions if e.date == day), None)
    if exception is not None:
        return [] if exception.closed else [(exception.opens, exception.closes)]
    if is_holiday(day):
        return []
    if hours is None:
        hours = list(centre.hours.all())
    return [(h.opens, h.closes) for h in hours if h.weekday == day.weekday()]


def exception_on(day: dt.date, exceptions):
    return next((e for e in exceptions if e.date == day), None)


def is_open_at(centre, moment: dt.datetime, *, hours, exceptions) -> bool:
    local = timezone.localtime(moment)
    return any(
        opens <= local.time() < closes
        for opens, closes in periods_on(centre, local.date(), hours=hours, exceptions=exceptions)
    )


def slot_times(centre, day: dt.date, *, hours=None, exceptions=None) -> list[dt.datetime]:
    """Start times of visits on `day`: each opening period cut into slot_minutes,
    the last one ending by closing time."""
    zone = ZoneInfo(settings.TIME_ZONE)
    step = dt.timedelta(minutes=centre.slot_minutes)
    starts = []
    for opens, closes in periods_on(centre, day, hours=hours, exceptions=exceptions):
        moment = dt.datetime.combine(day, opens, tzinfo=zone)
        end = dt.datetime.combine(day, closes, tzinfo=zone)
        while moment + step <= end:
            starts.append(moment)
            moment += step
    return starts
