"""The alert banner's data: one cache entry, no query on a hit.

The entry holds every published alert that is not over yet (upcoming ones
too), as plain dicts in both languages. Who sees what and whether an alert
has started or expired is decided on each read by the clock, so an expired
alert leaves the banner by itself without any job, and a scheduled one
appears on time.

The entry does not expire. It is written after every commit that changes an
alert (the services), every NEWS_ALERT_SWEEP_SECONDS by the beat task (which
also repairs a lost race or a flushed Redis), and built on a miss by the
live endpoint and /alerts/. The banner in the page itself never queries: on
a miss it renders empty and marks itself stale, and the page's script asks
the live endpoint at once. So every page costs no query for the banner.
"""

import hashlib

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

CACHE_KEY = "news:alerts:banner:v1"
MAP_TTL = 30  # seconds a rendered map data set is kept


def _build() -> dict:
    from .models import Alert

    alerts = list(
        Alert.objects.current_or_upcoming()
        .prefetch_related("districts")
        .order_by("-severity", "-starts_at", "-pk")
    )
    rows = []
    for alert in alerts:
        rows.append(
            {
                "id": alert.pk,
                "kind": alert.kind,
                "icon": alert.icon,
                "severity": alert.severity,
                "title": {"uk": alert.title_uk, "en": alert.title_en or alert.title_uk},
                "starts_at": alert.starts_at.isoformat(),
                "ends_at": alert.ends_at.isoformat() if alert.ends_at else None,
                "updated_at": alert.updated_at.isoformat(),
                "whole_city": alert.whole_city,
                "districts": sorted(d.pk for d in alert.districts.all()),
                "url": alert.get_absolute_url(),
            }
        )
    return {"built_at": timezone.now().isoformat(), "alerts": rows}


def banner_data(*, build: bool = True) -> dict | None:
    """The cached entry; on a miss built from the database, or None when build=False."""
    data = cache.get(CACHE_KEY)
    if data is None and build:
        data = _build()
        # add, not set: a refresh written after a newer commit must win over this read.
        cache.add(CACHE_KEY, data, None)
    return data


def refresh() -> None:
    cache.set(CACHE_KEY, _build(), None)


def refresh_on_commit() -> None:
    transaction.on_commit(refresh)


def visible_alerts(
    *, district_id: int | None, language: str, now=None, build: bool = True
) -> list[dict] | None:
    """Active alerts for a district (all of them for None), most severe and newest first.

    None when the cache is cold and build=False: the caller does not know.
    """
    data = banner_data(build=build)
    if data is None:
        return None
    now = now or timezone.now()
    shown = []
    for row in data["alerts"]:
        if parse_datetime(row["starts_at"]) > now:
            continue
        if row["ends_at"] and parse_datetime(row["ends_at"]) <= now:
            continue
        if (
            district_id is not None
            and not row["whole_city"]
            and row["districts"]
            and district_id not in row["districts"]
        ):
            continue
        shown.append(
            {
                **row,
                "title": row["title"].get(language) or row["title"]["uk"],
                "critical": row["severity"] >= 3,
                "level": {1: "info", 2: "warning", 3: "critical"}.get(row["severity"], "info"),
            }
        )
    return shown


def etag_for(alerts: list[dict], language: str, district_id) -> str:
    parts = [language, str(district_id)] + [f"{a['id']}:{a['updated_at']}" for a in alerts]
    return '"' + hashlib.blake2b("|".join(parts).encode(), digest_size=10).hexdigest() + '"'
