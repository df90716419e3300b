"""The installable app: web app manifest, offline page and the icons browsers ask for at the root.

The service worker itself (static/js/sw.js) is served from /sw.js by
citizens.notifications.views.push.service_worker, since it also shows pushes.
"""

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from .home import offline_blocks

ICON_SIZES = [48, 72, 96, 128, 144, 152, 192, 256, 384, 512]
THEME_COLOUR = "#0b4f8a"
BACKGROUND_COLOUR = "#ffffff"


def _optional_url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _shortcuts() -> list[dict]:
    wanted = [
        ("appeals:new", _("New request"), _("Report a problem or send a request")),
        ("news:alerts", _("Alerts"), _("Outages, water, shelters and road closures")),
    ]
    shortcuts = []
    for url_name, name, description in wanted:
        url = _optional_url(url_name)
        if url is None:
            continue
        shortcuts.append(
            {
                "name": name,
                "short_name": name,
                "description": description,
                "url": url,
                "icons": [{"src": static("img/icons/icon-96.png"), "sizes": "96x96"}],
            }
        )
    return shortcuts


def manifest_data(language: str) -> dict:
    with translation.override(language):
        return {
            "id": "/",
            "name": _("My City · Kherson"),
            "short_name": _("My City"),
            "description": _(
                "The portal through which the residents of Kherson talk to their city "
                "administration."
            ),
            "lang": language,
            "dir": "ltr",
            "start_url": "/?source=app",
            "scope": "/",
            "display": "standalone",
            "orientation": "any",
            "theme_color": THEME_COLOUR,
            "background_color": BACKGROUND_COLOUR,
            "categories": ["government", "utilities", "news"],
            "icons": [
                *(
                    {
                        "src": static(f"img/icons/icon-{size}.png"),
                        "sizes": f"{size}x{size}",
                        "type": "image/png",
                        "purpose": "any",
                    }
                    for size in ICON_SIZES
                ),
                # The drawing keeps to the central 80 %: safe to crop.
                {
                    "src": static("img/icons/icon-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                },
            ],
            "shortcuts": _shortcuts(),
        }


@require_GET
@cache_control(public=True, max_age=3600)
def manifest(request, language: str):
    if language not in dict(settings.LANGUAGES):
        raise Http404
    response = JsonResponse(manifest_data(language), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


OFFLINE_LINKS = [
    ("home", gettext_lazy("Home page")),
    ("news:alerts", gettext_lazy("Urgent alerts")),
    ("appeals:mine", gettext_lazy("My requests")),
    ("appeals:new", gettext_lazy("New request")),
    ("services:centres", gettext_lazy("Service centres and opening hours")),
]


@require_GET
def offline(request):
    """What the service worker shows for a page it has no copy of while offline."""
    saved_pages = [
        {"url": url, "label": label}
        for name, label in OFFLINE_LINKS
        if (url := _optional_url(name)) is not None
    ]
    return render(
        request, "offline.html", {"saved_pages": saved_pages, "offline_blocks": offline_blocks()}
    )


@require_GET
def install(request):
    """How to put My City on the home screen, for browsers that show no prompt (iOS)."""
    return render(request, "install.html")


@require_GET
@cache_control(public=True, max_age=86400)
def apple_touch_icon(request):
    # iOS asks for /apple-touch-icon.png before reading the page's <link>.
    path = finders.find("img/icons/apple-touch-icon.png")
    if not path:
        raise Http404
    return FileResponse(open(path, "rb"), content_type="image/png")
