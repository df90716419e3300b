"""Every URL of the site answers hostile input with a 4xx, never a 5xx.

The walk resolves the whole URLconf (pages, the REST API, Open311, allauth,
the admin), fills each pattern's path parameters from the demo data, and sends
each URL bad values: in the query string, in the path, in form bodies
(urlencoded and multipart) and in JSON bodies (values, keys, nesting), as an
anonymous visitor and as a signed-in resident who owns the demo cases.
Rate limits are lifted so that every request reaches its view.

The normal suite's walk (on either database, under a minute on SQLite) sends
each value in all names at once. The thorough walk, marked `services` and run
against PostgreSQL (which refuses NUL in text: most of the 500s were found
there), also sends it in each name a view was seen to read (spied on
QueryDict), PUT and PATCH bodies, an API appeal and an Open311 request that
are valid but for one field, and every value.

A failure lists each 5xx as: method, URL, [where and which value], status
and the exception behind it. The focused regression tests for the 500s this
walk found are in tests/*/test_bad_input.py.
"""

import json
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.db import connection
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tests.conftest import sign_in

# Query-string and form values, raw (already percent-encoded where it matters).
RAW_VALUES = {
    "nul": "a%00b",
    "surrogate": "%ED%A0%80",
    "huge": "9" * 400,
    "big-exponent": "1e999999",
    "nan": "NaN",
    "infinity": "-Infinity",
    "overlong": "x" * 20_000,
    "negative": "-99999999999999999999",
}
# The same values as Python strings, for JSON bodies (and a lone surrogate).
JSON_VALUES = {
    "nul": "a\x00b",
    "surrogate": "\ud800",
    "huge": "9" * 400,
    "nan": "NaN",
    "overlong": "x" * 20_000,
}
JSON_NUMBERS = {"huge-int": 10**400, "big-float": 1e308, "negative": -(10**30)}
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
JSON_BODIES = {
    "deep arrays": "[" * 100_000 + "]" * 100_000,
    "deep objects": '{"a":' * 100_000 + "1" + "}" * 100_000,
    "bad keys": json.dumps({"a\x00b": 1, "\ud800": 2}),
    "nested nul": json.dumps({"answers": {"q": ["a\x00b"]}, "keys": {"auth": "\ud800"}}),
}
# The normal suite's walk sends these (a second within a minute); the thorough one, all.
QUICK = {"nul", "surrogate", "huge", "nan", "huge-int", "deep arrays", "bad keys", "nested nul"}
# Every parameter and field name the site's views, forms, filters and
# serializers read (grep for GET/query_params and form fields), set at once.
NAMES = [
    "q", "page", "page_size", "following_page", "sort", "ordering", "category", "district",
    "kind", "status", "bbox", "lat", "lon", "latitude", "longitude", "point", "radius",
    "date", "date_from", "date_to", "since", "until", "start_date", "end_date", "day", "week",
    "topic", "service", "service_code", "service_request_id", "centre", "slot", "step",
    "template", "texts", "unread", "check", "open_now", "online", "format", "lang", "language",
    "next", "jurisdiction_id", "api_key", "token", "email", "password", "full_name", "phone",
    "title", "description", "text", "body", "comment", "reason", "message", "answer",
    "answers", "score", "value", "choice", "address", "address_string", "is_public",
    "idempotency_key", "endpoint", "keys", "p256dh", "auth", "code", "slug", "id", "pk",
    "digest", "digest_topics", "alert_districts", "muted_kinds", "quiet_hours_start",
    "quiet_hours_end", "preferred_language", "account_id", "media_url", "first_name",
    "last_name", "device_id", "screen", "starts_at", "time", "key", "login", "remember",
]  # fmt: skip
# Served files, not views.
SKIP_PREFIXES = ("media/", "static/")


