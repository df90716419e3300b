"""The history of urgent alerts as an open dataset (mycity/transparency.py)."""

import datetime as dt
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from mycity import transparency
from news.models import Alert, AlertKind, Severity
from news.services import alert_resolve
from news.transparency import ALERTS
from tests.factories import DistrictFactory
from tests.query_counts import SIZES, assert_flat

from .factories import committed, make_alert


@pytest.fixture
def districts(db):
    return {
        "north": DistrictFactory(slug="north", name_uk="Північний", name_en="Northern", ordering=1),
        "south": DistrictFactory(slug="south", name_uk="Південний", name_en="Southern", ordering=2),
    }


@pytest.fixture
def alerts(districts):
    start = timezone.now() - dt.timedelta(hours=5)
    power = make_alert(
        kind=AlertKind.POWER,
        severity=Severity.WARNING,
        districts=[districts["south"], districts["north"]],
        starts_at=start,
        ends_at=start + dt.timedelta(hours=8),
        title_uk="Відключення світла",
        title_en="Power cut",
    )
    shelter = make_alert(whole_city=True, starts_at=start + dt.timedelta(hours=1))
    with committed():
        alert_resolve(alert=shelter)
    draft = make_alert(
        publish=False, districts=[districts["north"]], title_uk="Чернетка", title_en="Draft"
    )
    return {
        "power": Alert.objects.get(pk=power.pk),
        "shelter": Alert.objects.get(pk=shelter.pk),
        "draft": draft,
    }


def test_news_declares_the_alerts_dataset():
    assert ALERTS in transparency.open_datasets()
    assert (ALERTS.slug, ALERTS.app_label, ALERTS.geometry) == ("alerts", "news", False)


def test_alert_rows_in_english(settings, alerts):
    power, shelter = alerts["power"], alerts["shelter"]

    with translation.override("en"):
        rows = list(ALERTS.rows())

    assert rows == [
        {
            "id": power.pk,
            "kind": "power",
            "kind_label": "Power outage",
            "severity": "warning",
            "severity_label": "warning",
            "title": "Power cut",
            "text": "Use the shelter in school 5.",
            "status": "published",
            "starts_at": power.starts_at,
            "published_at": power.published_at,
            "ends_at": power.ends_at,
            "resolved_at": None,
            "districts": "Northern, Southern",
            "url": f"{settings.SITE_URL}/alerts/{power.pk}/",
        },
        {
            "id": shelter.pk,
            "kind": "shelter",
            "kind_label": "Shelter change",
            "severity": "critical",
            "severity_label": "critical",
            "title": "The shelter on Perekopska St is closed",
            "text": "Use the shelter in school 5.",
            "status": "resolved",
            "starts_at": shelter.starts_at,
            "published_at": shelter.published_at,
            "ends_at": None,
            "resolved_at": shelter.resolved_at,
            "districts": "whole city",
            "url": f"{settings.SITE_URL}/alerts/{shelter.pk}/",
        },
    ]
    assert power.published_at is not None
    assert shelter.resolved_at is not None
    assert [f.name for f in ALERTS.fields] == list(rows[0])


def test_alert_rows_in_ukrainian(alerts):
    with translation.override("uk"):
        power, shelter = ALERTS.rows()

    assert (power["title"], power["kind_label"], power["districts"]) == (
        "Відключення світла",
        "Відключення світла",
        "Північний, Південний",
    )
    assert shelter["title"] == "Укриття на вул. Перекопській зачинене"
    assert shelter["districts"] == "усе місто"


def test_drafts_are_never_in_the_dataset(alerts):
    ids = [row["id"] for row in ALERTS.rows()]

    assert alerts["draft"].pk not in ids
    assert "Draft" not in [row["title"] for row in ALERTS.rows()]


def test_modified_is_the_latest_change_of_a_public_alert(alerts):
    assert ALERTS.modified() == alerts["shelter"].updated_at
    assert alerts["draft"].updated_at > alerts["shelter"].updated_at


def test_modified_without_alerts(db):
    make_alert(publish=False, whole_city=True)

    assert ALERTS.modified() is None
    assert list(ALERTS.rows()) == []


def test_rows_stream_with_a_constant_number_of_queries(districts):
    def seed(n):
        for i in range(n):
            make_alert(
                districts=list(districts.values())[: 1 + i % 2],
                whole_city=i % 5 == 0,
                publish=i % 7 != 0,
            )

    counts, seeded = [], 0
    for size in SIZES:
        seed(size - seeded)
        seeded = size
        with CaptureQueriesContext(connection) as queries:
            rows = ALERTS.rows()
            assert isinstance(rows, Iterator)
            rows = list(rows)
        counts.append(len(queries))
    assert_flat(counts, limit=3)
    assert len(rows) == Alert.objects.public().count()
