"""The register of points of help on a phone: an operator's two taps, the register offline,
and screenshots of the list, the map and the operator screen in both languages
(test-artifacts/ and /tmp/shots-points/)."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from citizens.roles import roles_sync
from outages.models import HelpPoint, Kind, PointStatus
from tests.browser.test_appeal_place import _tile
from tests.browser.test_offline import wait_for_worker
from tests.browser.test_staff_journey import sign_in, staff_user
from tests.outages.factories import HelpPointFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-points")


@pytest.fixture
def register(city, settings):
    """Five points around the map's centre, two of them kept by an operator."""
    roles_sync()
    operator = staff_user("operator@example.com", "point_operator")
    lat, lon = settings.MAP_CENTER
    rows = [
        (Kind.INVINCIBILITY, "Пункт незламності «Центральний»", "Invincibility point “Tsentralnyi”",
         0.003, -0.003, PointStatus.OPEN, True, True),
        (Kind.SHELTER, "Укриття в Палаці культури", "Shelter at the Palace of Culture",
         0.005, -0.008, PointStatus.OPEN, False, True),
        (Kind.HEATING, "Пункт обігріву на Шуменському", "Heating point in Shumenskyi",
         0.015, 0.025, PointStatus.FULL, False, False),
        (Kind.WATER_TRUCK, "Підвіз води: Дніпровський ринок", "Water truck: Dniprovskyi market",
         0.017, 0.05, PointStatus.CLOSED, False, False),
        (Kind.DRINKING_WATER, "Бювет у парку Слави", "Drinking water in Glory Park",
         -0.002, -0.012, PointStatus.OPEN, False, False),
    ]  # fmt: skip
    points = []
    for kind, uk, en, dlat, dlon, status, generator, operated in rows:
        point = HelpPointFactory(
            kind=kind,
            name_uk=uk,
            name_en=en,
            latitude=lat + dlat,
            longitude=lon + dlon,
            status=status,
            generator_on=generator,
            offers_internet=operated,
            offers_accessible=kind == Kind.SHELTER,
            around_the_clock=kind == Kind.SHELTER,
            operators=[operator] if operated else [],
        )
        points.append(point)
    return operator, points


def shoot(page, screenshot, name: str) -> None:
    screenshot(page, name)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_an_operator_changes_a_status_in_two_taps(phone_page, live_server, screenshot, register):
    operator, points = register
    page = phone_page
    sign_in(page, live_server.url, operator, "/points/operate/")
    card = page.locator(f"#point-{points[0].pk}")
    expect(card).to_contain_text("Відкрито")

    card.get_by_text("Закрито", exact=True).click()  # tap 1: the new status
    card.get_by_role("button", name="2. Зберегти стан").click()  # tap 2: save

    card = page.locator(f"#point-{points[0].pk}")
    expect(card.locator(".point-status")).to_contain_text("Закрито")
    expect(card).to_contain_text("підтверджено щойно")
    assert HelpPoint.objects.get(pk=points[0].pk).status == PointStatus.CLOSED
    assert points[0].changes.get().actor == operator
    assert not page.errors, page.errors


@pytest.mark.parametrize("language", ["uk", "en"])
def test_screenshots_of_the_register(phone_page, live_server, screenshot, register, language):
    operator, _points = register
    page = phone_page
    body = _tile()
    page.route(
        "https://tile.openstreetmap.org/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=body),
    )
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}/points/")
    expect(page.locator(".point-card")).to_have_count(5)
    shoot(page, screenshot, f"points-list-{language}")
    page.goto(f"{live_server.url}/points/map/")
    expect(page.locator("#map-status")).to_contain_text("5")
    shoot(page, screenshot, f"points-map-{language}")
    # Signing in switches to the person's own language.
    type(operator).objects.filter(pk=operator.pk).update(preferred_language=language)
    sign_in(page, live_server.url, operator, "/points/operate/")
    expect(page.locator(".operate-card")).to_have_count(2)
    shoot(page, screenshot, f"points-operate-{language}")


def test_the_register_opens_offline_with_the_time_it_was_saved(
    phone_page, live_server, screenshot, register
):
    page = phone_page
    context = page.context
    page.goto(f"{live_server.url}/points/")
    wait_for_worker(page)
    page.goto(f"{live_server.url}/points/")  # kept by the worker this time
    page.goto(f"{live_server.url}/points/map/")
    expect(page.locator("#map-status")).to_contain_text("5")  # the feed, kept too
    saved = page.locator(".offline-stamp")
    expect(saved).to_be_hidden()

    context.set_offline(True)
    page.goto(f"{live_server.url}/points/")
    expect(page.locator("html")).to_have_attribute("data-offline-copy", "")
    expect(saved).to_be_visible()
    expect(saved).to_contain_text(re.compile(r"станом на \d\d:\d\d"))
    expect(page.locator(".point-card")).to_have_count(5)
    shoot(page, screenshot, "points-offline-uk")

    page.goto(f"{live_server.url}/points/map/")
    expect(page.locator("#map-status")).to_contain_text("5")
    assert page.locator(".point-pin").count() > 0
