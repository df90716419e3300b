"""Generate every app icon from one source image, static/img/icon.svg.

    .venv/bin/python scripts/make_icons.py

Chromium (Debian's /usr/bin/chromium, through Playwright) rasterises the SVG
once at 1024 px; Pillow scales it to the sizes Android, iOS and desktop
browsers ask for. The icon's drawing stays inside the central 80 %, so the
same image also serves as the "maskable" icon Android crops to a circle.
The generated PNGs are committed: run this again only when the SVG changes.
"""

import io
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "static" / "img" / "icon.svg"
OUT = ROOT / "static" / "img" / "icons"
SIZES = [48, 72, 96, 128, 144, 152, 180, 192, 256, 384, 512]
MASTER = 1024


def rasterise() -> Image.Image:
    svg = SOURCE.read_text()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": MASTER, "height": MASTER})
        page.set_content(
            "<html><body style='margin:0'>"
            + svg.replace("<svg ", f"<svg width='{MASTER}' height='{MASTER}' ", 1)
            + "</body></html>"
        )
        png = page.screenshot(clip={"x": 0, "y": 0, "width": MASTER, "height": MASTER})
        browser.close()
    return Image.open(io.BytesIO(png)).convert("RGB")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    master = rasterise()
    for size in SIZES:
        icon = master.resize((size, size), Image.Resampling.LANCZOS)
        icon.save(OUT / f"icon-{size}.png", optimize=True)
    # iOS looks for this name at the site root too; the view serves it.
    master.resize((180, 180), Image.Resampling.LANCZOS).save(
        OUT / "apple-touch-icon.png", optimize=True
    )
    print(f"Wrote {len(SIZES) + 1} icons to {OUT.relative_to(ROOT)}")  # noqa: T201


if __name__ == "__main__":
    main()
