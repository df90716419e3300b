"""Rendered public pages of the catalogue, cached per language and catalogue version.

The catalogue, a service's page and the centres' page are the same for every
visitor in a language, so their main part is rendered once and kept in the
cache; so are the API's answers about them (services/api/catalogue.py). Any
change to the catalogue (a service, a category, a centre, hours or an
exception, a form field) bumps the version in the signal handlers below —
signals only invalidate caches. Pages that say "open now" also carry the
minute in their key.
"""

import hashlib

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation
from django.utils.safestring import SafeString

VERSION_KEY = "services:catalogue:version"
TIMEOUT = 600


def version() -> int:
    value = cache.get(VERSION_KEY)
    if value is None:
        value = int(timezone.now().timestamp())
        cache.add(VERSION_KEY, value, None)
        value = cache.get(VERSION_KEY, value)
    return value


def bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, int(timezone.now().timestamp()), None)


def key(page: str, *parts, per_minute: bool = False) -> str:
    raw = "|".join(str(p) for p in parts)
    digest = hashlib.sha256(raw.encode()).hexdigest()[:16]
    minute = timezone.now().strftime("%Y%m%d%H%M") if per_minute else ""
    return f"services:{page}:{version()}:{translation.get_language()}:{minute}:{digest}"


def cached_data(cache_key: str, build):
    """The cached value, or `build()` stored for next time (TIMEOUT, or until the version moves)."""
    value = cache.get(cache_key)
    if value is None:
        value = build()
        cache.set(cache_key, value, TIMEOUT)
    return value


def cached_html(cache_key: str, render) -> SafeString:
    """The cached fragment, or `render()` (our autoescaping templates) stored for next time."""
    # Safe: produced by render_to_string from our own templates, which escape content.
    return SafeString(cached_data(cache_key, lambda: str(render())))


def _catalogue_changed(sender, **kwargs):
    bump()


def connect() -> None:
    from .models import (
        CentreException,
        FormField,
        OpeningHours,
        Service,
        ServiceCategory,
        ServiceCentre,
    )

    for model in (
        Service,
        ServiceCategory,
        ServiceCentre,
        OpeningHours,
        CentreException,
        FormField,
    ):
        post_save.connect(_catalogue_changed, sender=model, dispatch_uid=f"svc-{model.__name__}")
        post_delete.connect(
            _catalogue_changed, sender=model, dispatch_uid=f"svc-del-{model.__name__}"
        )
    m2m_changed.connect(
        _catalogue_changed, sender=Service.centres.through, dispatch_uid="svc-centres"
    )


__all__ = ["bump", "cached_html", "connect", "key", "version"]
