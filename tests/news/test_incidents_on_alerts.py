"""Issue 22: the city's incidents (outages, closures) on /alerts/, its map and the home page."""

import datetime as dt

import pytest
from django.utils import timezone

from news import live
from tests.factories import DistrictFactory, IncidentFactory, square
from tests.query_counts import assert_flat, counts_at_growing_data

from .factories import committed

pytestmark = pytest.mark.django_db

DRAWN = square(west=32.6, south=46.62, size=0.004)


def outages_part(html: str) -> str:
    return html.split('id="outages-title"')[1].split('id="recent-title"')[0]


def test_an_active_outage_is_listed_with_its_area_times_and_link(client, north):
    incident = IncidentFactory(
        districts=[north],
        started_at=timezone.now() - dt.timedelta(hours=2),
        expected_at=timezone.now() + dt.timedelta(hours=3),
    )
    part = outages_part(client.get("/alerts/").content.decode())
    assert "Немає світла" in part
    assert "⚡" in part
    assert north.name_uk in part
    assert f'href="/outages/{incident.pk}/"' in part
    assert timezone.localtime(incident.started_at).strftime("%H:%M") in part
    assert timezone.localtime(incident.expected_at).strftime("%H:%M") in part


def test_the_whole_city_is_named_as_such(client, everything_in_english):
    IncidentFactory(whole_city=True, title_en="No water anywhere", kind="water")
    client.cookies["django_language"] = "en"
    part = outages_part(client.get("/alerts/").content.decode())
    assert "No water anywhere" in part
    assert "The whole city" in part
    assert "Water outage" in part


@pytest.mark.parametrize("status", ["suggested", "dismissed"])
def test_suggestions_and_dismissed_incidents_are_not_shown(client, north, status):
    IncidentFactory(districts=[north], status=status, title_uk="Прихований збій")
    assert "Прихований збій" not in client.get("/alerts/").content.decode()


def test_restored_in_the_last_week_are_listed_older_ones_are_not(client, north):
    now = timezone.now()
    IncidentFactory(
        districts=[north], status="resolved", resolved_at=now - dt.timedelta(days=2),
        title_uk="Світло дали",
    )  # fmt: skip
    IncidentFactory(
        districts=[north], status="resolved", resolved_at=now - dt.timedelta(days=9),
        started_at=now - dt.timedelta(days=10), expected_at=None, title_uk="Давній збій",
    )  # fmt: skip
    html = client.get("/alerts/").content.decode()
    assert "Restored in the last seven days" in html or "Відновлено за останні сім днів" in html
    assert "Світло дали" in outages_part(html)
    assert "Давній збій" not in html


def test_the_residents_district_comes_first(client_for, resident, north, south):
    resident.district = south
    resident.save(update_fields=["district"])
    IncidentFactory(districts=[north], title_uk="Північ без світла")
    IncidentFactory(districts=[south], title_uk="Південь без світла",
                    started_at=timezone.now() - dt.timedelta(hours=5))  # fmt: skip
    part = outages_part(client_for(resident).get("/alerts/").content.decode())
    assert part.index("Південь без світла") < part.index("Північ без світла")


def test_a_drawn_area_counts_as_in_every_district(client_for, resident, north, south):
    resident.district = south
    resident.save(update_fields=["district"])
    IncidentFactory(districts=[north], title_uk="Північ без світла")
    IncidentFactory(area=DRAWN, title_uk="Квартал без води", kind="water",
                    started_at=timezone.now() - dt.timedelta(hours=5))  # fmt: skip
    part = outages_part(client_for(resident).get("/alerts/").content.decode())
    assert part.index("Квартал без води") < part.index("Північ без світла")
    assert live.incident_covers_district({"whole_city": False, "drawn": True, "districts": []}, 7)


def test_a_new_incident_reaches_the_page_at_once(client, north):
    client.get("/alerts/")  # the lists are cached
    with committed():
        IncidentFactory(districts=[north], title_uk="Щойно оголошено")
    assert "Щойно оголошено" in client.get("/alerts/").content.decode()


