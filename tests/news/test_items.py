"""News items: scheduled publishing, sanitised Markdown, stable slugs, covers, list, detail."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from news.models import NewsItem
from news.services import NewsError, newsitem_save, newsitem_set_status

from .factories import TopicFactory, committed, make_item

pytestmark = pytest.mark.django_db


def jpeg(width=2000, height=1200) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(out, "JPEG", exif=b"Exif\x00\x00GPS")
    out.seek(0)
    out.name = "cover.jpg"
    out.size = len(out.getvalue())
    return out


# --- Scheduled publishing -------------------------------------------------------


def test_scheduled_item_is_hidden_until_its_time_and_then_appears_by_itself(client):
    item = make_item(published_at=timezone.now() + dt.timedelta(hours=2))
    assert item.title not in client.get("/news/").content.decode()
    assert client.get(item.get_absolute_url()).status_code == 404

    later = timezone.now() + dt.timedelta(hours=3)
    assert list(NewsItem.objects.published(later)) == [item]


def test_cached_list_lives_only_until_the_next_scheduled_item(client, clock):
    """The list's cache entry expires when the next scheduled item goes live."""
    from news.views.items import MAX_TTL, ttl_until_next_scheduled

    assert ttl_until_next_scheduled() == MAX_TTL
    make_item(published_at=timezone.now() + dt.timedelta(seconds=90))
    assert 90 <= ttl_until_next_scheduled() <= 91
    clock.shift(dt.timedelta(seconds=100))
    assert ttl_until_next_scheduled() == MAX_TTL


def test_draft_is_not_public(client):
    item = make_item(status=NewsItem.Status.DRAFT)
    assert client.get(item.get_absolute_url()).status_code == 404
    assert item.title not in client.get("/news/").content.decode()


def test_publishing_a_draft_shows_it_on_the_cached_list(client):
    item = make_item(status=NewsItem.Status.DRAFT)
    client.get("/news/")
    with committed():
        newsitem_set_status(item=item, status=NewsItem.Status.PUBLISHED)
    assert item.title in client.get("/news/").content.decode()


def test_unknown_status_is_refused():
    item = make_item()
    with pytest.raises(NewsError):
        newsitem_set_status(item=item, status="archived")


# --- Markdown ---------------------------------------------------------------


def test_script_in_the_body_is_neither_executed_nor_rendered(client):
    item = make_item(
        body_uk='Увага <script>alert("x")</script> **важливо** <img src=x onerror="alert(1)">'
        " [посилання](javascript:alert(1))",
    )
    html = client.get(item.get_absolute_url()).content.decode()
    body = html.split('class="news-body">')[1].split("</div>")[0]
    assert "<script" not in body
    assert "alert(" not in body
    assert "onerror" not in body
    assert "javascript:" not in body
    assert "<strong>важливо</strong>" in body


def test_markdown_is_rendered_per_language_with_safe_links(english):
    item = make_item(body_en="## Where\n\n- [map](https://example.org)\n- second")
    assert "<h2>Where</h2>" in item.body_html_en
    assert 'rel="noopener noreferrer nofollow"' in item.body_html_en
    assert "<li>" in item.body_html_en


# --- Slugs --------------------------------------------------------------------


def test_slugs_are_made_per_language_and_stay_when_the_title_changes():
    item = make_item(title_uk="Вода в Корабельному районі", title_en="Water in Korabelnyi")
    assert (item.slug_uk, item.slug_en) == ("voda-v-korabelnomu-raioni", "water-in-korabelnyi")
    item.title_uk = "Інший заголовок"
    item.title_en = "Another title"
    with committed():
        newsitem_save(item=item)
    item.refresh_from_db()
    assert (item.slug_uk, item.slug_en) == ("voda-v-korabelnomu-raioni", "water-in-korabelnyi")


def test_equal_titles_get_distinct_slugs():
    one = make_item(title_uk="Графік", title_en="Schedule")
    two = make_item(title_uk="Графік", title_en="Schedule")
    assert one.slug_uk != two.slug_uk
    assert one.slug_en != two.slug_en


@pytest.mark.parametrize("title", ["Subscription", "Subscriptions", "Feed"])
def test_a_title_never_takes_a_path_beside_the_items(title):
    # /news/subscriptions/, /news/feed/… and /api/v1/news/subscription/ stay theirs.
    item = make_item(title_uk="Підписка", title_en=title)
    assert item.slug_en == f"{title.lower()}-2"


def test_other_languages_slug_redirects_to_this_languages_page(client):
    make_item(title_uk="Толока", title_en="Clean-up")
    response = client.get("/news/clean-up/")
    assert response.status_code == 302
    assert response["Location"] == "/news/toloka/"
    assert client.get("/news/toloka/").status_code == 200


