"""Lighthouse scores of the key pages at its mobile profile, in Debian's headless Chromium.

    LIGHTHOUSE=/path/to/node_modules/.bin/lighthouse \\
      scripts/with_production_server.sh .venv/bin/python scripts/lighthouse.py

Lighthouse comes from the npm registry (`npm install lighthouse@12` in a
scratch folder: it is a measuring tool, not a dependency of the portal).
Signs in as the demo resident for the request form, picks a public request
for the appeal page, and prints a Markdown table for docs/benchmarks.md.
Lighthouse 12 has no PWA category any more; installability is covered by the
manifest tests and the browser tests.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

BASE = os.environ.get("BASE", "http://127.0.0.1:8003")
LIGHTHOUSE = os.environ.get("LIGHTHOUSE", "lighthouse")
LOGIN = os.environ.get("LOGIN", "resident@demo.mycity.test")
PASSWORD = os.environ.get("PASSWORD", "kherson-demo-2026")
CATEGORIES = ["performance", "accessibility", "best-practices"]


def session_cookie() -> str:
    http = requests.Session()
    page = http.get(f"{BASE}/accounts/login/", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    http.post(
        f"{BASE}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "login": LOGIN, "password": PASSWORD},
        headers={"Referer": f"{BASE}/accounts/login/"},
        timeout=10,
    )
    return "; ".join(f"{k}={v}" for k, v in http.cookies.items())


def public_appeal() -> str:
    listing = requests.get(f"{BASE}/requests/", timeout=10).text
    return re.search(r'href="(/requests/KH-\d{4}-\d{6}/)"', listing).group(1)


def scores(url: str, cookie: str | None) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.json"
        command = [
            LIGHTHOUSE,
            url,
            "--quiet",
            "--output=json",
            f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
        ]
        if cookie:
            command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
        env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
        subprocess.run(command, check=True, env=env, timeout=300)  # noqa: S603
        report = json.loads(out.read_text())
    return {name: round(report["categories"][name]["score"] * 100) for name in CATEGORIES}


def main() -> int:
    cookie = session_cookie()
    pages = [
        ("/", None),
        ("/alerts/", None),
        ("/requests/new/?kind=problem&category=pothole", cookie),
        (public_appeal(), None),
    ]
    print("| page | performance | accessibility | best practices |")  # noqa: T201
    print("| --- | ---: | ---: | ---: |")  # noqa: T201
    for path, page_cookie in pages:
        if requests.get(BASE + path, timeout=10).status_code == 404:
            continue
        found = scores(BASE + path, page_cookie)
        row = " | ".join(str(found[name]) for name in CATEGORIES)
        print(f"| `{path}` | {row} |")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
