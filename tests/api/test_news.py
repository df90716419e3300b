"""The news resources: news, topics, urgent alerts with their ETag, the news subscription."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from mycity.lib.filters import SLUG_MAX_LENGTH
from news import live
from news.models import AlertKind, NewsItem, Severity, Subscription
from news.services import (
    alert_resolve,
    alert_update_add,
    newsitem_set_status,
    subscription_get,
    subscription_set,
)
from tests.factories import DistrictFactory
from tests.news.factories import TopicFactory, committed, make_alert, make_item
from tests.problems import fields, messages

pytestmark = pytest.mark.django_db
V1 = "/api/v1"
READERS = ["anonymous", "resident", "moderator", "city_admin"]


@pytest.fixture
def city(db):
    return TopicFactory(slug="city", name_uk="Місто", name_en="City")


@pytest.fixture
def water(db):
    return TopicFactory(slug="water", name_uk="Вода", name_en="Water")


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def jpeg(width=2000, height=1200) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, "JPEG")
    out.seek(0)
    out.name = "cover.jpg"
    out.size = len(out.getvalue())
    return out


@pytest.fixture
def clock(monkeypatch):
    """django.utils.timezone.now, moved forward by the test."""
    real = timezone.now
    offset = [dt.timedelta()]
    monkeypatch.setattr(timezone, "now", lambda: real() + offset[0])

    class Clock:
        def shift(self, delta):
            offset[0] += delta

    return Clock()


def ago(**kwargs):
    return timezone.now() - dt.timedelta(**kwargs)


def slugs(response) -> list[str]:
    return [row["slug"] for row in response.json()["results"]]


@pytest.fixture
def news(city, water, north, south):
    return {
        "old": make_item(
            title_uk="Стара новина", title_en="Old news", topic=city, published_at=ago(days=2)
        ),
        "new": make_item(
            title_uk="Свіжа новина", title_en="Fresh news", topic=water, published_at=ago(hours=1)
        ),
        "pinned": make_item(
            title_uk="Закріплена",
            title_en="Pinned",
            topic=city,
            pinned=True,
            published_at=ago(days=5),
        ),
        "north": make_item(
            title_uk="Для півночі",
            title_en="For the north",
            topic=water,
            districts=[north],
            published_at=ago(hours=3),
        ),
        "south": make_item(
            title_uk="Для півдня",
            title_en="For the south",
            topic=city,
            districts=[south],
            published_at=ago(hours=4),
        ),
        "draft": make_item(
            title_uk="Чернетка", title_en="Draft", topic=city, status=NewsItem.Status.DRAFT
        ),
        "scheduled": make_item(
            title_uk="Заплановано",
            title_en="Scheduled",
            topic=city,
            published_at=timezone.now() + dt.timedelta(hours=1),
        ),
    }


# --- News ------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_list_shows_published_news_pinned_then_newest_to_everyone(api_for, request, news, role):
    response = api_for(request.getfixturevalue(role)).get(f"{V1}/news/")
    assert response.status_code == 200
    expected = ["pinned", "new", "north", "south", "old"]
    assert slugs(response) == [news[k].slug_en for k in expected]


def test_list_rows_carry_what_the_app_shows(api, news, north):
    row = next(r for r in api.get(f"{V1}/news/").json()["results"] if r["title"] == "For the north")
    item = news["north"]
    assert row["lead"] == item.lead_en
    assert row["topic"] == {"slug": "water", "name": "Water"}
    assert row["districts"] == [{"slug": "north", "name": "North"}]
    assert row["url"] == f"http://testserver/news/{item.slug_en}/"
    assert row["cover"] is None
    assert "body_html" not in row


def test_list_and_detail_are_in_the_callers_language(news):
    uk = APIClient(HTTP_ACCEPT_LANGUAGE="uk")
    row = uk.get(f"{V1}/news/").json()["results"][0]
    assert (row["title"], row["topic"]["name"]) == ("Закріплена", "Місто")
    assert row["slug"] == news["pinned"].slug_uk
    assert row["url"].endswith(f"/news/{news['pinned'].slug_uk}/")
    detail = uk.get(f"{V1}/news/{news['pinned'].slug_en}/").json()
    assert detail["title"] == "Закріплена"
    assert detail["body_html"] == news["pinned"].body_html_uk


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("topic=water", ["new", "north"]),
        ("district=north", ["pinned", "new", "north", "old"]),  # its own and the whole city's
        ("topic=city&district=south", ["pinned", "south", "old"]),
        ("topic=nope", []),
        ("district=nope", []),
    ],
)
def test_list_filters_as_the_web_list(api, news, query, expected):
    assert slugs(api.get(f"{V1}/news/?{query}")) == [news[k].slug_en for k in expected]


def test_cover_renditions_are_absolute_urls(api, city, media_root):
    item = make_item(topic=city, cover_upload=jpeg())
    cover = api.get(f"{V1}/news/").json()["results"][0]["cover"]
    assert [s["width"] for s in cover["sizes"]] == [480, 960, 1600]
    assert cover["url"] == f"http://testserver{item.cover_url(960)}"
    assert all(s["url"].startswith("http://testserver/media/news/covers/") for s in cover["sizes"])
    assert (cover["width"], cover["height"]) == (1600, 960)


def test_list_query_count_does_not_grow_with_rows(
    api, city, north, south, django_assert_num_queries
):
    for i in range(3):
        make_item(topic=city, districts=[north, south], published_at=ago(minutes=i + 1))
    # version (cache), count, rows, their districts, the next scheduled time
    with django_assert_num_queries(4):
        assert len(api.get(f"{V1}/news/?page=1").json()["results"]) == 3
    for i in range(25):
        make_item(topic=city, districts=[north, south], published_at=ago(minutes=i + 10))
    with django_assert_num_queries(4):
        assert len(api.get(f"{V1}/news/?page=2").json()["results"]) == 8


def test_list_is_answered_from_the_cache_until_the_news_change(
    api, news, django_assert_num_queries
):
    api.get(f"{V1}/news/")
    with django_assert_num_queries(0):
        assert len(api.get(f"{V1}/news/").json()["results"]) == 5
    with committed():
        newsitem_set_status(item=news["draft"], status=NewsItem.Status.PUBLISHED)
    assert len(api.get(f"{V1}/news/").json()["results"]) == 6


def test_bad_filter_and_page_are_4xx_not_500(api, news):
    assert api.get(f"{V1}/news/?topic={'x' * (SLUG_MAX_LENGTH + 1)}").status_code == 400
    assert api.get(f"{V1}/news/?topic=вода").status_code == 400  # not a slug
    assert api.get(f"{V1}/news/?page=99").status_code == 404


def test_detail_has_the_sanitised_body_the_web_page_shows(api, city):
    item = make_item(
        topic=city,
        body_en="**Bold** <script>alert(1)</script> [link](javascript:alert(1))",
    )
    data = api.get(f"{V1}/news/{item.slug_en}/").json()
    assert data["body_html"] == item.body_html_en
    assert "<strong>Bold</strong>" in data["body_html"]
    assert "script" not in data["body_html"]
    assert "javascript:" not in data["body_html"]
    assert data["slug"] == item.slug_en
    assert data["topic"] == {"slug": "city", "name": "City"}


def test_detail_is_found_by_the_slug_of_either_language(api, news):
    item = news["old"]
    assert api.get(f"{V1}/news/{item.slug_uk}/").json()["slug"] == item.slug_en


@pytest.mark.parametrize("role", READERS)
@pytest.mark.parametrize("key", ["draft", "scheduled"])
def test_unpublished_news_is_404_to_everyone(api_for, request, news, role, key):
    client = api_for(request.getfixturevalue(role))
    assert client.get(f"{V1}/news/{news[key].slug_en}/").status_code == 404
    assert news[key].slug_en not in slugs(client.get(f"{V1}/news/"))


def test_unknown_news_is_404(api, news):
    assert api.get(f"{V1}/news/no-such-item/").status_code == 404


def test_detail_query_count_does_not_grow_with_districts(api, city, django_assert_num_queries):
    few = make_item(topic=city, districts=[DistrictFactory()])
    many = make_item(topic=city, districts=[DistrictFactory() for _ in range(6)])
    for item in (few, many):
        with django_assert_num_queries(2):  # the item with its topic, its districts
            assert api.get(f"{V1}/news/{item.slug_en}/").status_code == 200


def test_news_cannot_be_written(api_for, resident, news):
    client = api_for(resident)
    assert client.post(f"{V1}/news/", {}, format="json").status_code == 405
    assert client.delete(f"{V1}/news/{news['old'].slug_en}/").status_code == 405


# --- Topics ------------------------------------------------------------------------


def test_topics_in_order_and_language(city, water, django_assert_num_queries):
    TopicFactory(slug="roads", name_uk="Дороги", name_en="Roads")
    city.ordering = 3
    city.save(update_fields=["ordering"])
    with django_assert_num_queries(1):
        data = APIClient(HTTP_ACCEPT_LANGUAGE="en").get(f"{V1}/topics/").json()
    assert [t["slug"] for t in data] == ["roads", "water", "city"]
    assert data[2] == {"slug": "city", "name": "City"}
    uk = APIClient(HTTP_ACCEPT_LANGUAGE="uk").get(f"{V1}/topics/water/").json()
    assert uk == {"slug": "water", "name": "Вода"}


def test_topic_list_query_count_does_not_grow(api, django_assert_num_queries):
    for _ in range(15):
        TopicFactory()
    with django_assert_num_queries(1):
        assert len(api.get(f"{V1}/topics/").json()) == 15


# --- Alerts ------------------------------------------------------------------------

POINTS = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [32.6169, 46.6354]},
            "properties": {"name": "вул. Соборна"},
        }
    ],
}


@pytest.fixture
def alerts(north, south):
    out = {
        "north": make_alert(
            districts=[north], kind=AlertKind.WATER, severity=Severity.WARNING, geometry=POINTS
        ),
        "city": make_alert(whole_city=True, kind=AlertKind.POWER, severity=Severity.INFO),
        "south": make_alert(districts=[south], severity=Severity.CRITICAL),
        "draft": make_alert(whole_city=True, publish=False),
        "upcoming": make_alert(whole_city=True, starts_at=timezone.now() + dt.timedelta(hours=1)),
        "expired": make_alert(
            whole_city=True, starts_at=ago(hours=3), ends_at=ago(hours=1), severity=Severity.INFO
        ),
        "resolved": make_alert(districts=[north]),
    }
    with committed():
        alert_resolve(alert=out["resolved"])
        alert_update_add(alert=out["north"], text_uk="Перше", text_en="First")
        alert_update_add(alert=out["north"], text_uk="Друге", text_en="Second")
    return out


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()]


@pytest.mark.parametrize("role", READERS)
def test_alert_list_is_the_banners_active_alerts_most_severe_first(api_for, request, alerts, role):
    response = api_for(request.getfixturevalue(role)).get(f"{V1}/alerts/")
    assert response.status_code == 200
    assert ids(response) == [alerts[k].pk for k in ("south", "north", "city")]


def test_alert_rows_carry_kind_severity_area_districts_and_updates(api, alerts):
    row = next(r for r in api.get(f"{V1}/alerts/").json() if r["id"] == alerts["north"].pk)
    assert (row["kind"], row["kind_label"]) == ("water", "Water outage")
    assert (row["severity"], row["severity_label"], row["level"]) == (2, "warning", "warning")
    assert row["title"] == "The shelter on Perekopska St is closed"
    assert row["text"] == "Use the shelter in school 5."
    assert row["districts"] == [{"slug": "north", "name": "North"}]
    assert row["whole_city"] is False
    assert row["geometry"]["features"][0]["geometry"]["type"] == "Point"
    assert [u["text"] for u in row["updates"]] == ["Second", "First"]
    assert (row["is_active"], row["is_resolved"]) == (True, False)
    assert row["url"] == f"http://testserver/alerts/{alerts['north'].pk}/"


def test_alerts_in_ukrainian(alerts):
    rows = APIClient(HTTP_ACCEPT_LANGUAGE="uk").get(f"{V1}/alerts/").json()
    north = next(r for r in rows if r["id"] == alerts["north"].pk)
    assert north["text"] == "Користуйтеся укриттям у школі №5."
    assert [u["text"] for u in north["updates"]] == ["Друге", "Перше"]
    assert north["kind_label"] == "Відключення води"


def test_alert_list_for_a_district_has_its_own_and_the_whole_citys(api, alerts):
    assert ids(api.get(f"{V1}/alerts/?district=north")) == [alerts["north"].pk, alerts["city"].pk]
    assert ids(api.get(f"{V1}/alerts/?district=south")) == [alerts["south"].pk, alerts["city"].pk]


def test_unknown_district_is_400_not_an_empty_list(api, alerts):
    response = api.get(f"{V1}/alerts/?district=nowhere")
    assert response.status_code == 400
    assert "district" in fields(response)


def test_a_district_added_after_the_choices_were_cached_is_known(api, alerts):
    assert api.get(f"{V1}/alerts/?district=north").status_code == 200  # caches the choices
    DistrictFactory(slug="new-one")
    response = api.get(f"{V1}/alerts/?district=new-one")
    assert response.status_code == 200
    assert ids(response) == [alerts["city"].pk]


def test_recent_alerts_are_those_over_in_the_last_week(api, alerts, north):
    old = make_alert(districts=[north], starts_at=ago(days=20), ends_at=ago(days=10))
    found = set(ids(api.get(f"{V1}/alerts/recent/")))
    assert found == {alerts["resolved"].pk, alerts["expired"].pk}
    assert old.pk not in found


def test_recent_alerts_query_count_does_not_grow(api, north, south, django_assert_num_queries):
    def add(n):
        for _ in range(n):
            alert = make_alert(districts=[north, south])
            with committed():
                alert_resolve(alert=alert)

    add(2)
    with django_assert_num_queries(3):  # alerts, their districts, their updates
        assert len(api.get(f"{V1}/alerts/recent/").json()) == 2
    add(10)
    with django_assert_num_queries(3):
        assert len(api.get(f"{V1}/alerts/recent/").json()) == 12


def test_unchanged_alert_list_answers_304_from_the_cache(api, alerts, django_assert_num_queries):
    first = api.get(f"{V1}/alerts/?district=north")
    etag = first["ETag"]
    assert "no-cache" in first["Cache-Control"]
    with django_assert_num_queries(0):
        again = api.get(f"{V1}/alerts/?district=north", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag
    # Another district or language is another answer.
    assert api.get(f"{V1}/alerts/?district=south", HTTP_IF_NONE_MATCH=etag).status_code == 200
    uk = APIClient(HTTP_ACCEPT_LANGUAGE="uk")
    assert uk.get(f"{V1}/alerts/?district=north", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_an_update_changes_the_etag(api, alerts):
    etag = api.get(f"{V1}/alerts/")["ETag"]
    with committed():
        alert_update_add(alert=alerts["city"], text_uk="Третє", text_en="Third")
    response = api.get(f"{V1}/alerts/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    city = next(r for r in response.json() if r["id"] == alerts["city"].pk)
    assert city["updates"][0]["text"] == "Third"


def test_a_resolved_alert_leaves_the_list_at_once(api, alerts):
    api.get(f"{V1}/alerts/")
    with committed():
        alert_resolve(alert=alerts["south"])
    assert alerts["south"].pk not in ids(api.get(f"{V1}/alerts/"))


def test_an_alert_past_its_end_leaves_the_list_by_itself(api, north, clock):
    alert = make_alert(districts=[north], ends_at=timezone.now() + dt.timedelta(minutes=5))
    etag = api.get(f"{V1}/alerts/")["ETag"]
    clock.shift(dt.timedelta(minutes=10))
    response = api.get(f"{V1}/alerts/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert alert.pk not in ids(response)


def test_no_alerts_is_an_empty_list_without_a_query(api, django_assert_num_queries):
    live.refresh()
    with django_assert_num_queries(0):
        assert api.get(f"{V1}/alerts/").json() == []


def test_alert_list_query_count_does_not_grow_with_alerts(
    api, north, south, django_assert_num_queries
):
    def add(n):
        for i in range(n):
            alert = make_alert(districts=[north, south], title_uk=f"Тривога {i}")
            with committed():
                alert_update_add(alert=alert, text_uk="Оновлення", text_en="Update")

    add(2)
    # alerts, their districts, their updates (the banner's entry is warm)
    with django_assert_num_queries(3):
        assert len(api.get(f"{V1}/alerts/").json()) == 2
    add(12)
    with django_assert_num_queries(3):
        assert len(api.get(f"{V1}/alerts/").json()) == 14
    with django_assert_num_queries(0):  # the same question again: the cached body
        assert len(api.get(f"{V1}/alerts/").json()) == 14


def test_alert_detail_of_a_resolved_alert_shows_it_is_over(api, alerts):
    data = api.get(f"{V1}/alerts/{alerts['resolved'].pk}/").json()
    assert (data["is_active"], data["is_resolved"]) == (False, True)
    assert data["updates"][0]["text"] == "The alert is over."
    assert data["resolved_at"] is not None


@pytest.mark.parametrize("role", READERS)
def test_draft_alert_is_404_to_everyone(api_for, request, alerts, role):
    client = api_for(request.getfixturevalue(role))
    assert client.get(f"{V1}/alerts/{alerts['draft'].pk}/").status_code == 404
    assert alerts["draft"].pk not in ids(client.get(f"{V1}/alerts/"))


def test_unknown_alert_is_404(api, alerts):
    assert api.get(f"{V1}/alerts/999999/").status_code == 404
    assert api.get(f"{V1}/alerts/99999999999/").status_code == 404
    assert api.get(f"{V1}/alerts/abc/").status_code == 404


def test_upcoming_and_expired_alerts_have_their_page(api, alerts):
    for key in ("upcoming", "expired"):
        data = api.get(f"{V1}/alerts/{alerts[key].pk}/").json()
        assert data["is_active"] is False


def test_alert_detail_query_count_does_not_grow_with_updates(
    api, north, south, django_assert_num_queries
):
    alert = make_alert(districts=[north, south])
    with committed():
        for i in range(6):
            alert_update_add(alert=alert, text_uk=f"Оновлення {i}", text_en=f"Update {i}")
    with django_assert_num_queries(3):  # the alert, its districts, its updates
        assert len(api.get(f"{V1}/alerts/{alert.pk}/").json()["updates"]) == 6


# --- Subscription --------------------------------------------------------------------

SUBSCRIPTION = f"{V1}/news/subscription/"


def test_subscription_needs_a_signed_in_person(api):
    assert api.get(SUBSCRIPTION).status_code in (401, 403)
    assert api.put(SUBSCRIPTION, {"digest": True}, format="json").status_code in (401, 403)


def test_subscription_is_empty_until_chosen(api_for, resident, north):
    resident.district = north
    resident.save(update_fields=["district"])
    assert api_for(resident).get(SUBSCRIPTION).json() == {
        "digest": False,
        "digest_topics": [],
        "digest_districts": [],
        "alert_districts": [],
        "muted_kinds": [],
        "home_district": {"slug": "north", "name": "North"},
    }


def test_put_saves_the_subscription_through_the_service(api_for, resident, water, north, south):
    body = {
        "digest": True,
        "digest_topics": ["water"],
        "digest_districts": ["north"],
        "alert_districts": ["south", "north"],
        "muted_kinds": ["road", "power"],
    }
    client = api_for(resident)
    response = client.put(SUBSCRIPTION, body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["digest"] is True
    assert data["digest_topics"] == ["water"]
    assert sorted(data["alert_districts"]) == ["north", "south"]
    assert data["muted_kinds"] == ["power", "road"]
    sub = subscription_get(user=resident)
    assert sub.muted_kinds == ",power,road,"
    assert set(sub.alert_districts.all()) == {north, south}
    assert client.get(SUBSCRIPTION).json() == data
    # The same PUT again (a double submit) changes nothing and makes no second row.
    assert client.put(SUBSCRIPTION, body, format="json").json() == data
    assert Subscription.objects.filter(user=resident).count() == 1


def test_put_replaces_the_whole_choice(api_for, resident, water, north):
    subscription_set(user=resident, digest=True, digest_topics=[water], alert_districts=[north])
    data = api_for(resident).put(SUBSCRIPTION, {"digest": False}, format="json").json()
    assert (data["digest"], data["digest_topics"], data["alert_districts"]) == (False, [], [])


def test_ones_subscription_is_ones_own(api_for, resident, other_resident, water):
    subscription_set(user=resident, digest=True, digest_topics=[water])
    assert api_for(other_resident).get(SUBSCRIPTION).json()["digest"] is False
    api_for(other_resident).put(SUBSCRIPTION, {"digest": True}, format="json")
    assert list(subscription_get(user=resident).digest_topics.all()) == [water]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"digest_topics": ["nope"]}, "digest_topics"),
        ({"alert_districts": ["atlantis"]}, "alert_districts"),
        ({"digest_districts": ["north", "atlantis"]}, "digest_districts"),
        ({"muted_kinds": ["earthquake"]}, "muted_kinds"),
        ({"muted_kinds": "road"}, "muted_kinds"),
        ({"digest": "maybe"}, "digest"),
    ],
)
def test_bad_subscription_is_400_by_field_and_saves_nothing(
    api_for, resident, north, change, field
):
    response = api_for(resident).put(SUBSCRIPTION, {"digest": True, **change}, format="json")
    assert response.status_code == 400
    assert field in fields(response)
    assert subscription_get(user=resident) is None


def test_subscription_errors_are_in_the_callers_language(resident, north):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="uk")
    client.force_authenticate(resident)
    response = client.put(SUBSCRIPTION, {"alert_districts": ["atlantis"]}, format="json")
    assert response.status_code == 400
    message = messages(response, "alert_districts")[0]
    assert "atlantis" in message
    assert "Select a valid choice" not in message


def test_subscription_query_counts_do_not_grow(api_for, resident, django_assert_max_num_queries):
    districts = [DistrictFactory() for _ in range(6)]
    topics = [TopicFactory() for _ in range(6)]
    subscription_set(
        user=resident,
        digest=True,
        digest_topics=topics,
        digest_districts=districts,
        alert_districts=districts,
    )
    client = api_for(resident)
    # the subscription, its three lists, the home district
    with django_assert_max_num_queries(5):
        assert len(client.get(SUBSCRIPTION).json()["alert_districts"]) == 6
