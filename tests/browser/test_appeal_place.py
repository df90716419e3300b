"""The appeal page on a 390×844 phone names the place and draws a small map of it.

The geocoder is the fake Nominatim of tests/appeals/test_places.py; map tiles
are drawn here (the closed network has no tile server) and served to Chromium
by intercepting the tile server's requests. Screenshots: test-artifacts/.
"""

import io

import pytest
from PIL import Image, ImageDraw

from appeals.services import transition
from appeals.workflow import MODERATOR, Action
from tests.appeals.test_places import (
    HOUSE,
    PUBLIC_STREET,
    STREET,
    nominatim,  # noqa: F401 (a fixture, used by name)
)
from tests.browser.conftest import ARTIFACTS
from tests.factories import submit_appeal


def _tile() -> bytes:
    """A pale map tile with a few streets, so the screenshot reads as a map."""
    image = Image.new("RGB", (256, 256), (242, 239, 233))
    draw = ImageDraw.Draw(image)
    for offset in (40, 150):
        draw.line([(0, offset), (256, offset + 30)], fill=(255, 255, 255), width=10)
        draw.line([(offset + 20, 0), (offset - 10, 256)], fill=(255, 255, 255), width=8)
    draw.rectangle([70, 70, 120, 120], fill=(221, 214, 205))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def tiles(phone_page):
    body = _tile()
    phone_page.route(
        "https://tile.openstreetmap.org/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=body),
    )
    return phone_page


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("nominatim")
@pytest.mark.parametrize("language", ["uk", "en"])
def test_public_appeal_page_shows_the_street_and_an_approximate_map_on_a_phone(
    language,
    city,
    live_server,
    tiles,
    screenshot,
    eager,
):
    category, resident = city
    appeal = submit_appeal(resident, category, latitude=46.63612, longitude=32.61733)
    appeal = transition(appeal=appeal, action=Action.ACCEPT, actor=resident, role=MODERATOR)
    page = tiles
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )

    page.goto(live_server.url + appeal.get_absolute_url())

    place = page.locator("#place-label")
    assert place.inner_text() == PUBLIC_STREET
    assert STREET not in page.content()
    page.wait_for_selector("#place-map .leaflet-tile-loaded")
    page.wait_for_selector("#place-map path.leaflet-interactive")
    box = page.locator("#place-map").bounding_box()
    assert box["width"] <= 390
    assert box["height"] >= 150
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.errors == []
    screenshot(page, "page")
    page.locator(".appeal-place").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"appeal-place-{language}.png"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("nominatim")
def test_without_javascript_the_address_and_a_map_link_remain(
    city,
    live_server,
    browser_settings,
    eager,
):
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    category, resident = city
    appeal = submit_appeal(resident, category, latitude=46.63612, longitude=32.61733)
    appeal = transition(appeal=appeal, action=Action.ACCEPT, actor=resident, role=MODERATOR)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(viewport=PHONE, java_script_enabled=False)
        page = context.new_page()
        page.goto(live_server.url + appeal.get_absolute_url())
        try:
            assert page.locator("#place-label").inner_text() == PUBLIC_STREET
            assert not page.locator("#place-map").is_visible()
            assert page.locator(".appeal-place a[href*='openstreetmap.org']").is_visible()
            page.screenshot(path=str(ARTIFACTS / "appeal-place-no-js.png"), full_page=True)
        finally:
            context.close()
            browser.close()


@pytest.mark.django_db(transaction=True)
def test_moderator_sees_a_likely_duplicate_and_merges_it_at_1366(tiles, live_server):
    from playwright.sync_api import expect

    from appeals.models import Appeal
    from appeals.workflow import Status
    from citizens.roles import roles_sync
    from tests.browser.test_staff_journey import sign_in, staff_user
    from tests.factories import CategoryFactory, DistrictFactory, UserFactory

    roles_sync()
    page = tiles
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.set_viewport_size({"width": 1366, "height": 768})
    category = CategoryFactory(name_uk="Яма на дорозі", name_en="Pothole")
    district = DistrictFactory()
    first = submit_appeal(UserFactory(), category, district=district, title="Яма біля зупинки")
    first = transition(appeal=first, action=Action.ACCEPT, actor=first.author, role=MODERATOR)
    second = submit_appeal(
        UserFactory(), category, district=district, title="Велика яма на Соборній"
    )
    moderator = staff_user("moderator@example.com", "moderator")

    sign_in(page, live_server.url, moderator, "/admin/appeals/moderationqueue/")
    flag = page.locator(".appeal-duplicate a", has_text=first.reference)
    expect(flag).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "duplicate-flag-queue-1366.png"))
    page.locator("a", has_text=second.reference).first.click()
    expect(page.locator("#appeal-duplicates")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "duplicate-flag-appeal-1366.png"))
    page.locator("#appeal-duplicates button[name=do][value=merge]").click()

    expect(page.locator(".messagelist")).to_be_visible()
    second.refresh_from_db()
    assert second.status == Status.MERGED
    assert Appeal.objects.get(pk=second.pk).merged_into_id == first.pk
    assert page.errors == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("nominatim")
def test_the_author_sees_the_nearest_address_and_a_marker_on_a_phone(
    city, live_server, tiles, eager
):
    from tests.browser.test_staff_journey import sign_in

    category, resident = city
    appeal = submit_appeal(resident, category, latitude=46.63612, longitude=32.61733)
    page = tiles

    sign_in(page, live_server.url, resident, appeal.get_absolute_url(), mfa=False)

    assert page.locator("#place-label").inner_text() == f"{STREET}, {HOUSE}"
    page.wait_for_selector("#place-map .leaflet-tile-loaded")
    page.wait_for_selector("#place-map path.leaflet-interactive")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.errors == []
    page.locator(".appeal-place").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "appeal-place-author-uk.png"))
