"""What a first visit to a page transfers, as production sends it (issue 20, point 4).

manage.py page_weight                       # the home page and the filing form, uk and en
manage.py page_weight --user someone@example.org --path /requests/map/

Static files are collected to a temporary folder with the production storage
(hashed names, compressed copies) and served by WhiteNoise as in production;
every request asks for gzip. A first visit counts the page, each stylesheet,
script, icon, image and web manifest it links, and the fonts its stylesheets
load. Images that stylesheets name for elements a page may add later (Leaflet's
markers and layer control) and the service worker, installed after the page
has loaded, are not counted. tests/mycity/test_static_weight.py holds the limits.
"""

import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test import Client
from django.test.utils import override_settings

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
FONT_FACE = re.compile(r"@font-face\s*{[^}]*}", re.S)
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def served_from(root) -> dict:
    """The settings under which static files are collected and served as in production."""
    return {
        "DEBUG": False,
        "STATIC_ROOT": str(root),
        "STORAGES": {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}},
        "WHITENOISE_AUTOREFRESH": False,
        "WHITENOISE_USE_FINDERS": False,
    }


@contextmanager
def production_static():
    """Static files collected and served as in production, for the time of the block."""
    with (
        tempfile.TemporaryDirectory(prefix="mycity-static-") as root,
        override_settings(**served_from(root)),
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = set((attrs.get("rel") or "").split())
        if tag == "link" and rel & {"stylesheet", "icon", "manifest"} and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag in ("script", "img") and attrs.get("src"):
            self.urls.append(attrs["src"])


@dataclass
class Weight:
    path: str
    sizes: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.sizes.values())


def _transferred(response) -> int:
    if response.has_header("Content-Length"):
        return int(response["Content-Length"])
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def page_weight(client: Client, path: str, language: str) -> Weight:
    """Bytes a first visit to `path` transfers (gzip), by URL: the page first."""
    headers = {"HTTP_ACCEPT_ENCODING": "gzip", "HTTP_ACCEPT_LANGUAGE": language}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(path, **headers)
    if page.status_code != 200:
        raise CommandError(f"{path} answered {page.status_code}")
    weight = Weight(path)
    weight.sizes[path] = _transferred(page)
    parser = _Links()
    # The page as the browser reads it: the test client does not decompress.
    html = client.get(path, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    parser.feed(html)
    queue = [urljoin(path, url) for url in parser.urls]
    while queue:
        url = queue.pop(0)
        if url in weight.sizes or urlsplit(url).netloc:
            continue
        response = client.get(url, **headers)
        if response.status_code != 200:
            raise CommandError(f"{url}, linked from {path}, answered {response.status_code}")
        weight.sizes[url] = _transferred(response)
        if url.endswith(".css"):
            plain = _body(client.get(url))
            for font_face in FONT_FACE.findall(plain.decode()):
                queue += [
                    urljoin(url, src)
                    for src in CSS_URL.findall(font_face)
                    if not src.startswith("data:")
                ]
    return weight


def filing_form_path(client: Client) -> str:
    """The problem-report form of the first category its chooser offers."""
    chooser = client.get("/requests/new/?kind=problem").content.decode()
    found = re.search(r'name="category" value="([^"]+)"', chooser)
    if found is None:
        raise CommandError("The filing form offers no category: run seed_demo.")
    return f"/requests/new/?kind=problem&category={found[1]}"


class Command(BaseCommand):
    help = "What a first visit to the home page and the filing form transfers in production."

    def add_arguments(self, parser):
        parser.add_argument(
            "--user",
            help="Signed in as this e-mail for pages that need it (default: the first resident).",
        )
        parser.add_argument(
            "--path", action="append", help="Measure this page (repeatable) instead."
        )

    def handle(self, *args, user=None, path=None, **options):
        users = get_user_model().objects.filter(is_staff=False, is_active=True)
        person = users.filter(email=user).first() if user else users.order_by("pk").first()
        if person is None:
            raise CommandError("No resident to sign in as: run seed_demo, or pass --user.")
        with (
            production_static(),
            override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False),
        ):
            signed_in = Client()
            signed_in.force_login(person)
            pages = [(p, True) for p in path or []] or [
                ("/", False),
                (filing_form_path(signed_in), True),
            ]
            for page, needs_sign_in in pages:
                for language in ("uk", "en"):
                    client = Client()
                    if needs_sign_in:
                        client.force_login(person)
                    weight = page_weight(client, page, language)
                    self.stdout.write(f"{page} ({language}): {weight.total / 1024:.1f} KB")
                    for url, size in weight.sizes.items():
                        self.stdout.write(f"  {size / 1024:7.1f} KB  {url}")
