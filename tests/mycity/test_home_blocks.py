"""The home page draws the blocks installed apps declare (issue 18, point 5).

The core's home template loads no feature app's tags: an app taken out of
INSTALLED_APPS takes its block with it and the page still works.
"""

import re
from pathlib import Path

import pytest
from django.apps import apps

from mycity.home import home_blocks
from tests.news.factories import make_item

pytestmark = pytest.mark.django_db

HOME = Path(__file__).resolve().parents[2] / "templates" / "home.html"
FEATURE_APPS = ("appeals", "news", "surveys", "services")


def test_the_home_template_loads_no_feature_apps_tags():
    loads = " ".join(re.findall(r"{%\s*load ([^%]+)%}", HOME.read_text()))
    assert not [app for app in FEATURE_APPS if app in loads]


def test_the_news_app_declares_its_block():
    assert "news/_home_latest.html" in home_blocks()


def test_the_page_shows_the_news_block(client):
    make_item(title_uk="Відкрили новий пункт незламності")

    html = client.get("/", HTTP_ACCEPT_LANGUAGE="uk").content.decode()

    assert 'id="latest-news-title"' in html
    assert "Відкрили новий пункт незламності" in html


def test_without_the_news_block_the_page_still_works(client, monkeypatch):
    """As if the news app were not installed: no block, the rest of the page intact."""
    monkeypatch.setattr(apps.get_app_config("news"), "home_blocks", [], raising=False)
    make_item()

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="uk")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="latest-news-title"' not in html
    assert 'id="sections-title"' in html
