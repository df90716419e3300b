"""A resident's first visit on a phone (issue 19): home -> report in two taps,
sign-up -> the e-mail's code -> back in the wizard signed in, and the welcome
step that sets the home district on the map."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from citizens.models import User
from tests.browser.conftest import ARTIFACTS
from tests.factories import PASSWORD, UserFactory, verify_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)
WIZARD = re.compile(r"/requests/new/\?kind=problem$")


def real_errors(page) -> list[str]:
    # Offline, the map's tiles cannot load: that is expected, anything else is not.
    return [e for e in page.errors if "Failed to load resource" not in e]


def header_report(page):
    return page.locator("header a.header-report")


def sign_in(page, email):
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator('form[action^="/accounts/login/"] button[type="submit"]').click()


def test_the_header_report_button_is_a_thumb_sized_tap_without_opening_the_menu(
    phone_page, live_server
):
    page = phone_page
    page.goto(f"{live_server.url}/news/")

    button = header_report(page)
    expect(button).to_be_visible()
    expect(page.locator("header #site-nav")).to_be_hidden()
    box = button.bounding_box()
    assert box["width"] >= 44
    assert box["height"] >= 44
    # Nothing in the header runs off the side of the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_anonymous_home_to_the_wizard_in_two_taps_via_sign_in(phone_page, live_server, city):
    _category, resident = city
    page = phone_page
    page.goto(f"{live_server.url}/")

    header_report(page).click()  # tap 1
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.fill("#id_login", resident.email)
    page.fill("#id_password", PASSWORD)
    page.locator('form[action^="/accounts/login/"] button[type="submit"]').click()  # tap 2

    expect(page).to_have_url(WIZARD)
    expect(page.locator('button[name="category"][value="pothole"]')).to_be_visible()
    assert real_errors(page) == []


def test_signed_in_home_to_the_wizard_in_one_tap(phone_page, live_server, city, screenshot):
    _category, resident = city
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, resident.email)
    page.goto(f"{live_server.url}/")
    expect(page.locator("#how-title")).to_have_count(0)

    page.locator("main a.home-report").click()

    expect(page).to_have_url(WIZARD)
    screenshot(page, "wizard")
    assert real_errors(page) == []


def test_sign_up_from_report_confirm_by_code_and_land_in_the_wizard_signed_in(
    phone_page, live_server, city, screenshot
):
    page = phone_page
    page.goto(f"{live_server.url}/")
    header_report(page).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    # The sign-up link keeps where the person was going.
    page.locator('main a[href^="/accounts/signup/?next="]').first.click()
    page.fill("#id_full_name", "Марія Приймаченко")
    page.fill("#id_email", "maria@example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_accept_privacy")
    page.locator('main form[action^="/accounts/signup/"] button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))

    code = CODE.search(mail.outbox[-1].body)
    assert code, mail.outbox[-1].body
    page.fill("#id_code", code.group(1))
    page.locator('main form[action="/accounts/confirm-email/"] button[type="submit"]').first.click()

    # Signed in by the confirmation; the first sign-in shows the welcome step once.
    expect(page).to_have_url(re.compile(r"/me/welcome/\?next="))
    screenshot(page, "welcome")
    page.locator('#welcome-form button[name="skip"]').click()

    expect(page).to_have_url(WIZARD)
    expect(page.locator('button[name="category"][value="pothole"]')).to_be_visible()
    expect(page.locator("header .nav-bell")).to_be_visible()  # signed in
    assert User.objects.get(email="maria@example.com").onboarded_at is not None
    assert real_errors(page) == []


def test_the_welcome_step_sets_the_home_district_on_the_map(
    phone_page, live_server, city, screenshot
):
    newcomer = UserFactory(email="new@example.com", onboarded_at=None)
    verify_email(newcomer)
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/?next=/me/")
    sign_in(page, newcomer.email)
    expect(page).to_have_url(re.compile(r"/me/welcome/\?next=%2Fme%2F$"))

    map_box = page.locator("#welcome-map")
    expect(map_box).to_be_visible()
    map_box.scroll_into_view_if_needed()
    map_box.click()  # the city's one district covers the map's centre
    expect(page.locator('input[name="district"]').first).to_be_checked()
    expect(page.locator("#welcome-status")).not_to_be_empty()
    screenshot(page, "map-chosen")
    page.locator('#welcome-form button[name="save"]').click()

    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.locator("#district-unset")).to_have_count(0)
    newcomer.refresh_from_db()
    assert newcomer.district is not None
    assert newcomer.onboarded_at is not None
    assert real_errors(page) == []


@pytest.mark.parametrize("language", ["uk", "en"])
def test_screens_of_the_first_visit(phone_page, live_server, city, screenshot, language):
    """Screens to look at (test-artifacts/): home, header, welcome, cabinet, settings."""
    newcomer = UserFactory(
        email=f"look-{language}@example.com", onboarded_at=None, preferred_language=language
    )
    verify_email(newcomer)
    page = phone_page
    page.goto(f"{live_server.url}/")
    if language == "en":
        page.locator("header .navbar-toggler").click()
        page.locator('header form.lang-switch button[value="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("#how-title")).to_be_visible()
    screenshot(page, "home-anonymous")
    page.goto(f"{live_server.url}/accounts/login/?next=/me/")
    sign_in(page, newcomer.email)
    expect(page).to_have_url(re.compile(r"/me/welcome/"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    screenshot(page, "welcome")
    page.locator('#welcome-form button[name="skip"]').click()

    expect(page.locator("#district-unset")).to_be_visible()
    screenshot(page, "cabinet")
    page.goto(f"{live_server.url}/me/notifications/settings/")
    screenshot(page, "settings")
    page.goto(f"{live_server.url}/")
    screenshot(page, "home")
    page.locator("header").screenshot(path=str(ARTIFACTS / f"first-visit-header-{language}.png"))
    assert real_errors(page) == []


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_welcome_step_has_no_serious_accessibility_violations(
    browser_settings, live_server, city, language
):
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE

    axe = ARTIFACTS.parent / "node_modules" / "axe-core" / "axe.min.js"
    if not CHROMIUM.exists() or not axe.exists():
        pytest.skip("Chromium or axe-core is missing")
    newcomer = UserFactory(
        email=f"axe-{language}@example.com", onboarded_at=None, preferred_language=language
    )
    verify_email(newcomer)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            # axe is injected as a script: the page's own CSP would refuse it.
            page = browser.new_context(viewport=PHONE, bypass_csp=True).new_page()
            page.goto(f"{live_server.url}/accounts/login/?next=/")
            sign_in(page, newcomer.email)
            page.wait_for_url(re.compile(r"/me/welcome/"))
            page.add_script_tag(path=str(axe))
            violations = page.evaluate(
                """async () => (await axe.run(document, {runOnly: {type: "tag",
                    values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})).violations
                    .filter((v) => v.impact === "serious" || v.impact === "critical")
                    .map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", "))"""
            )
        finally:
            browser.close()

    assert violations == []


def test_the_header_report_button_on_a_laptop(phone_page, live_server, city, screenshot):
    _category, resident = city
    page = phone_page
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/accounts/login/")
    sign_in(page, resident.email)
    page.goto(f"{live_server.url}/requests/")

    button = header_report(page)
    expect(button).to_be_visible()
    page.locator("header").screenshot(path=str(ARTIFACTS / "first-visit-header-laptop.png"))
    # The header is full at 1366 px: an icon button, named for screen readers.
    expect(button).to_have_accessible_name("Повідомити про проблему")
    box = button.bounding_box()
    assert box["height"] >= 44
    assert box["width"] >= 44
    # Every link of the header stays on one line.
    assert (
        max(link.bounding_box()["height"] for link in page.locator("header .nav-link").all()) < 48
    )
    button.click()
    expect(page).to_have_url(WIZARD)


def test_the_welcome_step_works_without_javascript(browser_settings, live_server, city, screenshot):
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    newcomer = UserFactory(email="nojs@example.com", onboarded_at=None)
    verify_email(newcomer)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
            page.goto(f"{live_server.url}/accounts/login/?next=/me/")
            sign_in(page, newcomer.email)
            expect(page).to_have_url(re.compile(r"/me/welcome/"))
            # Neither the map nor "Use my location" can work here: not shown.
            expect(page.locator("#welcome-map")).to_be_hidden()
            expect(page.locator("#welcome-locate")).to_be_hidden()
            screenshot(page, "no-js")
            page.locator('input[name="district"]').first.check()
            page.locator('#welcome-form button[name="save"]').click()
            expect(page).to_have_url(re.compile(r"/me/$"))
        finally:
            browser.close()

    newcomer.refresh_from_db()
    assert newcomer.district is not None
