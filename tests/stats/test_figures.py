"""The one small-group rule, the ranking, the periods and the charts."""

import datetime as dt

import pytest
from django.utils import translation

from mycity.transparency import (
    COUNT,
    DAYS,
    PERCENT,
    RATING,
    Figures,
    Measure,
    Period,
    months_before,
)
from stats import periods
from stats.charts import chart, nice_ceiling
from stats.figures import EMPTY, SHOWN, WITHHELD, cell, row

SHARE = Measure("in_term_pct", "In time", "…", unit=PERCENT, base="answered")
COUNTED = Measure("received", "Received", "…")


@pytest.mark.parametrize(
    ("size", "values", "measure", "state"),
    [
        (4, {"received": 4}, COUNTED, WITHHELD),  # the group is under 5
        (5, {"received": 5}, COUNTED, SHOWN),
        (50, {"received": 0}, COUNTED, SHOWN),  # a zero is a figure
        (50, {"answered": 4, "in_term_pct": 100.0}, SHARE, WITHHELD),  # its base is under 5
        (50, {"answered": 5, "in_term_pct": 80.0}, SHARE, SHOWN),
        (50, {"answered": 0, "in_term_pct": None}, SHARE, EMPTY),  # nothing to measure
        (50, {}, COUNTED, EMPTY),
    ],
)
def test_small_group_rule(size, values, measure, state):
    assert cell(Figures("g", "G", size, values), measure).state == state


def test_a_withheld_cell_carries_no_value():
    shown = row(Figures("g", "G", 3, {"received": 3}), (COUNTED,))
    assert shown.withheld
    assert shown.cells[0].value is None
    assert shown.cells[0].text == "—"


@pytest.mark.parametrize(
    ("unit", "value", "uk", "en"),
    [
        (COUNT, 12345, "12 345", "12,345"),
        (PERCENT, 87.25, "87,2 %", "87.2 %"),
        (DAYS, 3, "3,0", "3.0"),
        (RATING, 4.66, "4,7", "4.7"),
    ],
)
def test_figures_are_printed_in_the_readers_language(unit, value, uk, en):
    measure = Measure("m", "M", "…", unit=unit)
    shown = cell(Figures("g", "G", 10, {"m": value}), measure)
    with translation.override("uk"):
        assert shown.text.replace("\xa0", " ") == uk
    with translation.override("en"):
        assert shown.text == en


def test_months_before_ends_with_the_month_so_far():
    months = months_before(dt.date(2026, 3, 15), 3)
    assert months == [
        Period(dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        Period(dt.date(2026, 3, 1), dt.date(2026, 3, 15)),
    ]
    assert len(months_before(dt.date(2026, 12, 31))) == 12


def test_a_period_is_whole_local_days():
    period = Period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert period.days == 30
    assert period.since.isoformat() == "2026-11-01T00:00:00+02:00"
    assert period.until.isoformat() == "2026-12-01T00:00:00+02:00"


TODAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("30d", Period(dt.date(2026, 11, 8), TODAY)),
        ("2026-q4", Period(dt.date(2026, 10, 1), TODAY)),
        ("2026-q3", Period(dt.date(2026, 7, 1), dt.date(2026, 9, 30))),
        ("2026-q1", Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))),
        ("2026", Period(dt.date(2026, 1, 1), TODAY)),
        ("2025", Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))),
        ("2025-q4", None),  # only the last four quarters are offered
        ("2019", None),
        ("2026-q5", None),
        ("abc", None),
    ],
)
def test_periods_offered(key, expected):
    assert periods.parse(key, TODAY) == expected


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"period": "custom", "start": "2026-02-01", "end": "2026-01-01"}, "after"),
        ({"period": "custom", "start": "2026-02-01"}, "both"),
        ({"period": "custom", "start": "2019-02-01", "end": "2026-01-01"}, "2020"),
        ({"period": "custom", "start": "2026-02-01", "end": "2026-12-08"}, "today"),
        ({"period": "custom", "start": "2021-02-01", "end": "2026-01-01"}, "three years"),
    ],
)
def test_a_period_of_ones_own_is_checked(data, error):
    with translation.override("en"):
        form = periods.PeriodForm(data, today=TODAY)
        assert not form.is_valid()
        assert error in " ".join(form.non_field_errors())
        assert form.chosen() == periods.parse("30d", TODAY)
        assert form.query() == ""


def test_a_chosen_period_is_kept_in_links():
    form = periods.PeriodForm(
        {"period": "custom", "start": "2026-01-01", "end": "2026-02-01"}, today=TODAY
    )
    assert form.chosen() == Period(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert form.query() == "period=custom&start=2026-01-01&end=2026-02-01"
    assert periods.PeriodForm({"period": "2026-q3"}, today=TODAY).query() == "period=2026-q3"


@pytest.mark.parametrize(
    ("value", "ceiling"), [(0, 1), (0.4, 0.5), (1, 1), (7, 10), (12, 20), (23, 25), (4100, 5000)]
)
def test_nice_ceiling(value, ceiling):
    assert nice_ceiling(value) == ceiling


def test_chart_bars_are_to_scale_and_withheld_months_have_none():
    measure = Measure("received", "Received", "…", trend=True)
    months = [
        ("Jan", row(Figures("2026-01", "", 10, {"received": 10}), (measure,))),
        ("Feb", row(Figures("2026-02", "", 20, {"received": 20}), (measure,))),
        ("Mar", row(Figures("2026-03", "", 2, {"received": 2}), (measure,))),
    ]
    drawn = chart(measure, months)
    first, second, third = drawn.bars
    assert second.height == 2 * first.height
    assert second.y + second.height == drawn.baseline
    assert (third.shown, third.height) == (False, 0)
    assert drawn.top == "20"
    assert not drawn.empty


def test_a_percent_chart_is_drawn_to_100():
    drawn = chart(
        SHARE, [("Jan", row(Figures("m", "", 9, {"answered": 9, "in_term_pct": 50.0}), (SHARE,)))]
    )
    assert drawn.top == "100 %"
    assert drawn.bars[0].height == pytest.approx((drawn.baseline - drawn.gridline) / 2, abs=0.1)
