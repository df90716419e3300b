"""Headless Chromium (Debian's) driven by Playwright's sync API against live_server."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from pytest_django.live_server_helper import LiveServer

from citizens.roles import roles_sync
from tests.factories import (
    CategoryFactory,
    CategoryGroupFactory,
    DistrictFactory,
    UserFactory,
    square,
    verify_email,
)

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = django_settings.BASE_DIR / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # Without these Chromium keeps calling home on a closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_settings(settings, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls a
    # test makes here are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # live_server speaks plain HTTP; production cookies are HTTPS-only.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LANGUAGE_COOKIE_SECURE = False
    # SMS offered, as in the demo (the console gateway there, memory here).
    settings.SMS_BACKEND = "citizens.notifications.sms.backends.LocmemBackend"
    return settings


@pytest.fixture
def live_server(_test_settings, browser_settings, transactional_db):
    """pytest-django's live server, but started per test after the settings above.

    The session-wide one builds its middleware once, whenever it first starts,
    so SecurityMiddleware could keep production's HTTPS redirect.
    """
    server = LiveServer("localhost")
    yield server
    server.stop()


@pytest.fixture
def phone_page(browser_settings, live_server):
    """A page in a phone-sized Chromium window; page.errors collects JS and CSP errors."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(viewport=PHONE, locale="uk-UA")
        context.set_default_timeout(10_000)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if msg.type == "error" else None,
        )
        page.errors = errors
        try:
            yield page
        finally:
            context.close()
            browser.close()


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot as test-artifacts/<test name>-<step>.png."""

    def shoot(page, step: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{step}.png"), full_page=True)

    return shoot


@pytest.fixture
def city(settings, tmp_path):
    """Kherson as one district around the map's centre, a category, a resident."""
    settings.MEDIA_ROOT = tmp_path / "media"
    roles_sync()
    lat, lon = settings.MAP_CENTER
    DistrictFactory(boundary=square(west=lon - 0.1, south=lat - 0.1, size=0.2))
    group = CategoryGroupFactory(name_uk="Дороги і транспорт", name_en="Roads and transport")
    category = CategoryFactory(
        group=group,
        slug="pothole",
        name_uk="Яма на дорозі",
        name_en="Pothole",
        icon="🕳️",
        kinds=["problem", "complaint"],
        location_required=True,
    )
    resident = UserFactory(email="resident@example.com", preferred_language="uk")
    verify_email(resident)
    return category, resident
