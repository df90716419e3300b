"""WCAG 2.1 AA on the public pages and forms, checked by axe-core in Debian's Chromium.

axe-core comes from the npm registry (package.json, devDependencies); the
check fails on any serious or critical violation, in both languages. Pages of
apps that are not installed are skipped rather than failing.
"""

import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import NoReverseMatch, reverse

from appeals.workflow import Status
from tests.browser.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PHONE
from tests.factories import PASSWORD, submit_appeal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = django_settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

# (URL name or path, signed in?) — what a resident meets most.
PAGES = [
    ("home", False),
    ("appeals:list", False),
    ("appeals:map", False),
    ("appeals:proposals", False),
    ("account_login", False),
    ("account_signup", False),
    ("offline", False),
    ("install", False),
    ("news:list", False),
    ("news:alerts", False),
    ("surveys:list", False),
    ("services:catalogue", False),
    ("services:centres", False),
    ("appeals:new", True),
    ("/requests/new/?kind=problem&category=pothole", True),
    ("appeals:mine", True),
    ("citizens:cabinet", True),
    ("notifications:settings", True),
]


def _url(name: str) -> str | None:
    if name.startswith("/"):
        return name
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


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
def test_key_pages_have_no_serious_accessibility_violations(
    browser_settings,
    live_server,
    city,
    language,
):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    if not AXE.exists():
        pytest.skip(f"{AXE} is missing (npm ci)")
    from playwright.sync_api import sync_playwright

    category, resident = city
    resident.preferred_language = language
    resident.save(update_fields=["preferred_language"])
    appeal = submit_appeal(resident, category=category)
    appeal.status = Status.ACCEPTED
    appeal.save(update_fields=["status"])
    pages = [(_url(name), signed_in) for name, signed_in in PAGES]
    pages.append((appeal.get_absolute_url(), False))

    found: dict[str, list] = {}
    checked = []
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            # axe is injected as a script: the page's own CSP would refuse it.
            context = browser.new_context(viewport=PHONE, bypass_csp=True)
            context.add_cookies(
                [{"name": "django_language", "value": language, "url": live_server.url}]
            )
            page = context.new_page()
            for url, signed_in in sorted(pages, key=lambda item: item[1]):
                if url is None:
                    continue
                if signed_in and not page.context.cookies(live_server.url + "/me/"):
                    _sign_in(page, live_server.url, resident.email)
                page.goto(live_server.url + url)
                page.add_script_tag(path=str(AXE))
                violations = _violations(page)
                checked.append(url)
                if violations:
                    found[url] = violations
        finally:
            browser.close()

    report = Path(ARTIFACTS / f"axe-{language}.json")
    report.write_text(json.dumps({"checked": checked, "violations": found}, indent=2))
    assert len(checked) >= 10
    assert found == {}, json.dumps(found, indent=2, ensure_ascii=False)


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", PASSWORD)
    page.locator('form[action^="/accounts/login/"] button[type="submit"]').click()
    page.wait_for_url(f"{base}/**")
