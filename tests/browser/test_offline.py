"""The app on a connection that comes and goes: pages kept on the device, and
a request written offline that is sent, once, when the connection returns."""

import re

import pytest
from playwright.sync_api import expect

from appeals.models import Appeal
from tests.browser.test_file_appeal import photo_file
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, resident, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_login", resident.email)
    page.fill("#id_password", PASSWORD)
    page.locator('form[action^="/accounts/login/"] button[type="submit"]').click()


ACTIVE_WORKER_STATE = """async () => {
    const registration = await navigator.serviceWorker.getRegistration("/");
    if (!registration) return "not registered";
    const worker = registration.installing || registration.waiting || registration.active;
    return worker ? worker.state : "no worker";
}"""


def wait_for_worker(page):
    """Until the service worker controls the page.

    The worker claims open pages on activation, but a page that was still
    navigating (the sign-in redirect) while the worker activated can be left
    unclaimed; a person's next page load is then controlled, so the test
    reloads once, as the next visit would.
    """
    # Polled from here: wait_for_function evaluates strings with eval, which
    # the page's CSP (rightly) forbids.
    reloaded = False
    for attempt in range(300):
        if page.evaluate("() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)"):
            return
        if not reloaded and attempt >= 20 and page.evaluate(ACTIVE_WORKER_STATE) == "activated":
            page.reload()
            reloaded = True
        page.wait_for_timeout(100)
    state = page.evaluate(ACTIVE_WORKER_STATE)
    raise AssertionError(f"the service worker never took control of the page ({state})")


def test_request_written_offline_is_sent_once_when_back_online(
    phone_page,
    live_server,
    screenshot,
    city,
    eager,
    tmp_path,
):
    _category, resident = city
    page = phone_page
    context = page.context
    sign_in(page, live_server, resident, "/requests/new/%3Fkind%3Dproblem%26category%3Dpothole")
    expect(page).to_have_url(re.compile(r"category=pothole"))
    wait_for_worker(page)

    context.set_offline(True)
    page.fill("#id_title", "Немає світла на зупинці")
    page.fill("#id_description", "Ліхтар на зупинці не світить третій вечір поспіль.")
    map_box = page.locator("#appeal-map")
    map_box.scroll_into_view_if_needed()
    map_box.click()
    expect(page.locator("#id_latitude")).not_to_have_value("")
    page.set_input_files("#id_photos", str(photo_file(tmp_path)))
    page.locator('#appeal-form button[type="submit"]:not([formaction])').click()

    status = page.locator("#outbox-status")
    expect(status).to_be_visible()
    expect(status).to_contain_text("Немає світла на зупинці")
    expect(page.locator("#id_title")).to_have_value("")  # ready for the next one
    screenshot(page, "1-kept-offline")
    assert Appeal.objects.count() == 0

    context.set_offline(False)
    expect(status.get_by_role("link", name=re.compile(r"KH-\d{4}-\d{6}"))).to_be_visible(
        timeout=30_000
    )
    screenshot(page, "2-sent")

    appeal = Appeal.objects.get()
    assert appeal.title == "Немає світла на зупинці"
    assert appeal.author == resident
    assert appeal.photos.count() == 1
    expect(status).to_contain_text(appeal.reference)

    # Another page later: nothing is sent again and nothing is left waiting.
    page.goto(f"{live_server.url}/me/requests/")
    expect(page.get_by_text(appeal.reference)).to_be_visible()
    expect(status).to_be_hidden()
    assert Appeal.objects.count() == 1


def test_kept_pages_are_readable_offline_with_their_time(
    phone_page,
    live_server,
    screenshot,
    city,
):
    _category, resident = city
    page = phone_page
    sign_in(page, live_server, resident, "/me/requests/")
    expect(page).to_have_url(re.compile(r"/me/requests/$"))
    wait_for_worker(page)
    page.reload()  # now through the worker, which keeps a copy
    page.wait_for_timeout(500)

    page.context.set_offline(True)
    page.goto(f"{live_server.url}/me/requests/")
    stamp = page.locator(".offline-stamp")
    expect(stamp).to_be_visible()
    expect(stamp).to_contain_text(re.compile(r"\d{2}:\d{2}"))
    screenshot(page, "1-kept-copy")

    # A page never opened before: the offline page, with the way to what is kept.
    page.goto(f"{live_server.url}/requests/map/")
    expect(page.locator("h1")).to_have_text("Ви не в мережі")
    expect(page.locator('a[href="/me/requests/"]').first).to_be_visible()
    screenshot(page, "2-offline-page")


CACHED_STATIC = """async () => {
    const cache = await caches.open("mycity-assets-v1");
    return (await cache.keys()).map((request) => new URL(request.url).pathname);
}"""


def test_a_static_file_kept_again_replaces_its_older_versions_on_the_device(
    phone_page, live_server
):
    page = phone_page
    page.goto(f"{live_server.url}/")
    wait_for_worker(page)
    # What an earlier deployment left on the phone: older versions of two files.
    page.evaluate(
        """async () => {
            const cache = await caches.open("mycity-assets-v1");
            await cache.put("/static/js/app.0123456789ab.js", new Response("// old"));
            await cache.put("/static/css/mycity.0123456789ab.css", new Response("/* old */"));
        }"""
    )

    # app.js is fetched (through the worker) and kept again: its old version goes.
    page.evaluate("() => fetch('/static/js/app.js').then((response) => response.text())")
    for _ in range(50):
        kept = page.evaluate(CACHED_STATIC)
        if "/static/js/app.0123456789ab.js" not in kept:
            break
        page.wait_for_timeout(100)

    assert "/static/js/app.js" in kept
    assert "/static/js/app.0123456789ab.js" not in kept
    # Another file's old version waits for its own file to be kept again.
    assert "/static/css/mycity.0123456789ab.css" in kept
