"""Public pages: home, error pages, security headers and the links of the header."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

HREF = re.compile(r'<a [^>]*href="([^"]+)"')
ASSET = re.compile(r'<(?:link|script) [^>]*(?:href|src)="([^"]+)"')


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match
    return match.group(1)


def test_home_opens_for_an_anonymous_visitor(client, django_assert_max_num_queries):
    # Nothing from the database: the page can be cached for visitors.
    with django_assert_max_num_queries(0):
        response = client.get("/")

    assert response.status_code == 200
    assert "home.html" in [t.name for t in response.templates]


def test_home_opens_for_a_signed_in_person(client_for, resident, django_assert_max_num_queries):
    client = client_for(resident)

    # The session, the user and the bell's unread count.
    with django_assert_max_num_queries(3):
        response = client.get("/")

    assert response.status_code == 200
    assert 'href="/me/"' in response.content.decode()


@pytest.mark.parametrize("language", ["uk", "en"])
def test_missing_page_is_a_404_page_in_the_visitors_language(client, language):
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: language})

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert html_lang(response) == language
    assert response["Content-Language"] == language


def test_404_page_has_the_site_header(client):
    response = client.get("/no-such-page/")

    assert "includes/header.html" in [t.name for t in response.templates]


@pytest.mark.urls("tests.mycity.boom_urls")
def test_server_error_is_a_plain_500_page():
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    assert "<html lang=" in response.content.decode()


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/no-such-page/", "/healthz"])
def test_security_headers_are_sent(client, path):
    response = client.get(path)

    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_content_security_policy_allows_no_inline_script(client):
    policy = client.get("/")["Content-Security-Policy"]
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))

    assert "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" not in script_src


def test_plain_http_is_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


def test_https_responses_carry_hsts(client, settings):
    response = client.get("/", secure=True)

    assert response["Strict-Transport-Security"].startswith(
        f"max-age={settings.SECURE_HSTS_SECONDS}"
    )


@pytest.mark.parametrize("role", ROLES)
def test_no_link_on_the_home_page_leads_to_a_404(as_role, role):
    client = as_role(role)
    html = client.get("/").content.decode()
    internal = {
        href
        for href in HREF.findall(html)
        if href.startswith("/") and not href.startswith(settings.STATIC_URL)
    }
    assert "/" in internal

    broken = {href: client.get(href).status_code for href in internal}

    assert {href: status for href, status in broken.items() if status >= 400} == {}


@pytest.mark.parametrize("role", ["anonymous", "resident"])
def test_every_asset_of_the_page_exists(as_role, role):
    html = as_role(role).get("/").content.decode()
    assets = [urlsplit(a).path for a in ASSET.findall(html)]
    assert assets

    for asset in assets:
        if not asset.startswith(settings.STATIC_URL):
            # The web app manifest is a view, per language.
            assert as_role(role).get(asset).status_code == 200, asset
            continue
        assert finders.find(asset.removeprefix(settings.STATIC_URL)), asset


def test_language_switcher_offers_every_language(client):
    html = client.get("/").content.decode()

    for code, _name in settings.LANGUAGES:
        assert f'name="language" value="{code}"' in html
