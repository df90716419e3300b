"""Filing a request with the keyboard only: every step is reachable with Tab,
and the typed address stands in for the map."""

import re

import pytest
from playwright.sync_api import expect

from appeals.models import Appeal
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus; fail if it never does."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)", selector
        ):
            box = page.evaluate(
                "() => { const r = document.activeElement.getBoundingClientRect();"
                " return r.width * r.height; }"
            )
            assert box > 0, f"{selector} has the focus but cannot be seen"
            return
    raise AssertionError(f"{selector} cannot be reached with Tab")


def test_resident_files_a_request_with_the_keyboard_only(
    phone_page, live_server, screenshot, city, eager
):
    category, resident = city
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/?next=/requests/new/")
    tab_to(page, "#id_login")
    page.keyboard.type(resident.email)
    tab_to(page, "#id_password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/requests/new/$"))

    tab_to(page, 'button[name="kind"][value="problem"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"kind=problem"))
    tab_to(page, 'button[name="category"][value="pothole"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"category=pothole"))

    tab_to(page, "#id_title")
    page.keyboard.type("Яма біля ліцею")
    tab_to(page, "#id_description")
    page.keyboard.type("Глибока яма біля входу до ліцею, діти спотикаються.")
    tab_to(page, "#id_address")
    page.keyboard.type("вул. Перекопська, 10")
    tab_to(page, '#appeal-form button[type="submit"]:not([formaction])')
    screenshot(page, "form")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/requests/KH-\d{4}-\d{6}/$"))
    appeal = Appeal.objects.get()
    assert appeal.category == category
    assert appeal.address == "вул. Перекопська, 10"
