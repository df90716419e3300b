from functools import cache

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# The site's sections: the home page's cards, and (all but the last ones) the
# header's links; a 1366 px header holds five beside the cabinet. A section
# whose app is not installed yet has no URL and is left out rather than shown
# as a dead link.
SECTIONS = [
    ("news", "news:list", _("News")),
    ("requests", "appeals:list", _("Requests")),
    ("proposals", "appeals:proposals", _("Proposals")),
    ("surveys", "surveys:list", _("Surveys")),
    ("services", "services:catalogue", _("Services")),
    ("points", "outages:points", _("Points of help")),
    ("outages", "outages:incidents", _("Outages")),
    ("stats", "stats:overview", _("Statistics and open data")),
]
HEADER_SECTIONS = {"news", "requests", "proposals", "surveys", "services"}
# What a resident needs in an outage, and how the city keeps to the law, on
# every page (the footer), phones included.
FOOTER_SECTIONS = {"points", "outages", "stats"}


@cache
def _section_urls() -> tuple[tuple[str, str], ...]:
    found = []
    for key, url_name, _label in SECTIONS:
        try:
            found.append((key, reverse(url_name)))
        except NoReverseMatch:
            continue
    return tuple(found)


@cache
def _report_url() -> str | None:
    """The filing wizard for a problem report, or None without the requests app."""
    try:
        return reverse("appeals:new") + "?kind=problem"
    except NoReverseMatch:
        return None


def site(request):
    labels = {key: label for key, _url, label in SECTIONS}
    sections = [
        {"key": key, "url": url, "label": labels[key], "active": request.path.startswith(url)}
        for key, url in _section_urls()
    ]
    return {
        "SITE_URL": settings.SITE_URL,
        "CITY_HOTLINE": settings.CITY_HOTLINE,
        "nav_sections": [s for s in sections if s["key"] in HEADER_SECTIONS],
        "home_sections": sections,
        "footer_sections": [s for s in sections if s["key"] in FOOTER_SECTIONS],
        # For a page that links another app's section without naming its URL.
        "section_urls": {s["key"]: s["url"] for s in sections},
        # Reporting a problem is the main job: the header and home page link it.
        "report_url": _report_url(),
        "language_labels": settings.LANGUAGE_LABELS,
    }
