"""The statistics and open data on a phone (issue 23), read anonymously in both languages
on the demo city's year of history: the figures, a 12-month chart and its table, a
period of one's own, a department's page, and a dataset's passport and download."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser import seeded as demo_city
from tests.browser.seeded import open_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The module's Chromium and the seeded demo city (fixtures of tests/browser/seeded.py).
chromium = demo_city.chromium
seeded = demo_city.seeded

WORDS = {
    "uk": (
        "Як відповідає місто",
        "Останні 12 місяців",
        "Рейтинг підрозділів",
        "Паспорт набору даних",
    ),
    "en": ("How the city answers", "The last 12 months", "Departments ranked", "Data passport"),
}


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("language", ["uk", "en"])
def test_statistics_and_open_data_on_a_phone(chromium, seeded, live_server, screenshot, language):
    title, months, ranked, passport = WORDS[language]
    context = open_context(chromium, live_server, language)
    page = context.new_page()

    # The footer leads to the statistics.
    page.goto(live_server.url + "/")
    page.locator("footer").get_by_role(
        "link", name="Статистика" if language == "uk" else "Statistics"
    ).click()
    expect(page.locator("h1")).to_have_text(title)
    section = page.locator('section[data-source="appeals"]')
    received = section.locator('[data-measure="received"] dd')
    expect(received).not_to_have_text("—")
    expect(section.locator("svg.stats-chart").first).to_be_visible()
    expect(section).to_contain_text(months)
    expect(section).to_contain_text(ranked)
    assert no_sideways_scroll(page)
    screenshot(page, f"overview-{language}")

    # A period of one's own, kept in the address (no JavaScript needed).
    page.select_option("#id_period", "custom")
    page.fill("#id_start", "2026-01-01")
    page.fill("#id_end", "2026-06-30")
    page.get_by_role("button", name="Показати" if language == "uk" else "Show").click()
    expect(page).to_have_url(
        f"{live_server.url}/stats/?period=custom&start=2026-01-01&end=2026-06-30"
    )
    expect(page.locator("#period")).to_contain_text("2026")

    # A department from the ranking keeps the period.
    page.locator(".stats-ranking a").first.click()
    expect(page).to_have_url(re.compile(r"/stats/[\w-]+/\?period=custom&start=2026-01-01"))
    expect(page.locator('section[data-source="appeals"] [data-by="category"]')).to_be_visible()
    assert no_sideways_scroll(page)
    screenshot(page, f"department-{language}")

    # Open data: the passport, then the CSV as a spreadsheet reads it.
    page.goto(live_server.url + "/stats/data/")
    screenshot(page, f"data-{language}")
    page.locator('[data-dataset="appeals"] h2 a').click()
    expect(page.locator("main")).to_contain_text(passport)
    assert no_sideways_scroll(page)
    screenshot(page, f"passport-{language}")
    response = page.request.get(live_server.url + "/stats/data/appeals.csv")
    assert response.ok
    raw = response.body()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows
    assert all(row["reference"].startswith("KH-") for row in rows)
    context.close()
