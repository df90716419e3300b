"""A resident's subscriptions page (from the cabinet) and the daily digest."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from citizens.notifications.models import Notification
from news.models import DigestRun, Subscription
from news.services import digest_send, subscription_set

from .factories import TopicFactory, committed, make_item

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("resident", 200),
        ("other_resident", 200),
        ("moderator", 200),
        ("city_admin", 200),
    ],
)
def test_subscriptions_page_per_role(as_role, role, status):
    assert as_role(role).get("/news/subscriptions/").status_code == status


def test_resident_saves_subscriptions_without_javascript(client_for, resident, north, south):
    topic = TopicFactory(slug="roads")
    client = client_for(resident)
    response = client.post(
        "/news/subscriptions/",
        {
            "digest": "on",
            "digest_topics": [topic.pk],
            "digest_districts": [north.pk],
            "alert_districts": [south.pk],
            "muted_kinds": ["road", "gas"],
        },
    )
    assert response.status_code == 302
    sub = Subscription.objects.get(user=resident)
    assert sub.digest
    assert sub.muted_kinds == ",gas,road,"
    assert list(sub.alert_districts.all()) == [south]
    page = client.get("/news/subscriptions/").content.decode()
    assert f'value="{south.pk}" id="id_alert_districts_' in page
    assert 'value="road"' in page
    assert "checked" in page


def test_bad_input_keeps_the_form_and_saves_nothing(client_for, resident):
    response = client_for(resident).post(
        "/news/subscriptions/", {"muted_kinds": ["meteor"], "alert_districts": ["999"]}
    )
    assert response.status_code == 200
    assert b"invalid-feedback" in response.content
    assert not Subscription.objects.filter(user=resident).exists()


def test_cabinet_and_notification_settings_link_to_subscriptions(client_for, resident):
    client = client_for(resident)
    assert b'href="/news/subscriptions/"' in client.get("/me/").content
    assert b'href="/news/subscriptions/"' in client.get("/me/notifications/settings/").content


# --- The digest ---------------------------------------------------------------


def subscriber(**choices):
    from tests.factories import UserFactory, verify_email

    user = UserFactory(preferred_language=choices.pop("language", "uk"))
    verify_email(user)
    subscription_set(user=user, digest=True, **choices)
    return user


def test_digest_goes_to_subscribers_with_their_topics_and_districts(north, south):
    roads = TopicFactory(slug="roads", name_uk="Дороги", name_en="Roads")
    road_news = make_item(topic=roads, title_uk="Ремонт мосту", title_en="Bridge repairs")
    north_news = make_item(districts=[north], title_uk="Північні новини", title_en="North news")
    south_news = make_item(districts=[south], title_uk="Південні новини")
    everything = subscriber(language="en")
    only_roads = subscriber(digest_topics=[roads])
    only_north = subscriber(digest_districts=[north])
    from tests.factories import UserFactory

    UserFactory()  # not subscribed

    with committed():
        told = digest_send()

    assert told == 3
    rows = {n.recipient_id: n for n in Notification.objects.filter(event="news.digest")}
    assert set(rows) == {everything.pk, only_roads.pk, only_north.pk}
    with translation.override("en"):
        title, text = rows[everything.pk].rendered()
    assert "3 new" in title
    assert "Bridge repairs" in text
    with translation.override("uk"):
        _title, text = rows[only_roads.pk].rendered()
    assert text == "• Ремонт мосту"
    with translation.override("uk"):
        _title, text = rows[only_north.pk].rendered()
    assert "Північні новини" in text
    assert "Ремонт мосту" in text
    assert south_news.title_uk not in text
    assert north_news
    assert road_news


def test_digest_goes_out_once_a_day():
    make_item()
    subscriber()
    with committed():
        assert digest_send() == 1
        assert digest_send() == 0
    assert DigestRun.objects.count() == 1


def test_digest_without_news_tells_nobody():
    make_item(published_at=timezone.now() - dt.timedelta(days=3))
    subscriber()
    with committed():
        assert digest_send() == 0
    assert not Notification.objects.exists()


def test_next_digest_starts_where_the_last_ended(clock):
    subscriber()
    make_item(title_uk="Вчорашня")
    with committed():
        digest_send()
    clock.shift(dt.timedelta(days=1))
    make_item(title_uk="Сьогоднішня", published_at=timezone.now() - dt.timedelta(minutes=1))
    with committed():
        assert digest_send() == 1
    latest = Notification.objects.filter(event="news.digest").order_by("-pk").first()
    with translation.override("uk"):
        _title, text = latest.rendered()
    assert text == "• Сьогоднішня"