def _path_value(world: dict, route: str, name: str) -> str | None:
    """A real value for path parameter `name` of a URL starting with `route`."""
    if name in ("format", "fmt"):
        return "json"
    table = {
        "ref": world["appeal"],
        "reference": world["appeal"] if "appeals" in route else world["application"],
        "sref": world["application"],
        "document_id": world["document"],
        "delivery_id": "1",
        "code": world["appointment"] if "appointment" in route else world["service_code"],
        "token": "00000000-0000-4000-8000-000000000000",
        "secret": "wrong-secret",
        "language": "uk",
        "lang": "uk",
        "service_request_id": world["appeal"],
        "id_or_slug": world["centre"],
        "object_id": "1",
        "app_label": "appeals",
        "rest": "anything",
        "path": "x",
        "key": "x",
        "uidb36": "1",
        "provider_id": "google",
        "type": "totp",
    }
    if name in table:
        return table[name]
    if name == "slug":
        for start, value in world["slugs"].items():
            if start in route:
                return value
        return "x"
    if name == "pk":
        if "notifications" in route:
            return str(world["notification"])
        if "alerts" in route:
            return str(world["alert"])
        if "documents" in route:
            return world["document"]
        return "1"
    if name == "topic":
        return world["slugs"]["topic"]
    if route.startswith("admin/"):
        return "1"
    return None


def _patterns(resolver=None, prefix: str = "", names: tuple = ()):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            space = (*names, pattern.namespace) if pattern.namespace else names
            yield from _patterns(pattern, prefix + str(pattern.pattern), space)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + str(pattern.pattern), ":".join((*names, pattern.name)), pattern


def site_urls(world: dict) -> list[tuple[str, str, dict]]:
    """(route, url, kwargs) for every named URL pattern, path parameters filled."""
    urls, seen = [], set()
    for route, name, pattern in _patterns():
        if route.startswith(SKIP_PREFIXES):
            continue
        params = list(pattern.pattern.regex.groupindex)
        if "format" in params:  # DRF's ".json" twins of every route
            continue
        kwargs = {p: _path_value(world, route, p) for p in params}
        if any(value is None for value in kwargs.values()):
            raise AssertionError(f"no value for a path parameter of {route}: {kwargs}")
        try:
            url = reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            raise AssertionError(f"cannot fill {route} with {kwargs}") from None
        if url not in seen:
            seen.add(url)
            urls.append((route, url, kwargs))
    return urls


@pytest.fixture
def world(db, monkeypatch, settings):
    """The demo data, with the demo resident's own cases; rate limits lifted."""
    from rest_framework.throttling import SimpleRateThrottle

    from appeals.models import Appeal
    from appeals.open311 import keys
    from appeals.open311.services import api_client_create
    from citizens.models import User
    from citizens.notifications.models import Notification
    from mycity.models import District
    from news.models import Alert, NewsItem, Topic
    from services.models import Application, Appointment, Document, Service, ServiceCentre
    from surveys.models import Survey

    call_command("seed_demo", stdout=StringIO())
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)
    monkeypatch.setattr(keys, "rate_hit", lambda *args, **kwargs: 0)
    settings.ACCOUNT_RATE_LIMITS = False
    resident = User.objects.get(email="resident@demo.mycity.test")
    _client, key = api_client_create(name="Walk")
    lat, lon = District.objects.get(slug="tsentralnyi").centroid
    place = {"latitude": lat, "longitude": lon}
    application = Application.objects.filter(applicant=resident).first()
    document = Document.objects.first()
    return {
        "resident": resident,
        "appeal": (
            Appeal.objects.filter(author=resident).first() or Appeal.objects.first()
        ).reference,
        "application": (application or Application.objects.first()).reference,
        "document": str(document.pk) if document else "00000000-0000-4000-8000-000000000000",
        "appointment": (
            Appointment.objects.filter(resident=resident).first() or Appointment.objects.first()
        ).code,
        "service_code": Service.objects.first().slug,
        "centre": ServiceCentre.objects.first().slug,
        "notification": Notification.objects.filter(recipient=resident).first().pk,
        "alert": Alert.objects.first().pk,
        "open311_post": {
            "api_key": key,
            "service_code": "pothole",
            "lat": str(lat),
            "long": str(lon),
            "description": "Яма на дорозі біля зупинки.",
        },
        # API bodies that pass, so that one bad field is checked past the others.
        "valid_bodies": {
            "/api/v1/appeals/": {
                "kind": "problem",
                "category": "pothole",
                "title": "Яма",
                "description": "Яма на дорозі біля зупинки.",
                "answers": {"size": "30–100 см"},
                **place,
            },
        },
        "slugs": {
            "news/feed": Topic.objects.first().slug,
            "topic": Topic.objects.first().slug,
            "news": NewsItem.objects.first().slug,
            "surveys": Survey.objects.first().slug,
            "services": Service.objects.first().slug,
            "categories": "roads",
            "districts": "tsentralnyi",
        },
    }


