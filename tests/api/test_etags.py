"""ETag and If-None-Match on the news and category answers: 304 while nothing changed,
per language, and a new ETag after a change."""

import pytest
from rest_framework.test import APIClient

from appeals.models import Category
from tests.factories import CategoryFactory
from tests.news.factories import make_item

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


@pytest.fixture
def news(db):
    return make_item(title_uk="Вода буде о 18:00", title_en="Water back at 18:00")


@pytest.fixture
def lights(db):
    return CategoryFactory(slug="lights", name_uk="Освітлення", name_en="Street lights")


def urls(news, lights):
    return {
        "news list": f"{V1}/news/",
        "news item": f"{V1}/news/{news.slug_en}/",
        "categories": f"{V1}/categories/",
        "category": f"{V1}/categories/{lights.slug}/",
    }


WHAT = ["news list", "news item", "categories", "category"]


@pytest.mark.parametrize("what", WHAT)
def test_an_unchanged_answer_is_304_without_a_body(api, news, lights, what):
    url = urls(news, lights)[what]
    first = api.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert "no-cache" in first["Cache-Control"]
    assert "Accept-Language" in first["Vary"]
    again = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # As a compressing proxy hands it back (weak), or among others.
    assert api.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert api.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.parametrize("what", WHAT)
def test_each_language_has_its_own_etag(api, news, lights, what):
    url = urls(news, lights)[what]
    english = api.get(url)
    ukrainian = APIClient(HTTP_ACCEPT_LANGUAGE="uk").get(url, HTTP_IF_NONE_MATCH=english["ETag"])
    assert ukrainian.status_code == 200
    assert ukrainian["ETag"] != english["ETag"]


def test_new_news_changes_the_list_etag(api, news):
    etag = api.get(f"{V1}/news/")["ETag"]
    make_item(title_en="Shelter open on Perekopska")
    response = api.get(f"{V1}/news/", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "Shelter open on Perekopska" in response.content.decode()
    assert response["ETag"] != etag


def test_a_changed_category_changes_the_etags(api, lights):
    list_etag = api.get(f"{V1}/categories/")["ETag"]
    one_etag = api.get(f"{V1}/categories/lights/")["ETag"]
    Category.objects.filter(pk=lights.pk).update(name_en="Lighting")
    assert api.get(f"{V1}/categories/", HTTP_IF_NONE_MATCH=list_etag).status_code == 200
    changed = api.get(f"{V1}/categories/lights/", HTTP_IF_NONE_MATCH=one_etag)
    assert changed.status_code == 200
    assert changed.json()["name"] == "Lighting"
