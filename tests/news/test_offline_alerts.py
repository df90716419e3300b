"""The offline page lists the city's alerts with their times; demo alerts' texts
agree with their own times."""

import datetime as dt
import io
import re

import pytest
from django.conf import settings
from django.utils import timezone

from news.models import Alert, Severity
from tests.factories import DistrictFactory

from .factories import make_alert

pytestmark = pytest.mark.django_db

KYIV = timezone.get_default_timezone()


def offline_html(client, language="uk") -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/offline/").content.decode()
    start = html.index('id="offline-alerts-title"')
    return html[start : html.index("</section>", start)]


def local(moment) -> dt.datetime:
    return timezone.localtime(moment, KYIV)


def test_the_offline_page_shows_each_alert_with_its_start_and_end(client, north):
    starts = timezone.now() - dt.timedelta(hours=2)
    ends = timezone.now() + dt.timedelta(hours=3)
    make_alert(districts=[north], starts_at=starts, ends_at=ends)

    block = offline_html(client, "en")

    assert "The shelter on Perekopska St is closed" in block
    assert f"Since {local(starts):%-d}" in block
    assert f"{local(starts):%H:%M}" in block
    assert f"until {local(ends):%-d}" in block
    assert f"{local(ends):%H:%M}" in block
    assert re.search(r"As of \d\d:\d\d", block)


def test_an_alert_without_an_end_says_until_further_notice(client):
    make_alert(whole_city=True, severity=Severity.WARNING)
    assert "до подальшого повідомлення" in offline_html(client, "uk")


def test_the_offline_page_names_every_districts_alerts_not_the_visitors(
    client_for, resident, north, south
):
    resident.district = north
    resident.save(update_fields=["district"])
    make_alert(districts=[south], title_uk="Вода в Південному", title_en="Water in South")

    assert "Вода в Південному" in offline_html(client_for(resident))


def test_ended_and_future_alerts_are_left_out(client):
    now = timezone.now()
    make_alert(
        whole_city=True,
        title_uk="Минуле",
        starts_at=now - dt.timedelta(hours=3),
        ends_at=now - dt.timedelta(hours=1),
    )
    make_alert(whole_city=True, title_uk="Майбутнє", starts_at=now + dt.timedelta(hours=1))
    block = offline_html(client)
    assert "Минуле" not in block
    assert "Майбутнє" not in block
    assert "Коли цю сторінку збережено, термінових сповіщень не було." in block


def test_the_offline_page_makes_one_query_at_most(client, django_assert_max_num_queries):
    make_alert(whole_city=True)
    with django_assert_max_num_queries(1):
        assert client.get("/offline/").status_code == 200


def test_demo_alerts_say_the_times_they_really_have():
    from news import demo

    for slug in ("korabelnyi", "dniprovskyi", "tsentralnyi"):
        DistrictFactory(slug=slug)

    demo.seed(io.StringIO())

    for alert in Alert.objects.all():
        start = f"{local(alert.starts_at):%H:%M}"
        end = f"{local(alert.ends_at):%H:%M}"
        for text in (alert.text_uk, alert.text_en):
            times = re.findall(r"\d{1,2}:\d\d", text)
            assert times, text
            assert set(times) <= {start, end}, (text, start, end)
            assert end in times
        assert alert.ends_at > timezone.now()
    assert Alert.objects.count() == len(demo.ALERTS)
