"""Page weight on a first visit, as production sends it (issue 20, point 4).

The home page stays under 50 KB and the filing form under 100 KB, counting the
page and everything it links (gzip, hashed static files served by WhiteNoise:
mycity/management/commands/page_weight.py). Hashed files are cached for a year.
htmx is loaded only by pages whose templates carry hx- attributes, and every
such page loads it.
"""

import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings

from citizens.notifications.views import push as push_views
from mycity.management.commands import build_bootstrap_css
from mycity.management.commands.page_weight import (
    filing_form_path,
    page_weight,
    served_from,
)
from tests.factories import CategoryFactory
from tests.news.factories import make_item

ROOT = Path(__file__).resolve().parents[2]
HOME_LIMIT = 50 * 1024
FORM_LIMIT = 100 * 1024
YEAR = 365 * 24 * 3600
HTMX_SCRIPT = "vendor/htmx/htmx.min"


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    with override_settings(**served_from(root)):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def served(settings, collected):
    for name, value in served_from(collected).items():
        setattr(settings, name, value)
    settings.ALLOWED_HOSTS = ["testserver"]


@pytest.fixture
def home_content(db):
    for number in range(6):
        make_item(title_uk=f"Новина номер {number} про місто", title_en=f"City news {number}")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_home_page_weighs_at_most_50_kb(served, home_content, language):
    weight = page_weight(Client(), "/", language)

    assert weight.total <= HOME_LIMIT, weight.sizes


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_filing_form_weighs_at_most_100_kb(served, resident, language):
    CategoryFactory(slug="pothole")
    client = Client()
    client.force_login(resident)

    weight = page_weight(client, filing_form_path(client), language)

    assert weight.total <= FORM_LIMIT, weight.sizes
    assert any("leaflet" in url for url in weight.sizes)


@pytest.mark.django_db
def test_hashed_static_files_are_cached_for_a_year(served):
    html = Client().get("/").content.decode()
    stylesheet = re.search(r'href="(/static/css/mycity\.[0-9a-f]{12}\.css)"', html)[1]

    response = Client().get(stylesheet)

    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "immutable" in cache_control
    assert int(re.search(r"max-age=(\d+)", cache_control)[1]) >= YEAR


@pytest.mark.django_db
def test_pages_without_hx_attributes_load_no_htmx(served, home_content):
    assert HTMX_SCRIPT not in Client().get("/").content.decode()


# --- Which pages need htmx --------------------------------------------------

TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]
HX_ATTRIBUTE = re.compile(r"\shx-(?!headers)[a-z-]+=")
INCLUDE = re.compile(r"{%\s*include\s+[\"']([^\"']+)[\"']([^%]*)%}")
EXTENDS = re.compile(r"{%\s*extends\s+[\"']([^\"']+)[\"']")
LOADS_HTMX = '{% include "includes/htmx.html" %}'
# The pagination carries hx- attributes only when given an htmx target.
ONLY_WITH = {"includes/_pagination.html": "target="}
# Partials a view renders to a string that its page then shows (not a static
# {% include %}): the page that shows each.
SHOWN_BY = {
    "appeals/_rows.html": ["appeals/list.html"],
}


def _templates() -> dict[str, str]:
    found = {}
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            found.setdefault(str(path.relative_to(folder)), path.read_text())
    return found


def _pages_showing(name: str, templates: dict[str, str], seen: set[str]) -> set[str]:
    """The page templates (those that extend another) that show `name`, through includes."""
    if name in seen:
        return set()
    seen.add(name)
    pages = {name} if EXTENDS.search(templates[name]) else set()
    includers = [
        other
        for other, text in templates.items()
        for included, arguments in INCLUDE.findall(text)
        if included == name and ONLY_WITH.get(name, "") in arguments
    ]
    includers += SHOWN_BY.get(name, [])
    if not includers and not pages:
        raise AssertionError(
            f"{name} carries hx- attributes but no template includes it: "
            "add the page that shows it to SHOWN_BY"
        )
    for includer in includers:
        pages |= _pages_showing(includer, templates, seen)
    return pages