class Walk:
    """Sends requests and keeps every 5xx with the exception behind it."""

    def __init__(self, client: Client):
        self.client = client
        self.client.raise_request_exception = False
        self.failures: list[str] = []
        self._last_exc: list[BaseException] = []

    def _record(self, sender, request=None, **kwargs):
        import sys

        self._last_exc.append(sys.exc_info()[1])

    def send(self, label: str, method: str, url: str, **extra) -> None:
        self._last_exc.clear()
        got_request_exception.connect(self._record)
        try:
            response = getattr(self.client, method)(url, **extra)
        finally:
            got_request_exception.disconnect(self._record)
        if response.status_code >= 500:
            cause = repr(self._last_exc[-1])[:200] if self._last_exc else ""
            self.failures.append(
                f"{method.upper()} {url[:120]} [{label}] -> {response.status_code} {cause}"
            )


class Recorder:
    """Which names a view reads from request.GET / request.POST (or DRF's form data)."""

    def __init__(self, monkeypatch):
        from django.http import QueryDict

        self.names: set[str] = set()
        recorder = self
        for method in ("get", "getlist", "__getitem__", "__contains__"):
            original = getattr(QueryDict, method)

            def spy(self, key, *args, _original=original, **kwargs):
                if isinstance(key, str):
                    recorder.names.add(key)
                return _original(self, key, *args, **kwargs)

            monkeypatch.setattr(QueryDict, method, spy)

    def read_by(self, send) -> set[str]:
        self.names = set()
        send()
        return {name for name in self.names if name not in IGNORED_NAMES}


# Read by middleware on every request, not by the views.
IGNORED_NAMES = {"csrfmiddlewaretoken", "__zz"}


def walk_site(client, world, recorder, *, only: str, thorough: bool) -> list[str]:
    """Send every URL of one part of the site (`pages`, `api` or `admin`) bad input.

    Each bad value goes in all the names at once; `thorough` also sends it in
    each name a view was seen to read, alone (a view may stop at the first bad
    name), and adds the API bodies built on valid ones.
    """
    walk = Walk(client)

    def chosen(values: dict) -> dict:
        return values if thorough else {k: v for k, v in values.items() if k in QUICK}

    for route, url, kwargs in site_urls(world):
        if site_part(route) != only:
            continue
        if only == "admin":
            # Staff only: anonymous visitors and residents are sent away, whatever the query.
            walk.send("query nul", "get", f"{url}?q=a%00b&o=a%00b&p=99999999999999999999")
            continue
        get_names = post_names = set()
        if thorough:
            get_names = recorder.read_by(lambda url=url: client.get(f"{url}?__zz=1"))
            post_names = recorder.read_by(
                lambda url=url: client.post(
                    url, data=b"__zz=1", content_type="application/x-www-form-urlencoded"
                )
            )
        for label, raw in chosen(RAW_VALUES).items():
            send_raw(walk, url, kwargs, label, raw, get_names, post_names)
        walk.send("multipart nul", "post", url, data=dict.fromkeys(NAMES, "a\x00b"))
        # Reading a form must not keep a view from reading its raw body.
        walk.send("multipart plain", "post", url, data={"q": "x"})
        methods = ("post",)
        if route.startswith("api/"):
            methods = ("post", "put", "patch") if thorough else ("post", "put")
        for label, value in chosen({**JSON_VALUES, **JSON_NUMBERS}).items():
            bodies = {"all": dict.fromkeys(NAMES, value)}
            bodies.update({name: {name: value} for name in sorted(post_names)})
            if thorough and url in world["valid_bodies"]:
                valid = world["valid_bodies"][url]
                bodies.update({f"valid+{name}": {**valid, name: value} for name in valid})
            send_json(walk, url, methods, label, bodies)
        for label, body in chosen(JSON_BODIES).items():
            for method in methods:
                walk.send(f"json {label}", method, url, data=body, content_type=JSON)
    if only == "api" and thorough:
        walk_open311_post(walk, world)
    return walk.failures


