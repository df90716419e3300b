"""Atom and RSS feeds per language and per topic, checked by parsing them with feedparser."""

import datetime as dt

import feedparser
import pytest
from django.utils import timezone

from .factories import TopicFactory, make_item

pytestmark = pytest.mark.django_db


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feed_is_valid_and_lists_live_items_newest_first(client, kind):
    older = make_item(published_at=timezone.now() - dt.timedelta(hours=5))
    newer = make_item(published_at=timezone.now() - dt.timedelta(hours=1))
    make_item(published_at=timezone.now() + dt.timedelta(hours=1))  # scheduled
    make_item(status="draft")

    response, feed = parse(client, f"/news/feed/uk/{kind}/")

    assert ("atom" if kind == "atom" else "rss") in response["Content-Type"]
    assert [e.title for e in feed.entries] == [newer.title_uk, older.title_uk]
    assert feed.entries[0].link.endswith(f"/news/{newer.slug_uk}/")
    assert feed.entries[0].published_parsed is not None


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_english_feed_is_in_english_whatever_the_cookie_says(client, kind):
    item = make_item(title_en="Water is back in Korabelnyi")
    client.cookies["django_language"] = "uk"
    _response, feed = parse(client, f"/news/feed/en/{kind}/")
    assert feed.entries[0].title == "Water is back in Korabelnyi"
    assert feed.entries[0].link.endswith(f"/news/{item.slug_en}/")
    assert feed.feed.title.endswith("news")


def test_body_in_the_feed_is_the_sanitised_html(client):
    make_item(body_uk="Текст <script>alert(1)</script> **жирний**")
    response, feed = parse(client, "/news/feed/uk/atom/")
    assert "<script" not in response.content.decode()
    assert "<strong>жирний</strong>" in feed.entries[0].summary


def test_topic_feed_lists_only_its_topic(client):
    roads = TopicFactory(slug="roads", name_uk="Дороги", name_en="Roads")
    wanted = make_item(topic=roads)
    make_item()
    _response, feed = parse(client, "/news/feed/en/roads/atom/")
    assert [e.title for e in feed.entries] == [wanted.title_en]
    assert "Roads" in feed.feed.title
    assert feed.entries[0].tags[0].term == "Roads"


def test_unknown_language_or_topic_is_404(client):
    assert client.get("/news/feed/de/atom/").status_code == 404
    assert client.get("/news/feed/uk/nope/rss/").status_code == 404


def test_feed_is_served_from_the_cache(client, django_assert_max_num_queries):
    for _ in range(5):
        make_item()
    client.get("/news/feed/uk/rss/")
    with django_assert_max_num_queries(0):
        client.get("/news/feed/uk/rss/")


def test_list_page_advertises_its_feeds(client):
    html = client.get("/news/").content.decode()
    assert 'type="application/atom+xml"' in html
    assert "/news/feed/uk/atom/" in html
