"""Bytes a phone downloads for the key pages: first visit and repeat visit.

    scripts/with_production_server.sh .venv/bin/python scripts/page_weight.py

Loads each page in Debian's headless Chromium (Playwright) with a phone
viewport and sums what crossed the network (Chrome's encodedDataLength:
compressed bodies plus headers), leaving out map tiles from other origins.
The repeat visit is the same page again in the same browser: the service
worker and the HTTP cache keep the hashed static files, so only the HTML
should travel. Prints a Markdown table for docs/benchmarks.md.
"""

import os
import sys
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

BASE = os.environ.get("BASE", "http://127.0.0.1:8003")
PAGES = os.environ.get("PAGES", "/ /alerts/ /requests/new/?kind=problem&category=pothole").split()
LOGIN = os.environ.get("LOGIN", "resident@demo.mycity.test")
PASSWORD = os.environ.get("PASSWORD", "kherson-demo-2026")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def measure(context, page, url: str) -> tuple[int, int]:
    """(bytes, requests) that crossed the network for one navigation, own origin only.

    A response the service worker answered from its cache costs nothing; what
    the worker itself fetched is counted once, as its own request.
    """
    own = urlsplit(BASE).netloc
    finished = []

    def collect(request):
        finished.append(request)

    context.on("requestfinished", collect)
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(500)
    context.remove_listener("requestfinished", collect)
    total = count = 0
    for request in finished:
        if urlsplit(request.url).netloc != own:
            continue
        response = request.response()
        if response is None or response.from_service_worker:
            continue
        sizes = request.sizes()
        if response.status == 304:
            continue
        total += sizes["responseHeadersSize"] + sizes["responseBodySize"]
        count += 1
    return total, count


def main() -> int:
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for path in PAGES:
            context = browser.new_context(viewport={"width": 390, "height": 844})
            page = context.new_page()
            if path.startswith("/requests/new/"):
                page.goto(f"{BASE}/accounts/login/")
                page.fill("#id_login", LOGIN)
                page.fill("#id_password", PASSWORD)
                page.locator('form[action^="/accounts/login/"] button[type="submit"]').click()
                page.wait_for_load_state("networkidle")
                state = context.storage_state()  # cookies only: no cache, no worker
                # Signing in loaded the shared CSS and JS already: start cold again.
                context.close()
                context = browser.new_context(
                    viewport={"width": 390, "height": 844}, storage_state=state
                )
                page = context.new_page()
            first, first_count = measure(context, page, BASE + path)
            again, again_count = measure(context, page, BASE + path)
            rows.append((path, first, first_count, again, again_count))
            context.close()
        browser.close()
    print("| page | first visit | requests | repeat visit | requests |")  # noqa: T201
    print("| --- | ---: | ---: | ---: | ---: |")  # noqa: T201
    for path, first, first_count, again, again_count in rows:
        kb_first, kb_again = f"{first / 1024:.1f} KB", f"{again / 1024:.1f} KB"
        print(f"| `{path}` | {kb_first} | {first_count} | {kb_again} | {again_count} |")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
