"""A new resident signs up, confirms the e-mail and signs in, on a phone-sized screen."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from citizens.roles import roles_sync
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)


def test_new_resident_signs_up_confirms_and_is_signed_in_in_the_cabinet(
    phone_page, live_server, screenshot
):
    # A transactional test starts from a flushed database; the roles are
    # infrastructure the pages may rely on.
    roles_sync()
    page = phone_page

    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    screenshot(page, "1-home")

    page.locator('main a[href="/accounts/signup/"]').first.click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    page.fill("#id_full_name", "Леся Українка")
    page.fill("#id_email", "lesia@example.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_accept_privacy")
    screenshot(page, "2-signup")
    page.locator('form[action="/accounts/signup/"] button[type="submit"]').click()

    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    screenshot(page, "3-verification-sent")
    assert [m.to for m in mail.outbox] == [["lesia@example.com"]]
    code = CODE.search(mail.outbox[0].body)
    assert code, mail.outbox[0].body

    # The code from the e-mail, typed on the page the sign-up led to.
    page.fill("#id_code", code.group(1))
    screenshot(page, "4-confirm")
    page.locator('main form[action="/accounts/confirm-email/"] button[type="submit"]').first.click()

    # Confirmed in the browser that signed up: signed in at once, and the
    # first sign-in passes through the welcome step.
    expect(page).to_have_url(re.compile(r"/me/welcome/\?next=%2Fme%2F$"))
    screenshot(page, "5-welcome")
    page.locator('#welcome-form button[name="skip"]').click()

    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.locator("main")).to_contain_text("Леся Українка")
    expect(page.locator("main")).to_contain_text("lesia@example.com")
    screenshot(page, "6-cabinet")
    assert urlsplit(page.url).path == "/me/"
    # The welcome step's map cannot load its tiles offline; nothing else may fail.
    assert [e for e in page.errors if "Failed to load resource" not in e] == []


def test_phone_menu_opens_and_shows_the_sign_up_link(phone_page, live_server, screenshot):
    page = phone_page
    page.goto(f"{live_server.url}/")
    header_signup = page.locator('header a[href="/accounts/signup/"]')
    expect(header_signup).to_be_hidden()

    page.locator("header .navbar-toggler").click()

    expect(header_signup).to_be_visible()
    expect(page.locator("header .navbar-toggler")).to_have_attribute("aria-expanded", "true")
    screenshot(page, "menu-open")
    assert page.errors == []