def site_part(route: str) -> str:
    if route.startswith(("api/", "open311/")):
        return "api"
    return "admin" if route.startswith("admin/") else "pages"


def send_raw(walk, url, kwargs, label, raw, get_names, post_names) -> None:
    """One bad raw value in the query, the form body and the path of `url`."""
    query = "&".join(f"{name}={raw}" for name in NAMES)
    walk.send(f"query {label}", "get", f"{url}?{query}")
    walk.send(f"form {label}", "post", url, data=query.encode(), content_type=FORM)
    for name in sorted(get_names):
        walk.send(f"query {name} {label}", "get", f"{url}?{name}={raw}")
    for name in sorted(post_names):
        body = f"{name}={raw}".encode()
        walk.send(f"form {name} {label}", "post", url, data=body, content_type=FORM)
    for param, value in kwargs.items():
        bad = with_path_value(url, value, raw)
        if bad:
            walk.send(f"path {param} {label}", "get", bad)


def send_json(walk, url, methods, label, bodies) -> None:
    for which, data in bodies.items():
        body = json.dumps(data, ensure_ascii=True)
        for method in methods:
            walk.send(f"json {which} {label}", method, url, data=body, content_type=JSON)


def walk_open311_post(walk, world) -> None:
    """A valid Open311 POST with a real key, each field in turn bad."""
    valid = world["open311_post"]
    url = "/open311/v2/requests.json"
    for label, raw in RAW_VALUES.items():
        for name in [*valid, "attribute[size]", "email", "first_name", "address_string"]:
            fields = {**valid, name: raw}
            body = "&".join(f"{key}={value}" for key, value in fields.items())
            walk.send(f"open311 {name} {label}", "post", url, data=body.encode(), content_type=FORM)


def with_path_value(url: str, original: str, raw: str) -> str | None:
    """`url` with the path parameter's value `original` replaced by `raw`."""
    encoded = quote(str(original), safe="")
    if not original or encoded not in url or original == "json":
        return None
    head, _sep, tail = url.rpartition(encoded)
    return f"{head}{raw}{tail}"


def walk_headers(client) -> list[str]:
    """A NUL in a cookie (a quoted cookie's octal escape) or in the app's session token."""
    walk = Walk(client)
    for url in ("/", "/requests/", "/api/v1/appeals/mine/", "/api/v1/auth/app/v1/auth/session"):
        for cookie in ("sessionid", "csrftoken", "django_language"):
            client.cookies[cookie] = "abcdefgh\x00ijklmnop"
            walk.send(f"{cookie} cookie nul", "get", url)
            walk.send(f"{cookie} cookie nul", "post", url, data={"q": "x"})
            del client.cookies[cookie]
        walk.send("session token nul", "get", url, HTTP_X_SESSION_TOKEN="abcdefgh\x00ijklmnop")
    return walk.failures


def walk_part(world, recorder, who: str, only: str, *, thorough: bool) -> list[str]:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if who == "resident":
        sign_in(client, world["resident"])
    failures = walk_site(client, world, recorder, only=only, thorough=thorough)
    if only == "pages":
        failures += walk_headers(Client())
    return failures


@pytest.fixture
def recorder(monkeypatch):
    return Recorder(monkeypatch)


PARTS = [
    pytest.param(who, only, id=f"{who}-{only}")
    for who in ("anonymous", "resident")
    for only in ("pages", "api", "admin")
]


@pytest.mark.parametrize(("who", "only"), PARTS)
def test_every_url_answers_bad_input_without_a_server_error(world, recorder, who, only):
    failures = walk_part(world, recorder, who, only, thorough=False)
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)


@pytest.mark.services
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL refuses NUL in text where SQLite stores it (set DATABASE_URL)",
)
@pytest.mark.parametrize(("who", "only"), [p for p in PARTS if "admin" not in p.id])
def test_every_url_and_each_name_answer_bad_input_on_postgresql(world, recorder, who, only):
    failures = walk_part(world, recorder, who, only, thorough=True)
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures)
