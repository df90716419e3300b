"""The register's public data (the GeoJSON feed, the API list), cached per version.

Every change of a point (a status change, an admin edit, operators) bumps
the version once the transaction commits: signals only invalidate caches
here, the changes themselves are in outages.services. A city-wide request
for the feed is then answered from the cache without a query.
"""

import hashlib

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation

VERSION_KEY = "outages:points:version"
TIMEOUT = 600


def version() -> int:
    value = cache.get(VERSION_KEY)
    if value is None:
        value = int(timezone.now().timestamp() * 1000)
        cache.add(VERSION_KEY, value, None)
        value = cache.get(VERSION_KEY, value)
    return value


def bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, int(timezone.now().timestamp() * 1000), None)


def bump_on_commit() -> None:
    transaction.on_commit(bump)


def key(name: str, *parts) -> str:
    raw = "|".join(str(p) for p in parts)
    digest = hashlib.sha256(raw.encode()).hexdigest()[:16]
    return f"outages:{name}:{version()}:{translation.get_language()}:{digest}"


def cached_data(cache_key: str, build):
    """The cached value, or `build()` stored for next time (TIMEOUT, or until the version moves)."""
    value = cache.get(cache_key)
    if value is None:
        value = build()
        cache.set(cache_key, value, TIMEOUT)
    return value


def _changed(sender, **kwargs):
    bump_on_commit()


def connect() -> None:
    from .models import HelpPoint

    post_save.connect(_changed, sender=HelpPoint, dispatch_uid="outages-point-saved")
    post_delete.connect(_changed, sender=HelpPoint, dispatch_uid="outages-point-deleted")
    m2m_changed.connect(
        _changed, sender=HelpPoint.operators.through, dispatch_uid="outages-point-operators"
    )
