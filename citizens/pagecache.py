"""A signed-in resident's own pages, kept for them alone and dropped when anything on them changes.

The cabinet, the inbox, one's own requests and the page of one's own appeal
are what a resident opens again and again; each costs a session, a user and
a dozen templates to make. `PersonalPageCacheMiddleware` keeps such a page
for the one session that asked for it and answers a repeat from the cache
with three cache reads (the session, the versions, the page).

Which pages: views marked `@kept_per_person`. Nothing else is ever kept.

Whose page: the key holds the session key, the CSRF cookie (the page's
forms carry a token made from it), the path and query, the language, the
compression and htmx headers, the person's own version and the versions
of the apps the page shows (mycity/pagecache.py: the alerts banner, the
footer; for a public page also its app). Staff are never kept: their pages
carry powers and their sessions are checked on every request.

When a kept page is dropped (its key no longer matches):
- after every request the person makes that is not a GET or HEAD, and any
  request that changed their session (a survey draft, a sign-in step);
- when a row that belongs to them is saved or deleted, once the transaction
  commits: apps declare those rows on their AppConfig,

      personal_rows = {"Appeal": ["author_id"], "AppealMessage": ["appeal.author_id"]}

  (each path leads from the row to a user's id);
- when a service changes such rows with `update()` or `bulk_create()`, it
  calls `bump_person_on_commit(*user_ids)` itself;
- when the person's own row changes (a new password, a deactivated account,
  a new role or language), since `User` is a personal row of itself;
- and in any case after `PERSONAL_PAGE_CACHE_SECONDS` (60 s by default), the
  bound on anything else another person does to what a page shows.

Responses are `Cache-Control: private, no-store` as before: the copy lives
only on the server, in the same cache as the session.
"""

from __future__ import annotations

import hashlib
import time
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.urls import Resolver404, resolve
from django.utils.translation import get_language_from_request

from mycity import pagecache
from mycity.middleware import PERSONAL

PERSON_KEY = "pagecache:person:{}"


def kept_per_person(view):
    """Mark a view whose GET answers may be kept for the signed-in resident who asked."""
    view.kept_per_person = True
    return view


def _person_key(user_id) -> str:
    return PERSON_KEY.format(user_id)


def bump_person(*user_ids) -> None:
    """Every kept page of these people is stale from now on."""
    stamp = time.time_ns()
    keys = {_person_key(pk): stamp for pk in set(user_ids) if pk is not None}
    if keys:
        cache.set_many(keys, None)


def bump_person_on_commit(*user_ids) -> None:
    transaction.on_commit(lambda: bump_person(*user_ids))


# --- the rows that belong to people ------------------------------------------------------


def _owners(instance, paths: list[str]) -> list:
    owners = []
    for path in paths:
        value = instance
        try:
            for step in path.split("."):
                value = getattr(value, step)
                if value is None:
                    break
        except ObjectDoesNotExist:  # deleted along with its parent
            continue
        owners.append(value)
    return owners


def _row_changed(sender, instance, paths, **kwargs) -> None:
    owners = _owners(instance, paths)
    if owners:
        bump_person_on_commit(*owners)


def personal_rows() -> dict[type, list[str]]:
    """Every declared model with its paths to the people whose pages show it."""
    declared = {}
    for config in apps.get_app_configs():
        for name, paths in getattr(config, "personal_rows", {}).items():
            label, _, model = name.rpartition(".")
            declared[apps.get_model(label or config.label, model)] = list(paths)
    return declared


def connect_models() -> None:
    """Bump the owners' versions when a personal row changes (CitizensConfig.ready)."""
    for model, paths in personal_rows().items():

        def receiver(sender, instance, paths=paths, **kwargs):
            _row_changed(sender, instance, paths)

        for signal in (post_save, post_delete):
            signal.connect(
                receiver, sender=model, weak=False, dispatch_uid=f"personal-{model._meta}"
            )


# --- the middleware ----------------------------------------------------------------------


def _kept_view(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return getattr(match.func, "kept_per_person", False)


def _session_key(request) -> str | None:
    """The session cookie of a browser that may be signed in (no messages waiting)."""
    cookies = request.COOKIES
    if cookies.get(CookieStorage.cookie_name) or "Authorization" in request.headers:
        return None
    return cookies.get(settings.SESSION_COOKIE_NAME) or None


def _user_id(session_key: str):
    """The user id in the session, read from the cache (no query with Redis)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    return store.get(SESSION_KEY)


def _key(request, user_id, session_key: str) -> str:
    scopes = pagecache.scopes_for(request.path_info) or pagecache.everywhere()
    person = _person_key(user_id)
    names = [person, *(pagecache.VERSION_KEY.format(label) for label in scopes)]
    versions = cache.get_many(names)
    if person not in versions:
        # Never 0 after an eviction: a page kept under an older 0 must not come back.
        cache.add(person, time.time_ns(), None)
        versions[person] = cache.get(person)
    gzip = "gzip" in request.headers.get("Accept-Encoding", "")
    parts = [
        str(user_id),
        session_key,
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        request.get_full_path(),
        get_language_from_request(request),
        "gz" if gzip else "",
        "htmx" if request.headers.get("HX-Request") else "",
        "htmx-restore" if request.headers.get("HX-History-Restore-Request") else "",
        *(f"{name}={versions.get(name, 0)}" for name in names),
    ]
    return "pagecache:personal:" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _only_renews_the_csrf_cookie(request, response) -> bool:
    """No cookie set but the CSRF cookie the browser already has.

    Django sends the CSRF cookie again with every page that uses the token,
    only to renew its expiry (a year); a kept page does not renew it, the
    next page made does. A new or rotated token makes the page personal to
    that token: not kept.
    """
    name = settings.CSRF_COOKIE_NAME
    if set(response.cookies) - {name}:
        return False
    if name in response.cookies:
        return response.cookies[name].value == request.COOKIES.get(name)
    return True


def _keepable(request, response, user_id) -> bool:
    if request.method != "GET" or response.status_code != 200 or response.streaming:
        return False
    if not _only_renews_the_csrf_cookie(request, response):
        return False
    if getattr(request, "_messages", None):
        return False
    session = getattr(request, "session", None)
    if session is None or session.modified:
        return False
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or str(user.pk) != str(user_id):
        return False
    if user.is_staff or user.is_superuser:
        return False
    return not pagecache.cache_control(response) & {"no-store", "no-cache"}


def _bump_after(request) -> None:
    """A write by the person, or a changed session, makes their kept pages stale."""
    writes = request.method not in ("GET", "HEAD")
    session = getattr(request, "session", None)
    if not (writes or (session is not None and session.modified)):
        return
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        bump_person(user.pk)


class PersonalPageCacheMiddleware:
    """Below the anonymous page cache, above the compression and the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session_key = _session_key(request)
        user_id = None
        if (
            session_key
            and request.method in ("GET", "HEAD")
            and settings.PERSONAL_PAGE_CACHE_SECONDS
            and _kept_view(request.path_info)
        ):
            user_id = _user_id(session_key)
        if user_id is None:
            response = self.get_response(request)
            _bump_after(request)
            return response
        key = _key(request, user_id, session_key)
        kept = cache.get(key)
        if kept is not None:
            response = pagecache.replay(kept, "personal-hit")
            response.headers.setdefault("Cache-Control", PERSONAL)
            return response
        response = self.get_response(request)
        if _keepable(request, response, user_id):
            cache.set(key, pagecache.copy(response), settings.PERSONAL_PAGE_CACHE_SECONDS)
            response.headers["X-Page-Cache"] = "personal-miss"
        _bump_after(request)
        return response
