"""An editor publishes a critical alert in the admin; a resident's page that is
already open shows it within 10 seconds, without a reload."""

import re
import time

import pytest
from playwright.sync_api import expect

from citizens.roles import roles_sync
from news.models import Alert
from tests.browser.conftest import CHROMIUM_ARGS, PHONE
from tests.factories import (
    PASSWORD,
    DistrictFactory,
    UserFactory,
    enable_mfa,
    give_role,
    totp_code,
    verify_email,
)
from tests.news.factories import TopicFactory, make_item

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE_UK = "Укриття на вулиці Перекопській зачинене"
TITLE_EN = "The shelter on Perekopska Street is closed"


def sign_in(page, base, user, next_path):
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    page.fill("#id_code", totp_code(margin=6))
    page.locator("#id_code").press("Enter")
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


def test_editor_publishes_a_critical_alert_and_an_open_page_shows_it(
    phone_page, live_server, screenshot
):
    roles_sync()  # a transactional test starts from a flushed database
    DistrictFactory(slug="korabelnyi", name_uk="Корабельний", name_en="Korabelnyi")
    make_item(topic=TopicFactory(slug="city"), title_uk="Толока в парку", title_en="Park clean-up")
    editor = UserFactory(email="editor@example.com", is_staff=True)
    verify_email(editor)
    enable_mfa(editor)
    give_role(editor, "editor")
    base = live_server.url

    # The resident's page is open before the alert exists.
    resident_page = phone_page
    resident_page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    resident_page.goto(f"{base}/news/")
    expect(resident_page.locator(".alert-banner-item")).to_have_count(0)

    # The editor works in another browser window.
    editor_context = resident_page.context.browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="uk-UA"
    )
    editor_page = editor_context.new_page()
    editor_page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    editor_page.set_default_timeout(15_000)
    admin_errors = []
    editor_page.on("pageerror", lambda exc: admin_errors.append(str(exc)))
    sign_in(editor_page, base, editor, "/admin/news/alert/add/")
    # The GeoJSON preview: a click on the small map adds a point to the textarea.
    editor_page.locator(".geojson-map").click(position={"x": 120, "y": 120})
    expect(editor_page.locator("#id_geometry")).to_have_value(re.compile(r'"type":"Point"'))
    screenshot(editor_page, "admin-alert-form")
    editor_page.select_option("#id_kind", "shelter")
    editor_page.select_option("#id_severity", "3")
    editor_page.fill("#id_title_uk", TITLE_UK)
    editor_page.fill("#id_title_en", TITLE_EN)
    editor_page.fill("#id_text_uk", "Користуйтеся укриттям у школі №5.")
    editor_page.fill("#id_text_en", "Use the shelter in school 5.")
    editor_page.check("#id_whole_city")
    editor_page.select_option("#id_status", "published")
    editor_page.locator("input[name=_save]").click()
    expect(editor_page.locator(".messagelist")).to_contain_text("Опубліковано")
    published = time.monotonic()
    alert = Alert.objects.get()
    assert alert.status == Alert.Status.PUBLISHED
    assert alert.geometry["features"][0]["geometry"]["type"] == "Point"
    assert admin_errors == []
    editor_context.close()

    # The open page shows it by itself: no reload, within 10 seconds.
    banner_item = resident_page.locator(".alert-banner-item.alert-level-critical")
    expect(banner_item).to_contain_text(TITLE_UK, timeout=10_000)
    assert time.monotonic() - published <= 10.5
    screenshot(resident_page, "uk-news-with-alert")

    # Without JavaScript it is there on the next page load.
    resident_page.goto(f"{base}/alerts/")
    expect(resident_page.locator("#alert-banner")).to_contain_text(TITLE_UK)
    screenshot(resident_page, "uk-alerts")
    resident_page.goto(f"{base}/")
    screenshot(resident_page, "uk-home")

    # In English.
    resident_page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    resident_page.goto(f"{base}/alerts/")
    expect(resident_page.locator("#alert-banner")).to_contain_text(TITLE_EN)
    screenshot(resident_page, "en-alerts")
    resident_page.goto(f"{base}/news/")
    screenshot(resident_page, "en-news")
    assert resident_page.errors == []


def test_alerts_page_works_without_javascript(browser_settings, live_server, screenshot):
    from pathlib import Path

    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium is missing")
    from playwright.sync_api import sync_playwright

    from tests.news.factories import make_alert

    north = DistrictFactory(slug="north")
    make_alert(districts=[north], title_uk="Немає світла", title_en="No power")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="uk-UA")
        page = context.new_page()
        page.goto(f"{live_server.url}/alerts/")
        expect(page.locator("#alert-banner")).to_contain_text("Немає світла")
        expect(page.locator("#active-title")).to_be_visible()
        screenshot(page, "uk-alerts-no-js")
        context.close()
        browser.close()