# --- Covers -------------------------------------------------------------------


def test_cover_is_reencoded_into_responsive_widths_without_exif(media_root):
    item = make_item(cover_upload=jpeg())
    assert sorted(k for k in item.cover_sizes if k.isdigit()) == ["1600", "480", "960"]
    for width in (480, 960, 1600):
        with Image.open(media_root / item.cover_sizes[str(width)]) as image:
            assert image.width == width
            assert "exif" not in image.info
    assert item.cover_srcset().count("w,") == 2


def test_small_cover_is_not_enlarged(media_root):
    item = make_item(cover_upload=jpeg(600, 400))
    assert sorted(k for k in item.cover_sizes if k.isdigit()) == ["480", "600"]


def test_not_an_image_is_refused_with_a_message(media_root):
    fake = io.BytesIO(b"%PDF-1.4 not a picture")
    fake.name, fake.size = "cover.jpg", 22
    with pytest.raises(NewsError, match=r"JPEG, PNG (or|або) WebP"):
        make_item(cover_upload=fake)


def test_detail_page_has_opengraph_tags_and_a_lazy_free_cover(client, media_root, settings):
    item = make_item(cover_upload=jpeg())
    html = client.get(item.get_absolute_url()).content.decode()
    assert f'<meta property="og:title" content="{item.title_uk}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert f'<meta property="og:url" content="{settings.SITE_URL}/news/{item.slug_uk}/">' in html
    assert 'property="og:image" content="http' in html
    assert "srcset=" in html


# --- The list -----------------------------------------------------------------


def test_list_filters_by_topic(client):
    water = TopicFactory(slug="water")
    wanted = make_item(topic=water)
    other = make_item()
    html = client.get("/news/?topic=water").content.decode()
    assert wanted.title in html
    assert other.title not in html


def test_list_by_district_shows_its_own_and_city_wide_news(client, north, south):
    mine = make_item(districts=[north])
    city = make_item()
    theirs = make_item(districts=[south])
    html = client.get("/news/?district=north").content.decode()
    assert mine.title in html
    assert city.title in html
    assert theirs.title not in html


def test_unknown_filter_values_are_ignored_not_an_error(client):
    item = make_item()
    response = client.get("/news/?topic=nope&district=%3Cscript%3E&page=abc")
    assert response.status_code == 200
    assert item.title in response.content.decode()


def test_pinned_items_come_first(client):
    old_pinned = make_item(pinned=True, published_at=timezone.now() - dt.timedelta(days=3))
    make_item()
    html = client.get("/news/").content.decode()
    first = html.index("news-row-body")
    assert html.index(old_pinned.title) > first
    assert html.index(old_pinned.title) < html.index("news-row-body", first + 1)


def test_list_is_paginated(client):
    items = [make_item(published_at=timezone.now() - dt.timedelta(hours=i)) for i in range(14)]
    page_two = client.get("/news/?page=2").content.decode()
    assert items[-1].title in page_two
    assert items[0].title not in page_two


def test_list_makes_a_fixed_number_of_queries(client, django_assert_max_num_queries, north):
    topic = TopicFactory(slug="roads")
    for i in range(30):
        make_item(topic=topic if i % 2 else None, districts=[north] if i % 3 else None)
    with django_assert_max_num_queries(6):
        assert client.get("/news/?district=north").status_code == 200
    with django_assert_max_num_queries(0):
        client.get("/news/?district=north")  # cached: no query at all


def test_detail_makes_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, north, south
):
    item = make_item(districts=[north, south])
    with django_assert_max_num_queries(3):
        assert client.get(item.get_absolute_url()).status_code == 200


def test_home_page_shows_the_latest_news(client, django_assert_max_num_queries):
    items = [make_item() for _ in range(6)]
    client.get("/")
    with django_assert_max_num_queries(0):
        html = client.get("/").content.decode()
    newest = sorted(items, key=lambda i: i.published_at, reverse=True)
    assert newest[0].title in html
    assert newest[-1].title not in html


def test_english_visitor_reads_english(client, everything_in_english):
    item = make_item(title_en="Water trucks on Soborna Street")
    client.cookies["django_language"] = "en"
    html = client.get("/news/").content.decode()
    assert "Water trucks on Soborna Street" in html
    assert client.get("/news/water-trucks-on-soborna-street/").status_code == 200
    assert item.slug_en == "water-trucks-on-soborna-street"


def test_editor_previews_a_draft_at_its_address(client_for, editor):
    item = make_item(status=NewsItem.Status.DRAFT)
    html = client_for(editor).get(item.get_absolute_url()).content.decode()
    assert item.title_uk in html
    assert 'role="status"' in html