def test_a_resolved_or_deleted_incident_leaves_the_live_list(client, north):
    with committed():
        first = IncidentFactory(districts=[north], title_uk="Перший збій")
        second = IncidentFactory(districts=[north], title_uk="Другий збій")
    client.get("/alerts/")
    with committed():
        first.status = "resolved"
        first.resolved_at = timezone.now()
        first.save()
        second.delete()
    rows = live.visible_incidents(district_id=None, language="uk")
    assert rows == []
    part = outages_part(client.get("/alerts/").content.decode())
    assert "Другий збій" not in part
    assert "Перший збій" in part.split("Restored")[-1] or "Перший збій" in part


def test_changing_the_districts_refreshes_the_cache(north, south):
    with committed():
        incident = IncidentFactory(districts=[north])
    assert live.visible_incidents(district_id=None, language="uk")[0]["districts"] == [north.pk]
    with committed():
        incident.districts.add(south)
    row = live.visible_incidents(district_id=None, language="uk")[0]
    assert sorted(row["districts"]) == sorted([north.pk, south.pk])


def test_the_map_data_has_drawn_areas_and_district_boundaries(client, north, south):
    drawn = IncidentFactory(area=DRAWN, kind="water")
    by_district = IncidentFactory(districts=[north, south])
    features = client.get("/alerts/map.json").json()["features"]
    mine = [f for f in features if f["properties"].get("incident")]
    assert [f["geometry"] for f in mine if f["properties"]["url"] == f"/outages/{drawn.pk}/"] == [
        DRAWN
    ]
    shapes = [
        f["geometry"] for f in mine if f["properties"]["url"] == f"/outages/{by_district.pk}/"
    ]
    assert sorted(map(str, shapes)) == sorted(map(str, [north.boundary, south.boundary]))
    assert all(f["properties"]["icon"] and f["properties"]["title"] for f in mine)


def test_the_map_covers_every_district_for_the_whole_city(client, north, south):
    IncidentFactory(whole_city=True)
    IncidentFactory(districts=[north], status="resolved", resolved_at=timezone.now())
    mine = [
        f
        for f in client.get("/alerts/map.json").json()["features"]
        if f["properties"].get("incident")
    ]
    assert len(mine) == 2


def test_the_map_is_offered_when_an_outage_is_active(client, north):
    assert 'id="alerts-map"' not in client.get("/alerts/").content.decode()
    with committed():
        IncidentFactory(districts=[north])
    assert 'id="alerts-map"' in client.get("/alerts/").content.decode()


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_home_page_shows_active_outages(client, north, language):
    IncidentFactory(
        districts=[north], title_uk="Немає світла на Півночі", title_en="No power in the North"
    )
    live.refresh()
    client.cookies["django_language"] = language
    html = client.get("/", headers={"accept-language": language}).content.decode()
    expected = "Немає світла на Півночі" if language == "uk" else "No power in the North"
    assert expected in html
    assert ("Відключення зараз" if language == "uk" else "Outages now") in html


def test_the_home_page_makes_no_query_for_outages(client, north, django_assert_max_num_queries):
    IncidentFactory(districts=[north])
    live.refresh()
    client.get("/")
    with django_assert_max_num_queries(0):
        assert client.get("/").status_code == 200


def add_incidents(n: int) -> None:
    """n active incidents over two districts of their own and n restored yesterday."""
    now = timezone.now()
    for _ in range(n):
        IncidentFactory(districts=[DistrictFactory(), DistrictFactory()])
        IncidentFactory(area=square(west=32.61, south=46.63, size=0.002), kind="water")
        IncidentFactory(
            districts=[DistrictFactory()], status="resolved", resolved_at=now - dt.timedelta(days=1)
        )


@pytest.mark.parametrize("viewer", ["anonymous", "resident"])
def test_the_alerts_page_with_incidents_does_not_grow(request, client_for, viewer):
    client = client_for(request.getfixturevalue(viewer))
    assert_flat(counts_at_growing_data(client, "/alerts/", seed=add_incidents))


@pytest.mark.parametrize("viewer", ["anonymous", "resident"])
def test_the_map_data_with_incidents_does_not_grow(request, client_for, viewer):
    IncidentFactory(whole_city=True)
    client = client_for(request.getfixturevalue(viewer))
    assert_flat(counts_at_growing_data(client, "/alerts/map.json", seed=add_incidents))
