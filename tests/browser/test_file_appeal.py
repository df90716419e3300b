"""A resident files a problem report with a photo and a map pin, on a phone-sized screen."""

import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from appeals.models import Appeal
from tests.factories import (
    PASSWORD,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo_file(tmp_path):
    path = tmp_path / "yama.jpg"
    Image.new("RGB", (800, 600), (120, 110, 100)).save(path, "JPEG")
    return path


def real_errors(page) -> list[str]:
    # Offline, the map's tiles cannot load: that is expected, anything else is not.
    return [e for e in page.errors if "Failed to load resource" not in e]


def test_resident_files_a_problem_report_with_a_photo_and_a_pin(
    phone_page, live_server, screenshot, city, eager, tmp_path
):
    category, resident = city
    page = phone_page

    page.goto(f"{live_server.url}/accounts/login/?next=/requests/new/")
    page.fill("#id_login", resident.email)
    page.fill("#id_password", PASSWORD)
    page.locator('form[action^="/accounts/login/"] button[type="submit"]').click()

    expect(page).to_have_url(re.compile(r"/requests/new/$"))
    screenshot(page, "1-kind")
    page.locator('button[name="kind"][value="problem"]').click()

    expect(page).to_have_url(re.compile(r"kind=problem"))
    screenshot(page, "2-category")
    page.locator('button[name="category"][value="pothole"]').click()

    expect(page).to_have_url(re.compile(r"category=pothole"))
    map_box = page.locator("#appeal-map")
    expect(map_box).to_be_visible()
    page.fill("#id_title", "Яма біля зупинки «Центральний ринок»")
    page.fill(
        "#id_description",
        "Глибока яма на проїжджій частині, машини об'їжджають її по тротуару.",
    )
    map_box.scroll_into_view_if_needed()
    map_box.click()  # no tiles offline, but the map still takes the tap
    expect(page.locator("#id_latitude")).not_to_have_value("")
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    page.set_input_files("#id_photos", str(photo_file(tmp_path)))
    page.locator('input[name="visibility"][value="public"]').check()
    screenshot(page, "3-form")

    page.locator('#appeal-form button[type="submit"]:not([formaction])').click()

    page.wait_for_url(re.compile(r"/requests/KH-\d{4}-\d{6}/$"))
    screenshot(page, "4-after-submit")
    appeal = Appeal.objects.get()
    assert appeal.author == resident
    assert appeal.category == category
    assert appeal.title == "Яма біля зупинки «Центральний ринок»"
    assert appeal.latitude is not None
    assert appeal.district is not None
    assert appeal.photos.count() == 1
    assert page.url.endswith(appeal.get_absolute_url())

    page.goto(f"{live_server.url}/me/requests/")
    expect(page.get_by_text("Яма біля зупинки «Центральний ринок»")).to_be_visible()
    expect(page.get_by_text(appeal.reference)).to_be_visible()
    screenshot(page, "5-my-requests")
    assert real_errors(page) == []


def test_form_without_javascript_takes_an_address(
    browser_settings, live_server, city, eager, screenshot
):
    """The same filing with JavaScript off: no map, the typed address is enough."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PHONE

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    _category, resident = city
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(viewport=PHONE, java_script_enabled=False)
            page = context.new_page()
            page.goto(f"{live_server.url}/accounts/login/?next=/requests/new/%3Fkind%3Dproblem")
            page.fill("#id_login", resident.email)
            page.fill("#id_password", PASSWORD)
            page.locator('form[action^="/accounts/login/"] button[type="submit"]').click()
            page.locator('button[name="category"][value="pothole"]').click()

            expect(page.locator("#appeal-map")).to_be_hidden()
            page.fill("#id_title", "Яма біля школи")
            page.fill("#id_description", "Глибока яма біля входу до школи, діти спотикаються.")
            page.fill("#id_address", "вул. Перекопська, 10")
            screenshot(page, "form-no-js")
            page.locator('#appeal-form button[type="submit"]:not([formaction])').click()
            page.wait_for_url(re.compile(r"/requests/KH-\d{4}-\d{6}/$"))
        finally:
            browser.close()

    assert Appeal.objects.get().address == "вул. Перекопська, 10"
