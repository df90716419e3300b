"""Working days with Ukrainian public holidays, legal deadlines, and centres' hours."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from services import calendar
from services.models import CentreException

from .factories import ServiceCentreFactory

KYIV = ZoneInfo("Europe/Kyiv")


def test_weekends_are_never_working_days():
    friday = dt.date(2026, 11, 27)
    assert calendar.add_working_days(friday, 1) == dt.date(2026, 11, 30)


def test_the_term_starts_the_day_after_submission():
    monday = dt.date(2026, 11, 23)
    assert calendar.add_working_days(monday, 5) == dt.date(2026, 11, 30)


def test_under_martial_law_public_holidays_are_working_days():
    # 24 August 2026 (Independence Day) is a Monday; under martial law it is worked.
    friday = dt.date(2026, 8, 21)
    assert calendar.add_working_days(friday, 1) == dt.date(2026, 8, 24)


def test_once_holidays_are_days_off_again_they_are_skipped(settings):
    settings.SERVICES_HOLIDAYS_ARE_DAYS_OFF = True
    friday = dt.date(2026, 8, 21)
    assert calendar.add_working_days(friday, 1) == dt.date(2026, 8, 25)
    # Christmas (25 Dec 2026, a Friday): 5 working days from Wednesday 23 Dec.
    assert calendar.add_working_days(dt.date(2026, 12, 23), 5) == dt.date(2026, 12, 31)


def test_holidays_before_martial_law_were_days_off_with_their_transfers():
    # 2021: 3 and 4 May were days off (Labour Day and Easter observed), 10 May too.
    assert calendar.add_working_days(dt.date(2021, 4, 30), 1) == dt.date(2021, 5, 5)
    assert not calendar.is_working_day(dt.date(2021, 5, 10))


def test_a_deadline_ends_at_the_end_of_the_last_working_day():
    submitted = dt.datetime(2026, 11, 27, 16, 30, tzinfo=KYIV)  # Friday
    due = calendar.due_at(submitted, working_days=5)
    assert due == dt.datetime(2026, 12, 4, 23, 59, 59, tzinfo=KYIV)


def test_an_urgent_deadline_counts_hours_not_days():
    submitted = dt.datetime(2026, 11, 27, 16, 30, tzinfo=KYIV)
    assert calendar.due_at(submitted, working_days=5, urgent_hours=48) == submitted + dt.timedelta(
        hours=48
    )


@pytest.mark.django_db
def test_slots_follow_the_weekly_hours_and_a_lunch_break():
    centre = ServiceCentreFactory(
        slot_minutes=60, weekly=[(0, "08:00", "10:00"), (0, "11:00", "12:30")]
    )
    monday = dt.date(2026, 11, 23)
    starts = [t.strftime("%H:%M") for t in calendar.slot_times(centre, monday)]
    assert starts == ["08:00", "09:00", "11:00"]
    assert calendar.slot_times(centre, monday + dt.timedelta(days=1)) == []


@pytest.mark.django_db
def test_an_outage_shortens_the_day_and_a_closure_empties_it():
    centre = ServiceCentreFactory(slot_minutes=60)
    day = dt.date(2026, 11, 24)
    CentreException.objects.create(
        centre=centre, date=day, reason="outage", opens=dt.time(10), closes=dt.time(12)
    )
    assert [t.hour for t in calendar.slot_times(centre, day)] == [10, 11]
    CentreException.objects.create(centre=centre, date=day + dt.timedelta(days=1), reason="safety")
    assert calendar.slot_times(centre, day + dt.timedelta(days=1)) == []


@pytest.mark.django_db
def test_centres_close_on_holidays_only_when_holidays_are_days_off(settings):
    centre = ServiceCentreFactory(slot_minutes=60)
    christmas = dt.date(2026, 12, 25)
    assert calendar.slot_times(centre, christmas)
    settings.SERVICES_HOLIDAYS_ARE_DAYS_OFF = True
    assert calendar.slot_times(centre, christmas) == []


@pytest.mark.django_db
def test_open_now_reads_the_hours_in_kyiv_time():
    centre = ServiceCentreFactory(weekly=[(0, "09:00", "17:00")])
    hours, exceptions = list(centre.hours.all()), []
    inside = dt.datetime(2026, 11, 23, 9, 0, tzinfo=KYIV)
    assert calendar.is_open_at(centre, inside, hours=hours, exceptions=exceptions)
    closing = dt.datetime(2026, 11, 23, 17, 0, tzinfo=KYIV)
    assert not calendar.is_open_at(centre, closing, hours=hours, exceptions=exceptions)
    # 06:30 UTC is 08:30 in Kyiv: not yet open.
    early = dt.datetime(2026, 11, 23, 6, 30, tzinfo=dt.UTC)
    assert not calendar.is_open_at(centre, early, hours=hours, exceptions=exceptions)