def _loads_htmx(page: str, templates: dict[str, str]) -> bool:
    text = templates.get(page, "")
    if LOADS_HTMX in text:
        return True
    parent = EXTENDS.search(text)
    return bool(parent) and _loads_htmx(parent[1], templates)


def test_every_page_with_hx_attributes_loads_htmx():
    templates = _templates()
    with_hx = [name for name, text in templates.items() if HX_ATTRIBUTE.search(text)]
    pages = set()
    for name in with_hx:
        pages |= _pages_showing(name, templates, set())

    assert pages
    assert sorted(page for page in pages if not _loads_htmx(page, templates)) == []


def test_base_loads_no_htmx_by_itself():
    assert HTMX_SCRIPT not in _templates()["base.html"]


# --- The trimmed Bootstrap ----------------------------------------------------


def test_the_trimmed_bootstrap_is_current():
    """A template, script or form that gains a Bootstrap class needs the file rebuilt."""
    committed = build_bootstrap_css.TARGET.read_text(encoding="utf-8")

    assert build_bootstrap_css.build() == committed, "run: manage.py build_bootstrap_css"


def test_the_pages_link_the_trimmed_bootstrap():
    templates = _templates()
    for name in ("base.html", "500.html", "503.html"):
        assert "css/bootstrap-used.min.css" in templates[name]
        assert "bootstrap.min.css" not in templates[name]


def test_the_trimmed_bootstrap_keeps_what_the_pages_use():
    css = build_bootstrap_css.TARGET.read_text(encoding="utf-8")
    # Classes of the header and forms, one set by static/js/app.js, and an
    # alert whose colour a template completes (alert-{{ message.tags }}).
    for selector in (".navbar-toggler{", ".form-control{", ".collapse:not(.show)", ".alert-info{"):
        assert selector in css
    assert "Bootstrap  v5" in css  # the licence notice stays


def test_the_trimmed_bootstrap_drops_what_no_page_uses():
    css = build_bootstrap_css.TARGET.read_text(encoding="utf-8")
    for selector in (".accordion{", ".carousel{", ".popover{", "[data-bs-theme=dark]"):
        assert selector not in css


def test_a_class_completed_by_a_template_keeps_every_class_it_may_become():
    purger = build_bootstrap_css._Purger({"alert"}, {"alert-"})

    assert purger.selector_used(".alert-warning .alert-link")
    assert not purger.selector_used(".btn-primary")


def test_a_class_inside_not_is_not_required():
    purger = build_bootstrap_css._Purger({"btn-group", "btn"}, set())

    assert purger.selector_used(".btn-group>.btn:not(:last-child):not(.dropdown-toggle)")


# --- Hashed names where no template tag writes them ----------------------------

HASHED = re.compile(r"\.[0-9a-f]{12}\.[a-z0-9]+$")


@pytest.fixture
def fresh_worker():
    push_views._cached_worker.cache_clear()
    yield
    push_views._cached_worker.cache_clear()


@pytest.mark.django_db
def test_the_service_worker_imports_and_precaches_hashed_names(served, fresh_worker):
    worker = Client().get("/sw.js").content.decode()
    named = re.findall(r"[\"'](/static/[^\"']+)[\"']", worker)

    assert 'importScripts("/static/js/outbox.' in worker
    assert len(named) >= 6  # outbox.js, the icon, PRECACHE
    assert [url for url in named if not HASHED.search(url)] == []
    for url in named:
        response = Client().get(url)
        assert response.status_code == 200, url
        assert "immutable" in response["Cache-Control"]


@pytest.mark.django_db
def test_leaflet_finds_its_marker_images_under_hashed_names(served, resident):
    CategoryFactory(slug="pothole")
    client = Client()
    client.force_login(resident)

    html = client.get(filing_form_path(client)).content.decode()
    images = re.findall(r'data-(?:icon|icon-retina|shadow)="([^"]+)"', html)

    assert len(images) == 3
    for url in images:
        assert HASHED.search(url), url
        assert Client().get(url).status_code == 200


def test_pages_load_leaflet_through_the_include_that_names_its_images():
    loading = [
        name
        for name, text in _templates().items()
        if "<script src=\"{% static 'vendor/leaflet/leaflet.js' %}\"" in text
    ]

    assert loading == ["includes/leaflet.html"]
