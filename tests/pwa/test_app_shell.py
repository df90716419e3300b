"""The installable app: manifest, icons, offline page, install page, service worker."""

import json

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from mycity.pwa import ICON_SIZES

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "name", "shortcut"),
    [("uk", "Моє місто · Херсон", "Нове звернення"), ("en", "My City · Kherson", "New request")],
)
def test_manifest_names_the_app_in_its_language(client, language, name, shortcut):
    response = client.get(f"/manifest.{language}.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == name
    assert data["lang"] == language
    assert data["display"] == "standalone"
    assert data["start_url"].startswith("/")
    assert data["scope"] == "/"
    assert data["theme_color"].startswith("#")
    assert data["background_color"].startswith("#")
    assert shortcut in [s["name"] for s in data["shortcuts"]]


def test_unknown_manifest_language_is_404(client):
    assert client.get("/manifest.de.webmanifest").status_code == 404


def test_manifest_icons_exist_with_the_sizes_they_claim(client):
    data = client.get("/manifest.uk.webmanifest").json()

    sizes = set()
    for icon in data["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        width, height = Image.open(path).size
        assert f"{width}x{height}" == icon["sizes"]
        sizes.add(width)
    # What Chrome needs to offer installing, and what Android crops.
    assert {192, 512} <= sizes
    assert any("maskable" in icon["purpose"] for icon in data["icons"])
    assert set(ICON_SIZES) <= sizes


def test_every_page_links_the_manifest_in_its_language(client):
    html = client.get("/").content.decode()

    assert 'rel="manifest" href="/manifest.uk.webmanifest"' in html
    assert 'rel="apple-touch-icon"' in html
    client.cookies["django_language"] = "en"
    assert 'href="/manifest.en.webmanifest"' in client.get("/").content.decode()


def test_apple_touch_icon_at_the_root(client):
    response = client.get("/apple-touch-icon.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(__import__("io").BytesIO(b"".join(response.streaming_content)))
    assert image.size == (180, 180)


def test_offline_page_links_the_pages_kept_on_the_device(client):
    response = client.get("/offline/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/me/requests/"' in html
    assert 'href="/requests/new/"' in html


def test_install_page_explains_ios_and_android(client):
    client.cookies["django_language"] = "en"
    html = client.get("/app/").content.decode()

    assert "Add to Home Screen" in html
    assert "Install app" in html
    assert "data-install-button" in html


@pytest.mark.parametrize("path", ["/", "/requests/new/", "/me/requests/"])
def test_pages_kept_offline_say_so_and_carry_the_stamp(client_for, resident, path):
    html = client_for(resident).get(path).content.decode()

    assert "data-offline-keep" in html
    assert 'class="offline-stamp' in html


def test_other_pages_are_not_kept(client):
    assert "data-offline-keep" not in client.get("/requests/").content.decode()


def test_service_worker_caches_pages_and_sends_the_outbox(client):
    response = client.get("/sw.js")

    body = response.content.decode()
    assert response["Service-Worker-Allowed"] == "/"
    assert 'importScripts("/static/js/outbox.js")' in body
    assert 'addEventListener("fetch"' in body
    assert 'addEventListener("sync"' in body
    assert finders.find("js/outbox.js")


def test_sign_out_form_forgets_kept_pages(client_for, resident):
    html = client_for(resident).get("/").content.decode()

    assert "data-forget-pages" in html
