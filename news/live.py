"""The alert banner's data: one cache entry, no query on a hit.

The entry holds every published alert that is not over yet (upcoming ones
too), and the city's active incidents (mycity.Incident: outages, closures),
as plain dicts in both languages. Who sees what and whether an alert
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
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

CACHE_KEY = "news:alerts:banner:v2"
MAP_TTL = 30  # seconds a rendered map data set is kept


def incident_rows(incidents, *, limit: int = 200) -> list[dict]:
    """Incidents as plain dicts in both languages, districts included, in ONE query.

    A join with the districts (one row per incident and district) rather than
    a prefetch: the banner entry and the alerts page each cost one query.
    """
    from django.db.models import BooleanField, ExpressionWrapper, Q

    from mycity.models import INCIDENT_ICONS, IncidentKind

    newest = incidents.order_by("-started_at", "-pk").values("pk")[:limit]
    found = (
        incidents.filter(pk__in=newest)
        .annotate(
            drawn=ExpressionWrapper(Q(area__isnull=False), output_field=BooleanField())
        )
        .values(
            "pk", "kind", "title_uk", "title_en", "status", "whole_city", "drawn",
            "started_at", "expected_at", "resolved_at",
            "districts__pk", "districts__name_uk", "districts__name_en",
        )
        .order_by("-started_at", "-pk", "districts__name_uk")
    )  # fmt: skip
    labels = {
        kind: {"uk": label_uk, "en": label_en}
        for kind, label_uk, label_en in _kind_labels(IncidentKind)
    }
    rows: dict[int, dict] = {}
    for found_row in found:
        row = rows.get(found_row["pk"])
        if row is None:
            kind = found_row["kind"]
            row = rows[found_row["pk"]] = {
                "id": found_row["pk"],
                "kind": kind,
                "kind_label": labels.get(kind, {"uk": kind, "en": kind}),
                "icon": INCIDENT_ICONS.get(kind, "ℹ️"),
                "title": {
                    "uk": found_row["title_uk"],
                    "en": found_row["title_en"] or found_row["title_uk"],
                },
                "active": found_row["status"] == "active",
                "started_at": _iso(found_row["started_at"]),
                "expected_at": _iso(found_row["expected_at"]),
                "resolved_at": _iso(found_row["resolved_at"]),
                "whole_city": found_row["whole_city"],
                "drawn": bool(found_row["drawn"]),
                "districts": [],
                "district_names": [],
                "url": reverse("outages:incident", kwargs={"pk": found_row["pk"]}),
            }
        if found_row["districts__pk"] is not None:
            row["districts"].append(found_row["districts__pk"])
            row["district_names"].append(
                {
                    "uk": found_row["districts__name_uk"],
                    "en": found_row["districts__name_en"] or found_row["districts__name_uk"],
                }
            )
    return list(rows.values())


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _kind_labels(kinds):
    from django.utils import translation

    for kind in kinds:
        with translation.override("uk"):
            uk = str(kind.label)
        with translation.override("en"):
            en = str(kind.label)
        yield kind.value, uk, en


def _build() -> dict:
    from mycity.models import Incident

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
    return {
        "built_at": timezone.now().isoformat(),
        "alerts": rows,
        "incidents": incident_rows(Incident.objects.active()),
    }


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


def incident_covers_district(row: dict, district_id: int | None) -> bool:
    """Whether an incident row concerns a district: its own, the whole city, or a drawn
    area (shown in every district's view: telling which districts a polygon
    touches is not worth a page's time)."""
    return (
        district_id is None or row["whole_city"] or row["drawn"] or district_id in row["districts"]
    )


def localize_incident(row: dict, *, language: str, district_id: int | None) -> dict:
    """An incident row for a template: texts in `language`, times as datetimes."""
    return {
        **row,
        "title": row["title"].get(language) or row["title"]["uk"],
        "kind_label": row["kind_label"].get(language) or row["kind_label"]["uk"],
        "district_names": [n.get(language) or n["uk"] for n in row["district_names"]],
        "started_at": parse_datetime(row["started_at"]),
        "expected_at": parse_datetime(row["expected_at"]) if row["expected_at"] else None,
        "resolved_at": parse_datetime(row["resolved_at"]) if row["resolved_at"] else None,
        "here": district_id is not None and incident_covers_district(row, district_id),
    }


def visible_incidents(
    *, district_id: int | None, language: str, build: bool = True
) -> list[dict] | None:
    """Active incidents, the district's own first (all alike for None).

    None when the cache is cold and build=False.
    """
    data = banner_data(build=build)
    if data is None:
        return None
    shown = [
        localize_incident(row, language=language, district_id=district_id)
        for row in data.get("incidents", ())
    ]
    shown.sort(key=lambda row: not row["here"])
    return shown
