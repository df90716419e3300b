"""The largest phone text size and thumb-sized targets, on every main page of the demo city.

With the root font at 200 % (the largest text size a phone offers) no page may
scroll sideways on a 390 px phone: WCAG 1.4.4 and 1.4.10. Every link and
control is at least 24 x 24 CSS px or has room around it (WCAG 2.2 2.5.8), and
the main actions and toggles 44 x 44. Pages are the demo city's (seed_demo),
anonymous and signed in as the demo resident, in Ukrainian and English.
"""

import json

import pytest

from tests.browser import seeded as demo_city
from tests.browser.conftest import ARTIFACTS
from tests.browser.layout import large_text_overflow, small_tap_targets
from tests.browser.seeded import PAGES, open_context, page_url, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The module's Chromium and the seeded demo city (fixtures of tests/browser/seeded.py).
chromium = demo_city.chromium
seeded = demo_city.seeded

# Full-page screenshots with the largest text, to be looked at (test-artifacts/).
SCREENSHOTS = [
    "home",
    "appeals:list",
    "{appeal}",
    "citizens:cabinet",
    "notifications:settings",
    "notifications:sms",
]


@pytest.mark.parametrize("language", ["uk", "en"])
def test_no_page_scrolls_sideways_with_the_largest_text(
    chromium, browser_settings, live_server, seeded, language
):
    found = {}
    shots = {page_url(name, seeded): name.strip("{}").replace(":", "-") for name in SCREENSHOTS}
    ARTIFACTS.mkdir(exist_ok=True)

    def check(page, url, signed_in):
        normal = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if normal[0] > normal[1]:
            found[f"{url} (normal text)"] = normal
        result = large_text_overflow(page)
        if result["scrollWidth"] > result["clientWidth"]:
            found[url] = result
        if url in shots:
            who = "resident" if signed_in else "visitor"
            path = ARTIFACTS / f"large-text-{language}-{who}-{shots[url]}.png"
            page.screenshot(path=str(path), full_page=True)

    context = open_context(chromium, live_server, language)
    try:
        checked = walk(context.new_page(), live_server, seeded, check)
    finally:
        context.close()

    assert len(checked) == len(PAGES)
    assert found == {}, json.dumps(found, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("language", ["uk", "en"])
def test_links_and_controls_are_large_enough_to_tap(
    chromium, browser_settings, live_server, seeded, language
):
    found = {}

    def check(page, url, signed_in):
        if small := small_tap_targets(page):
            found[url] = small

    context = open_context(chromium, live_server, language)
    try:
        checked = walk(context.new_page(), live_server, seeded, check)
    finally:
        context.close()

    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / f"tap-targets-{language}.json"
    report.write_text(json.dumps({"checked": checked, "too small": found}, indent=2))
    assert len(checked) == len(PAGES)
    assert found == {}, json.dumps(found, indent=2, ensure_ascii=False)
