"""Bulk harvesting of the public requests through GET requests' date windows.

A national portal or a journalist walks the past window by window and page
by page; each request comes exactly once, and only what public pages show.
"""

import datetime as dt

import pytest
from django.utils import timezone

from appeals.models import Appeal

from .conftest import BASE, errors, xml

pytestmark = pytest.mark.django_db


def at(appeal: Appeal, moment: dt.datetime) -> Appeal:
    Appeal.objects.filter(pk=appeal.pk).update(registered_at=moment)
    appeal.refresh_from_db()
    return appeal


def kyiv(year, month, day, hour=0, minute=0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def references(client, query: str, fmt: str = "json") -> list[str]:
    response = client.get(f"{BASE}/requests.{fmt}{query}")
    assert response.status_code == 200, response.content
    if fmt == "xml":
        return [r.findtext("service_request_id") for r in xml(response).findall("request")]
    return [r["service_request_id"] for r in response.json()]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_end_date_without_a_time_includes_that_whole_day(client, city, fmt):
    late_evening = at(city["public"], kyiv(2026, 3, 31, 23, 30))
    assert references(client, "?start_date=2026-03-01&end_date=2026-03-31", fmt) == [
        late_evening.reference
    ]
    # One day, harvested as one: the first and the last moment both count.
    assert references(client, "?start_date=2026-03-31&end_date=2026-03-31", fmt) == [
        late_evening.reference
    ]
    assert references(client, "?start_date=2026-04-01&end_date=2026-04-30", fmt) == []
    # With a time, the end is that moment, as before.
    assert references(client, "?start_date=2026-03-01&end_date=2026-03-31T23:00:00", fmt) == []


def test_a_full_90_day_window_of_dates_is_accepted(client, city):
    at(city["public"], kyiv(2026, 3, 31, 12))
    # 1 January to 31 March: 90 days of dates, the last one whole.
    assert references(client, "?start_date=2026-01-01&end_date=2026-03-31") == [
        city["public"].reference
    ]
    response = client.get(f"{BASE}/requests.json?start_date=2026-01-01&end_date=2026-04-01")
    assert response.status_code == 400
    assert "90 days" in errors(response)[0]["description"]


def test_walking_windows_and_pages_yields_each_public_request_once(client, city, resident):
    from tests.appeals.public_factories import public_appeal

    pothole, district = city["public"].category, city["public"].district
    public = [city["public"]] + [
        public_appeal(resident, category=pothole, district=district, title=f"Яма {n}")
        for n in range(6)
    ]
    start = kyiv(2026, 1, 1, 8)
    for n, appeal in enumerate(public):
        at(appeal, start + dt.timedelta(days=37 * n))  # over 7 months: several windows
    # Not problems the public sees: private, sensitive, unmoderated; and a proposal.
    for hidden in ("private", "sensitive", "moderation", "proposal"):
        at(city[hidden], start + dt.timedelta(days=40))

    harvested = []
    day = dt.date(2026, 1, 1)
    while day <= dt.date(2026, 12, 31):
        last = min(day + dt.timedelta(days=89), dt.date(2026, 12, 31))
        page = 1
        while True:
            found = references(client, f"?start_date={day}&end_date={last}&page={page}&page_size=2")
            harvested += found
            if len(found) < 2:
                break
            page += 1
        day = last + dt.timedelta(days=1)

    assert sorted(harvested) == sorted(a.reference for a in public)
    for hidden in ("private", "sensitive", "moderation", "proposal"):
        assert city[hidden].reference not in harvested
