"""A figure source and a dataset of known numbers, standing in for the apps' own.

The stats app publishes whatever the installed apps declare
(mycity/transparency.py); these tests give it sources whose figures are
fixed, so that what the pages and files show can be asserted exactly.
"""

import datetime as dt

import pytest

from mycity import transparency
from mycity.transparency import (
    BOOLEAN,
    BY_CATEGORY,
    BY_DEPARTMENT,
    DATE,
    DATETIME,
    NUMBER,
    PERCENT,
    STRING,
    Dataset,
    Field,
    Figures,
    Measure,
)

MEASURES = (
    Measure("received", "Received", "Registered in the period.", trend=True),
    Measure("answered", "Answered", "Answered in the period."),
    Measure(
        "in_term_pct",
        "Answered in time",
        "Of the answered, within the term.",
        unit=PERCENT,
        base="answered",
        trend=True,
    ),
    Measure("overdue_now", "Overdue now", "Open past the term today.", current=True),
)


class FakeSource:
    key = "fake"
    title = "Fake appeals"
    measures = MEASURES
    breakdowns = (BY_DEPARTMENT, BY_CATEGORY)
    ranking = "in_term_pct"

    def __init__(self):
        self.city = Figures(
            "city",
            "City",
            40,
            {"received": 40, "answered": 20, "in_term_pct": 75.0, "overdue_now": 3},
        )
        self.groups = {
            BY_DEPARTMENT: [
                Figures(
                    "roads",
                    "Roads",
                    30,
                    {"received": 30, "answered": 10, "in_term_pct": 60.0, "overdue_now": 2},
                ),
                Figures(
                    "water",
                    "Water",
                    8,
                    {"received": 8, "answered": 6, "in_term_pct": 100.0, "overdue_now": 1},
                ),
                Figures(
                    "parks",
                    "Parks",
                    12,
                    {"received": 12, "answered": 3, "in_term_pct": 100.0, "overdue_now": 0},
                ),
                Figures(
                    "tiny",
                    "Tiny",
                    2,
                    {"received": 2, "answered": 2, "in_term_pct": 50.0, "overdue_now": 0},
                ),
            ],
            BY_CATEGORY: [
                Figures(
                    "potholes",
                    "Potholes",
                    25,
                    {"received": 25, "answered": 9, "in_term_pct": 55.5, "overdue_now": 2},
                ),
            ],
        }
        self.calls = []

    def figures(self, period, *, department=None):
        self.calls.append(("figures", period, department))
        if department is not None:
            return next(g for g in self.groups[BY_DEPARTMENT] if g.key == department.slug)
        return self.city

    def breakdown(self, period, by, *, department=None):
        self.calls.append(("breakdown", period, by, department))
        return self.groups[by]

    def monthly(self, months, *, department=None):
        self.calls.append(("monthly", len(months), department))
        return [
            Figures(
                month.start.strftime("%Y-%m"),
                month.start.strftime("%Y-%m"),
                index,
                {"received": index, "answered": index, "in_term_pct": 80.0, "overdue_now": None},
            )
            for index, month in enumerate(months)
        ]


ROWS = [
    {
        "reference": "KH-2026-000001",
        "title": '=HYPERLINK("http://evil")',
        "answered_in_term": True,
        "registered_at": dt.datetime(2026, 11, 2, 8, 30, tzinfo=dt.UTC),
        "answered_on": dt.date(2026, 11, 10),
        "score": 4.5,
        "latitude": 46.635,
        "longitude": 32.617,
    },
    {
        "reference": "KH-2026-000002",
        "title": 'Вода, "кран"\nтече',
        "answered_in_term": None,
        "registered_at": dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC),
        "answered_on": None,
        "score": None,
        "latitude": None,
        "longitude": None,
    },
]

FAKE_DATASET = Dataset(
    slug="fake",
    title="Fake appeals",
    description="Rows of known values.",
    fields=(
        Field("reference", STRING, "The reference."),
        Field("title", STRING, "A text."),
        Field("answered_in_term", BOOLEAN, "In term."),
        Field("registered_at", DATETIME, "Registered."),
        Field("answered_on", DATE, "Answered."),
        Field("score", NUMBER, "A number."),
        Field("latitude", NUMBER, "Rounded latitude."),
        Field("longitude", NUMBER, "Rounded longitude."),
    ),
    rows=lambda: iter(ROWS),
    app_label="stats",
    geometry=True,
    keywords=("test",),
    modified=lambda: dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC),
)


@pytest.fixture
def fake_source(monkeypatch):
    source = FakeSource()
    monkeypatch.setattr(transparency, "figure_sources", lambda: (source,))
    return source


@pytest.fixture
def fake_dataset(monkeypatch):
    monkeypatch.setattr(transparency, "open_datasets", lambda: (FAKE_DATASET,))
    return FAKE_DATASET
