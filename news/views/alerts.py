"""Alert pages: the banner's live endpoint, /alerts/ with its map, one alert.

The live endpoint is what open pages poll every 10 seconds. It reads one
cache entry (news/live.py), answers 304 when nothing changed for this
language and district (ETag), and never touches the database on a hit.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from mycity.models import District, Incident

from .. import live
from ..models import Alert

PAGE_TTL = 15
MAX_LISTED = 200  # alerts or incidents on the page: a week of a city's, with room to spare
# ETag -> the banner's HTML, per process: the same few variants (language ×
# district) are asked for thousands of times between two changes.
_rendered: dict[str, str] = {}


def _district_param(raw) -> int | None:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if value > 0 else None


def resident_district(request) -> int | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.district_id
    return None


@require_safe
def alerts_live(request):
    """The banner's inner HTML for a district (?district=<id>), or 304 if unchanged."""
    district = _district_param(request.GET.get("district"))
    lang = get_language()
    alerts = live.visible_alerts(district_id=district, language=lang)
    etag = live.etag_for(alerts, lang, district)
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        html = _rendered.get(etag)
        if html is None:
            html = render_to_string("news/_alert_items.html", {"urgent_alerts": alerts})
            if len(_rendered) >= 256:
                _rendered.clear()
            _rendered[etag] = html
        response = HttpResponse(html)
    response["ETag"] = etag
    # Every poll revalidates; shared caches may keep it briefly (it is the same for everyone).
    patch_cache_control(response, no_cache=True, max_age=0)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


@require_safe
def alert_list(request):
    """Active and recent alerts; the lists are cached until any alert changes (at most PAGE_TTL)."""
    district = resident_district(request)
    built = live.banner_data()["built_at"]  # a cold banner cache is warmed here too
    key = f"news:alerts:page:{built}:{get_language()}:{district}"
    sections = cache.get(key)
    if sections is None:
        sections = render_to_string("news/_alerts_sections.html", _alert_lists(district))
        # Short: an alert that reaches its expected end leaves this page within PAGE_TTL.
        cache.set(key, sections, PAGE_TTL)
    return render(request, "news/alerts.html", {"sections": sections})


def _alert_lists(district) -> dict:
    now = timezone.now()
    # Active and recent alerts in one query and one prefetch, told apart here.
    found = list(
        (Alert.objects.active(now) | Alert.objects.recent(now))
        .prefetch_related("districts")
        .in_order()[:MAX_LISTED]
    )
    active = [a for a in found if _in_force(a, now)]
    recent = sorted(
        (a for a in found if not _in_force(a, now)), key=lambda a: a.updated_at, reverse=True
    )[:30]
    if district:
        # The resident's district first, then the rest of the city.
        active.sort(
            key=lambda a: not (a.whole_city or district in {d.pk for d in a.districts.all()})
        )
    outages, restored = _incident_lists(district, now)
    return {
        "active": active,
        "recent": recent,
        "outages": outages,
        "restored": restored,
        "has_map": any(a.geometry for a in active) or bool(outages),
        "map": _map_settings(),
    }


def _in_force(alert, now) -> bool:
    return (
        alert.status == Alert.Status.PUBLISHED
        and alert.starts_at <= now
        and (alert.ends_at is None or alert.ends_at > now)
    )


def _incident_lists(district, now) -> tuple[list, list]:
    """Active incidents (the resident's district first) and those restored in the last
    7 days: one query, whatever their number (news/live.py)."""
    lang = get_language()
    rows = [
        live.localize_incident(row, language=lang, district_id=district)
        for row in live.incident_rows(
            Incident.objects.active() | Incident.objects.recent(now), limit=MAX_LISTED
        )
    ]
    outages = sorted((r for r in rows if r["active"]), key=lambda r: not r["here"])
    restored = sorted(
        (r for r in rows if not r["active"]), key=lambda r: r["resolved_at"], reverse=True
    )
    return outages, restored


def _map_settings() -> dict:
    lat, lon = settings.MAP_CENTER
    return {
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "lat": lat,
        "lon": lon,
        "zoom": settings.MAP_ZOOM,
    }


@require_safe
def alert_detail(request, pk: int):
    alert = get_object_or_404(
        Alert.objects.public().prefetch_related("districts", "updates"),
        pk=pk,
    )
    return render(
        request,
        "news/alert_detail.html",
        {"alert": alert, "active": alert.is_active(), "map": _map_settings()},
    )


@require_safe
def alerts_map_data(request):
    """Active alerts' areas and points as one GeoJSON FeatureCollection (small, cached)."""
    lang = get_language()
    built = live.banner_data()["built_at"]  # changes with every alert change
    key = f"news:alerts:map:{built}:{lang}"
    data = cache.get(key)
    if data is None:
        features = []
        for alert in Alert.objects.active().exclude(geometry=None).in_order():
            for feature in (alert.geometry or {}).get("features", []):
                features.append(
                    {
                        "type": "Feature",
                        "geometry": feature["geometry"],
                        "properties": {
                            "name": feature.get("properties", {}).get("name", ""),
                            "title": alert.title,
                            "kind": alert.kind,
                            "icon": alert.icon,
                            "severity": alert.severity,
                            "url": alert.get_absolute_url(),
                        },
                    }
                )
        features.extend(_incident_features())
        data = {"type": "FeatureCollection", "features": features}
        cache.set(key, data, live.MAP_TTL)
    response = JsonResponse(data)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def _incident_features() -> list[dict]:
    """Active incidents' areas: the drawn polygon, else their districts' boundaries
    (every district for the whole city). At most three queries, whatever their number."""
    incidents = list(Incident.objects.active().prefetch_related("districts").in_order())
    whole_city = []
    if any(i.whole_city and not i.area for i in incidents):
        whole_city = list(District.objects.only("pk", "boundary"))
    features = []
    for incident in incidents:
        if incident.area:
            geometries = [incident.area]
        else:
            districts = whole_city if incident.whole_city else incident.districts.all()
            geometries = [d.boundary for d in districts if d.boundary]
        properties = {
            "name": incident.get_kind_display(),
            "title": incident.title,
            "kind": incident.kind,
            "icon": incident.icon,
            "incident": True,
            "url": incident.get_absolute_url(),
        }
        features.extend(
            {"type": "Feature", "geometry": geometry, "properties": properties}
            for geometry in geometries
        )
    return features
