"""A resident's own pages, kept for their session, stay true in a real browser.

The personal page cache (citizens/pagecache.py) is on here, with real
commits: the moderator's decision and the new notification must show on
the very next visit, and a form on a kept page must still post.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.appeals.following_helpers import accept
from tests.factories import PASSWORD, submit_appeal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kept(settings):
    settings.PERSONAL_PAGE_CACHE_SECONDS = 60


def sign_in(page, live_server, resident, next_url: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_login", resident.email)
    page.fill("#id_password", PASSWORD)
    page.locator('form[action^="/accounts/login/"] button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(next_url) + "$"))


def cache_state(page, url: str) -> str:
    response = page.goto(url)
    return response.headers.get("x-page-cache", "")


def test_kept_pages_follow_the_moderator_and_the_inbox(
    phone_page, live_server, screenshot, city, kept, moderator, eager
):
    category, resident = city
    appeal = submit_appeal(resident, category, title="Ліхтар не світить на Соборній")
    page = phone_page
    mine = f"{live_server.url}/me/requests/"
    inbox = f"{live_server.url}/me/notifications/"
    sign_in(page, live_server, resident, "/me/requests/")

    assert cache_state(page, mine) == "personal-miss"
    assert cache_state(page, mine) == "personal-hit"
    expect(page.get_by_text("Ліхтар не світить на Соборній")).to_be_visible()
    waiting = page.locator("main").inner_text()
    bell = page.locator("#bell-unread .bell-badge")
    expect(bell).to_have_text("1")  # "your request is registered"

    accept(appeal, moderator)  # commits: the author's pages and bell change

    assert cache_state(page, mine) == "personal-miss"
    assert page.locator("main").inner_text() != waiting
    expect(bell).to_have_text("2")
    screenshot(page, "1-my-requests-after-accept")

    assert cache_state(page, inbox) == "personal-miss"
    assert cache_state(page, inbox) == "personal-hit"
    # A form on a kept page still carries a token the server accepts.
    page.locator('form[action$="/me/notifications/read-all/"] button[type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/me/notifications/$"))
    expect(bell).to_have_count(0)
    screenshot(page, "2-inbox-read")
    assert page.errors == []


def test_signing_out_leaves_nothing_kept(phone_page, live_server, city, kept):
    _category, resident = city
    page = phone_page
    sign_in(page, live_server, resident, "/me/")
    cache_state(page, f"{live_server.url}/me/")
    assert cache_state(page, f"{live_server.url}/me/") == "personal-hit"

    page.goto(f"{live_server.url}/accounts/logout/")
    page.locator('main form[action$="/accounts/logout/"] button[type="submit"]').click()
    page.goto(f"{live_server.url}/me/")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    assert resident.full_name not in page.content()
