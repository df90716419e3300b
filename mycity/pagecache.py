"""Whole public pages kept for anonymous visitors, dropped the moment what they show changes.

Anonymous visitors make most of the traffic and all see the same page for a
path, a query and a language. `AnonymousPageCacheMiddleware` keeps such
pages (headers and the body as sent, compressed or not) in the cache, and
answers a repeat without running the view, the templates or a query.

Apps declare their pages on their AppConfig, as they declare home blocks:

    cached_pages = ["/services/", "!/services/applications/"]  # path prefixes; "!" never
    on_every_page = True                                       # its data is on every page
    private_models = ["Application", "Document"]               # never on a public page

A saved or deleted row of any other model of such an app (or of the core)
bumps the app's version once the transaction commits, except a new row
that says it is not shown (`shown_publicly` False: an appeal awaiting
moderation); a page's key carries the
versions of the apps it shows (its own, those on every page, the core's;
the home page: every app with a home block or pages), so a changed, hidden
or moderated page is never served from the cache again. Services that
change public rows with `update()` call `bump_on_commit()` themselves.

Never kept: signed-in visitors (a session cookie), a request carrying
messages, a response that sets a cookie or used the CSRF token (its form
would hand one visitor's token to the next), anything but a 200 with
`Cache-Control` that allows sharing, and paths no app declared.
"""

from __future__ import annotations

import hashlib
import time

from django.apps import apps
from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import cc_delim_re
from django.utils.translation import get_language_from_request

CORE = "mycity"
VERSION_KEY = "pagecache:v:{}"
# Headers of the original response replayed on a hit (Date and cookies are not).
SKIPPED_HEADERS = {"set-cookie", "date"}

_routes: list[tuple[str, str | None]] | None = None  # (path prefix, app label), longest first
_everywhere: list[str] | None = None
_home: list[str] | None = None


def _load() -> None:
    global _routes, _everywhere, _home
    routes, everywhere, home = [], [CORE], []
    for config in apps.get_app_configs():
        for prefix in getattr(config, "cached_pages", ()):
            never = prefix.startswith("!")
            routes.append((prefix.lstrip("!"), None if never else config.label))
        if getattr(config, "on_every_page", False):
            everywhere.append(config.label)
        if getattr(config, "home_blocks", ()) or getattr(config, "cached_pages", ()):
            home.append(config.label)
    _routes = sorted(routes, key=lambda route: -len(route[0]))
    _everywhere, _home = everywhere, home


def scopes_for(path: str) -> list[str] | None:
    """The apps whose versions a page depends on; None when the page is not cached."""
    if _routes is None:
        _load()
    if path == "/":
        return sorted({*_everywhere, *_home})
    for prefix, label in _routes:
        if path.startswith(prefix):
            return None if label is None else sorted({*_everywhere, label})
    return None


def everywhere() -> list[str]:
    """The apps whose data is on every page (the core's and, say, the alerts banner)."""
    if _everywhere is None:
        _load()
    return list(_everywhere)


def version(label: str) -> int:
    """The app's current version: for caches of parts of pages that must follow it."""
    return cache.get(VERSION_KEY.format(label)) or 0


def bump(*labels: str) -> None:
    """Every cached page showing these apps' data is stale from now on."""
    stamp = time.time_ns()
    cache.set_many({VERSION_KEY.format(label): stamp for label in labels}, None)


def bump_on_commit(label: str) -> None:
    transaction.on_commit(lambda: bump(label))


def connect_models() -> None:
    """Bump an app's version whenever a row of one of its models changes (AppConfig.ready)."""
    for config in apps.get_app_configs():
        shown = config.label == CORE or getattr(config, "cached_pages", ())
        if not (shown or getattr(config, "on_every_page", False)):
            continue
        private = set(getattr(config, "private_models", ()))
        for model in config.get_models():
            if model.__name__ in private:
                continue
            for signal in (post_save, post_delete):
                signal.connect(_changed, sender=model, dispatch_uid=f"pagecache-{model._meta}")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    _changed,
                    sender=field.remote_field.through,
                    dispatch_uid=f"pagecache-{model._meta}-{field.name}",
                )


def _changed(sender, instance=None, created=False, **kwargs) -> None:
    # A new row nobody but its author and staff can see changes no public page.
    if created and getattr(instance, "shown_publicly", True) is False:
        return
    bump_on_commit(sender._meta.app_label)


def _key(request, scopes: list[str]) -> str:
    versions = cache.get_many([VERSION_KEY.format(label) for label in scopes])
    gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    parts = [
        request.get_full_path(),
        get_language_from_request(request),
        "gz" if gzip else "",
        "htmx" if request.headers.get("HX-Request") else "",
        "htmx-restore" if request.headers.get("HX-History-Restore-Request") else "",
        *(f"{label}={versions.get(VERSION_KEY.format(label), 0)}" for label in scopes),
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"pagecache:page:{digest}"


def _anonymous(request) -> bool:
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME not in cookies
        and CookieStorage.cookie_name not in cookies
        and "Authorization" not in request.headers
    )


def _shareable(request, response) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or getattr(request, "_messages", None):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    return not cache_control(response) & {"private", "no-store", "no-cache"}


def cache_control(response) -> set[str]:
    """The directives of the response's Cache-Control, without their values."""
    return {
        part.split("=")[0].strip().lower()
        for part in cc_delim_re.split(response.get("Cache-Control", ""))
    }


def copy(response) -> tuple[list, bytes]:
    """What is kept of a response: its headers as sent (not Date or cookies) and body."""
    headers = [
        (name, value) for name, value in response.items() if name.lower() not in SKIPPED_HEADERS
    ]
    return headers, response.content


def replay(kept: tuple[list, bytes], state: str) -> HttpResponse:
    """A kept copy as a response, marked X-Page-Cache: `state`."""
    headers, body = kept
    response = HttpResponse(body)
    for name, value in headers:
        response.headers[name] = value
    response.headers["X-Page-Cache"] = state
    return response


class AnonymousPageCacheMiddleware:
    """Above the compression and the session: a hit costs two cache reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or not settings.PAGE_CACHE_SECONDS:
            return self.get_response(request)
        scopes = scopes_for(request.path_info)
        if scopes is None or not _anonymous(request):
            return self.get_response(request)
        key = _key(request, scopes)
        kept = cache.get(key)
        if kept is not None:
            return replay(kept, "hit")
        response = self.get_response(request)
        if request.method == "GET" and _shareable(request, response):
            cache.set(key, copy(response), settings.PAGE_CACHE_SECONDS)
            response.headers["X-Page-Cache"] = "miss"
        return response
