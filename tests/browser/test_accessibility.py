"""WCAG 2.1 AA on every main page of the demo city, checked by axe-core in Debian's Chromium.

axe-core comes from the npm registry (package.json, devDependencies). The
pages carry real content (seed_demo, see tests/browser/seeded.py): requests
with photos and an official answer, a proposal, news, alerts, surveys and their
results, services with their forms, the inbox. They are checked as an
anonymous visitor and signed in as the demo resident, in both languages; any
serious or critical violation fails the test.
"""

import json

import pytest
from django.conf import settings as django_settings

from tests.browser import seeded as demo_city
from tests.browser.conftest import ARTIFACTS
from tests.browser.seeded import PAGES, open_context, walk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The module's Chromium and the seeded demo city (fixtures of tests/browser/seeded.py).
chromium = demo_city.chromium
seeded = demo_city.seeded

AXE = django_settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}


def _violations(page) -> list[dict]:
    result = page.evaluate(
        """async (tags) => {
            const outcome = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return outcome.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
            }));
        }""",
        WCAG_AA,
    )
    return [v for v in result if v["impact"] in BLOCKING]


@pytest.mark.parametrize("language", ["uk", "en"])
def test_main_pages_have_no_serious_accessibility_violations(
    chromium, browser_settings, live_server, seeded, language
):
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing (npm ci)")
    found: dict[str, list] = {}

    def check(page, url, signed_in):
        page.add_script_tag(path=str(AXE))
        if violations := _violations(page):
            found[url] = violations

    # axe is injected as a script: the page's own CSP would refuse it.
    context = open_context(chromium, live_server, language, bypass_csp=True)
    try:
        checked = walk(context.new_page(), live_server, seeded, check)
    finally:
        context.close()

    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / f"axe-{language}.json"
    report.write_text(json.dumps({"checked": checked, "violations": found}, indent=2))
    assert len(checked) == len(PAGES)
    assert found == {}, json.dumps(found, indent=2, ensure_ascii=False)
