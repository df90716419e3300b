"""The urgent-alert banner on every page and the live endpoint open pages poll."""

import datetime as dt

import pytest
from django.utils import timezone

from news.models import Severity
from news.services import alert_resolve, alert_update_add

from .factories import committed, make_alert

pytestmark = pytest.mark.django_db


def banner(html: str) -> str:
    start = html.find('id="alert-banner"')
    return (
        html[start : html.find("</div>", html.find('id="alert-banner-items"'))]
        if start >= 0
        else ""
    )


def test_banner_shows_an_active_alert_on_every_page(client, north):
    alert = make_alert(districts=[north])
    for url in ["/", "/news/", "/alerts/", "/accounts/login/"]:
        assert alert.title_uk in banner(client.get(url).content.decode()), url


def test_banner_hides_an_expired_alert_by_itself(client, clock, north):
    alert = make_alert(districts=[north], ends_at=timezone.now() + dt.timedelta(minutes=5))
    assert alert.title_uk in banner(client.get("/").content.decode())
    clock.shift(dt.timedelta(minutes=6))  # no job runs, no cache is cleared
    assert alert.title_uk not in banner(client.get("/").content.decode())


def test_banner_shows_a_scheduled_alert_from_its_start(client, clock, north):
    alert = make_alert(districts=[north], starts_at=timezone.now() + dt.timedelta(minutes=10))
    assert alert.title_uk not in banner(client.get("/").content.decode())
    clock.shift(dt.timedelta(minutes=11))
    assert alert.title_uk in banner(client.get("/").content.decode())


def test_banner_hides_drafts_and_resolved_alerts(client, north):
    draft = make_alert(districts=[north], publish=False, title_uk="Чернетка")
    resolved = make_alert(districts=[north], title_uk="Вирішено")
    with committed():
        alert_resolve(alert=resolved)
    html = banner(client.get("/").content.decode())
    assert draft.title_uk not in html
    assert resolved.title_uk not in html


def test_resident_sees_alerts_of_their_district_and_the_whole_city_only(
    client_for, resident, north, south
):
    resident.district = north
    resident.save()
    mine = make_alert(districts=[north], title_uk="Північ")
    city = make_alert(whole_city=True, title_uk="Усе місто")
    theirs = make_alert(districts=[south], title_uk="Південь")
    html = banner(client_for(resident).get("/").content.decode())
    assert mine.title_uk in html
    assert city.title_uk in html
    assert theirs.title_uk not in html


def test_visitor_sees_every_active_alert(client, north, south):
    one = make_alert(districts=[north], title_uk="Північ")
    two = make_alert(districts=[south], title_uk="Південь")
    html = banner(client.get("/").content.decode())
    assert one.title_uk in html
    assert two.title_uk in html


def test_most_severe_and_newest_come_first(client, north):
    now = timezone.now()
    info = make_alert(districts=[north], severity=Severity.INFO, title_uk="Інфо")
    old_critical = make_alert(
        districts=[north], title_uk="Старе критичне", starts_at=now - dt.timedelta(hours=3)
    )
    new_critical = make_alert(
        districts=[north], title_uk="Нове критичне", starts_at=now - dt.timedelta(minutes=2)
    )
    warning = make_alert(districts=[north], severity=Severity.WARNING, title_uk="Попередження")
    html = banner(client.get("/").content.decode())
    order = [html.index(a.title_uk) for a in (new_critical, old_critical, warning, info)]
    assert order == sorted(order)


def test_banner_costs_no_query_once_cached(client, north, django_assert_max_num_queries):
    for i in range(5):
        make_alert(districts=[north], title_uk=f"Тривога {i}")
    client.get("/alerts/live/")
    with django_assert_max_num_queries(0):
        assert client.get("/alerts/live/").status_code == 200


# --- The live endpoint ------------------------------------------------------


def test_live_endpoint_returns_a_new_alert(client, north):
    first = client.get(f"/alerts/live/?district={north.pk}")
    assert first.status_code == 200
    assert b"alert-banner-item" not in first.content

    alert = make_alert(districts=[north], title_uk="Нова тривога")

    response = client.get(f"/alerts/live/?district={north.pk}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert response.status_code == 200
    html = response.content.decode()
    assert "Нова тривога" in html
    assert f'href="/alerts/{alert.pk}/"' in html
    assert "alert-level-critical" in html
    assert response["ETag"] != first["ETag"]


def test_live_endpoint_answers_304_while_nothing_changes(client, north):
    make_alert(districts=[north])
    first = client.get(f"/alerts/live/?district={north.pk}")
    again = client.get(f"/alerts/live/?district={north.pk}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert "no-cache" in again["Cache-Control"]


def test_live_endpoint_shows_an_update_as_a_change(client, north):
    alert = make_alert(districts=[north])
    first = client.get(f"/alerts/live/?district={north.pk}")
    with committed():
        alert_update_add(alert=alert, text_uk="Вода є.", text_en="Water is back.")
    again = client.get(f"/alerts/live/?district={north.pk}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200


def test_live_endpoint_filters_by_district(client, north, south):
    make_alert(districts=[south], title_uk="Південь")
    assert "Південь" not in client.get(f"/alerts/live/?district={north.pk}").content.decode()
    assert "Південь" in client.get(f"/alerts/live/?district={south.pk}").content.decode()
    assert "Південь" in client.get("/alerts/live/?district=junk").content.decode()


def test_live_endpoint_speaks_the_visitors_language(client, north):
    make_alert(districts=[north])
    client.cookies["django_language"] = "en"
    assert "The shelter on Perekopska St is closed" in client.get("/alerts/live/").content.decode()


def test_page_tells_the_script_where_to_poll(client_for, resident, north):
    resident.district = north
    resident.save()
    html = client_for(resident).get("/").content.decode()
    assert f'data-live-url="/alerts/live/?district={north.pk}"' in html
    assert "news/alerts-live.js" in html
