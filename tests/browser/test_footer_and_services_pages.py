"""On a phone, in Ukrainian and English: the footer's pages, a service's "How to get
this service" block, a form field taking both pages of a passport, and the offline
page's alerts with their times."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from services.models import Application, Service
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_services_journey import catalogue
from tests.factories import PASSWORD, DistrictFactory, UserFactory, verify_email
from tests.news.factories import make_alert
from tests.services.factories import image_bytes, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FIXTURES = (catalogue,)

TEXT = {
    "uk": {
        "privacy": "Повідомлення про приватність",
        "how": "Як отримати послугу",
        "choose": "Оберіть один зі способів",
        "submit": "Подати заяву",
        "alerts": "Термінові міські оповіщення",
        "until": "до ",
    },
    "en": {
        "privacy": "Privacy notice",
        "how": "How to get this service",
        "choose": "Choose one",
        "submit": "Submit the application",
        "alerts": "Urgent city alerts",
        "until": "until ",
    },
}


def sign_in(page, live_server, user, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator('form[action^="/accounts/login/"] button[type="submit"]').click()


@pytest.mark.parametrize("language", ["uk", "en"])
def test_footer_pages_service_how_to_two_file_passport_and_offline_alerts(
    phone_page, live_server, screenshot, catalogue, eager, tmp_path, language
):
    words = TEXT[language]
    page = phone_page
    resident = UserFactory(email="resident@example.com", preferred_language=language)
    verify_email(resident)
    north = DistrictFactory(slug="north", name_uk="Північний", name_en="North")
    ends = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=3)
    make_alert(districts=[north], starts_at=timezone.now() - dt.timedelta(hours=1), ends_at=ends)

    sign_in(page, live_server, resident, "/")
    footer = page.locator("footer")
    footer.scroll_into_view_if_needed()
    expect(footer.get_by_role("link", name=words["privacy"])).to_be_visible()
    expect(footer.locator('a[href="/pages/terms/"]')).to_be_visible()
    expect(footer.locator('a[href="/pages/contacts/"]')).to_be_visible()
    expect(footer.locator('a[href="/pages/accessibility/"]')).to_be_visible()
    footer.screenshot(path=str(ARTIFACTS / f"footer-{language}-1-footer.png"))

    footer.get_by_role("link", name=words["privacy"]).click()
    expect(page.locator("h1")).to_have_text(words["privacy"])
    expect(page.locator(".site-page-body h2").first).to_be_visible()
    screenshot(page, f"{language}-2-privacy")

    page.goto(f"{live_server.url}/pages/accessibility/")
    screenshot(page, f"{language}-3-accessibility")
    page.goto(f"{live_server.url}/pages/contacts/")
    expect(page.locator('.site-page-body a[href^="tel:"]')).to_be_visible()
    screenshot(page, f"{language}-3-contacts")

    certificate = Service.objects.get(slug="registered-persons-certificate")
    page.goto(f"{live_server.url}{certificate.get_absolute_url()}")
    how = page.locator("section.how-to-get")
    expect(how.locator("h2")).to_have_text(words["how"])
    expect(how).to_contain_text(words["choose"])
    screenshot(page, f"{language}-4-service")

    page.goto(f"{live_server.url}/services/{certificate.slug}/apply/")
    passport = page.locator("#id_f_passport")
    expect(passport).to_have_attribute("multiple", "")
    first, second = tmp_path / "photo-page.jpg", tmp_path / "registration-page.pdf"
    first.write_bytes(image_bytes(size=(400, 300)))
    second.write_bytes(pdf_bytes())
    page.fill("#id_f_address", "вул. Перекопська, 10, кв. 5")
    page.fill("#id_f_birth_date", "1985-03-14")
    page.locator('input[name="f_purpose"]').first.check()
    page.fill("#id_f_copies", "1")
    page.set_input_files("#id_f_passport", [str(first), str(second)])
    page.locator("#id_f_consent").check()
    screenshot(page, f"{language}-5-two-files")
    page.get_by_role("button", name=words["submit"]).click()

    application = Application.objects.get(applicant=resident)
    expect(page).to_have_url(re.compile(re.escape(application.get_absolute_url()) + "$"))
    assert sorted(application.documents.values_list("name", flat=True)) == [
        "photo-page.jpg",
        "registration-page.pdf",
    ]
    screenshot(page, f"{language}-6-application")

    page.goto(f"{live_server.url}/offline/")
    alerts = page.locator("section.offline-alerts")
    expect(alerts.locator("h2")).to_have_text(words["alerts"])
    expect(alerts).to_contain_text(words["until"] + timezone.localtime(ends).strftime("%-d"))
    expect(alerts).to_contain_text(timezone.localtime(ends).strftime("%H:%M"))
    screenshot(page, f"{language}-7-offline")
    assert [e for e in page.errors if "Failed to load resource" not in e] == []


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_new_pages_have_no_serious_accessibility_violations(
    browser_settings, live_server, catalogue, language
):
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
    from tests.browser.seeded import sign_in
    from tests.browser.test_accessibility import AXE, _violations

    if not AXE.exists():
        pytest.skip(f"{AXE} is missing (npm ci)")
    resident = UserFactory(email="axe@example.com", preferred_language=language)
    verify_email(resident)
    make_alert(whole_city=True, ends_at=timezone.now() + dt.timedelta(hours=2))
    slug = "registered-persons-certificate"
    pages = [
        "/privacy/",
        "/pages/terms/",
        "/pages/contacts/",
        "/pages/accessibility/",
        "/offline/",
        f"/services/{slug}/",
        f"/services/{slug}/apply/",
    ]
    found = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            # axe is injected as a script: the page's own CSP would refuse it.
            page = browser.new_context(viewport=PHONE, bypass_csp=True).new_page()
            sign_in(page, live_server.url, resident.email, PASSWORD)
            for url in pages:
                response = page.goto(live_server.url + url)
                assert response.ok, url
                page.add_script_tag(path=str(AXE))
                if violations := _violations(page):
                    found[url] = violations
        finally:
            browser.close()
    assert found == {}, found
