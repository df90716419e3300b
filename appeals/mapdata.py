"""The public map's data: the appeals of a visible area, as points or as grid cells.

A neighbourhood gets its appeals as points (the newest MAP_LIMIT). A whole
city does not need 2,000 markers (half a megabyte) but how many appeals are
where: once the area is wider than CLUSTER_SPAN and holds more than
CLUSTER_MIN appeals, PostgreSQL counts them on a grid and sends one feature
per non-empty cell (at most GRID × GRID, a few tens of kilobytes).

Both work from the public (rounded) point only: the grid is laid on the
rounded points in whole thousandths of a degree, so a cell's count and
centre say nothing finer than the points the public already sees.
"""

import hashlib
import math
import time

from django.core.cache import cache
from django.db.models import Avg, Count, F, IntegerField
from django.db.models.functions import Cast, Floor, Round
from django.utils import timezone
from django.utils.translation import get_language

from mycity.lib.cache import recomputed_once
from mycity.lib.replica import replica
from mycity.models import District, Incident

from .models import Appeal, public_point, public_point_within
from .models.rules import PUBLIC_POINT_DECIMALS

# The newest this many in the visible area; beyond that the map asks to zoom in.
MAP_LIMIT = 2000
# Wider than this (degrees, ~3 km), a crowded area is sent as grid cells.
CLUSTER_SPAN = 0.03
# ... crowded meaning more appeals than this; fewer are sent as points anyway.
CLUSTER_MIN = 300
# At most this many cells across the wider side of the area.
GRID = 20
# Counting a whole city costs about a second and a half at a million appeals:
# the cells of an area are kept this long, recomputed by one request at a time.
GRID_CACHE_SECONDS = 120
_SCALE = 10**PUBLIC_POINT_DECIMALS  # rounded points are whole multiples of 1/_SCALE


def cell_size(west: float, south: float, east: float, north: float) -> int:
    """The grid's cell in thousandths of a degree: a power of two, so that cells
    stay put while the map pans and repeated answers can be cached."""
    span = max(east - west, north - south) * _SCALE
    return 2 ** max(0, math.ceil(math.log2(max(span / GRID, 1))))


def wants_grid(west: float, south: float, east: float, north: float) -> bool:
    return max(east - west, north - south) > CLUSTER_SPAN


def snapped(west: float, south: float, east: float, north: float, size: int) -> tuple:
    """The box grown to whole cells: every cell it touches is counted whole, and a
    map panned within the same cells asks the same question (one cached answer)."""
    step = size / _SCALE

    def down(value):
        return math.floor(round(value / step, 6)) * step

    def up(value):
        return math.ceil(round(value / step, 6)) * step

    return tuple(round(v, 6) for v in (down(west), down(south), up(east), up(north)))


def cached_grid(form, bbox: tuple, size: int) -> list[dict]:
    """The grid cells of `bbox` for the filters of `form`, cached (see GRID_CACHE_SECONDS)."""
    box = snapped(*bbox, size)
    filters = sorted((name, str(getattr(v, "pk", v))) for name, v in form.filters().items())
    question = f"{size}:{box}:{filters}"
    key = "appeals:map-grid:" + hashlib.sha256(question.encode()).hexdigest()

    def count():
        west, south, east, north = box
        rows = form.apply(replica(Appeal.objects.public())).filter(
            public_point_within(south=south, north=north, west=west, east=east)
        )
        return grid_cells(rows, size)

    return recomputed_once(key, GRID_CACHE_SECONDS, count)


def grid_cells(rows, size: int) -> list[dict]:
    """GeoJSON features, one per non-empty cell of `size` thousandths of a degree:
    {"count": n} at the mean of the cell's rounded points. One query."""

    def rounded(field):
        return Cast(Round(F(field) * _SCALE), IntegerField())

    cells = (
        rows.annotate(lat_r=rounded("latitude"), lon_r=rounded("longitude"))
        .annotate(cell_lat=Floor(F("lat_r") / size), cell_lon=Floor(F("lon_r") / size))
        .order_by()
        .values("cell_lat", "cell_lon")
        .annotate(n=Count("pk"), lat=Avg("lat_r"), lon=Avg("lon_r"))
        .values_list("n", "lat", "lon")
    )
    return [
        {
            "type": "Feature",
            "geometry": {
                "type": "Point",
                "coordinates": [round(lon / _SCALE, 4), round(lat / _SCALE, 4)],
            },
            "properties": {"count": n},
        }
        for n, lat, lon in cells
    ]


def point_features(rows, *, labels: dict, url_of) -> list[dict]:
    return [
        {
            "type": "Feature",
            # Rounded to ~100 m, as Appeal.approximate_location: never the exact point.
            "geometry": {"type": "Point", "coordinates": list(public_point(lat, lon))[::-1]},
            "properties": {
                "reference": reference,
                "title": title,
                "status": status,
                "status_label": labels.get(status, status),
                "kind": kind,
                "icon": icon,
                # The street at the public point (never the typed address).
                "place": place,
                "url": url_of(reference),
            },
        }
        for reference, title, status, kind, lat, lon, icon, place in rows
    ]


# --- live outages: a layer of their areas ------------------------------------

# The layer is the same for every visitor of a language: kept this long, and
# dropped at once when an incident changes (signals.py bumps the version).
INCIDENTS_CACHE_SECONDS = 300
INCIDENTS_VERSION_KEY = "appeals:map-incidents:version"


def forget_incidents() -> None:
    """Every kept copy of the incident layer is stale from now on."""
    cache.set(INCIDENTS_VERSION_KEY, time.time_ns(), None)


def incident_features() -> list[dict]:
    """GeoJSON features of the active incidents' areas, in the visitor's language (cached).

    At most three queries whatever the number of incidents: the incidents,
    their districts, and every district when one covers the whole city.
    """
    version = cache.get(INCIDENTS_VERSION_KEY) or 0
    key = f"appeals:map-incidents:{version}:{get_language()}"
    features = cache.get(key)
    if features is None:
        features = _incident_features()
        cache.set(key, features, INCIDENTS_CACHE_SECONDS)
    return features


def _polygons(geometry: dict | None) -> list:
    """The polygons (their rings) of a GeoJSON Polygon or MultiPolygon."""
    if not geometry:
        return []
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def _incident_features() -> list[dict]:
    incidents = list(
        Incident.objects.active().order_by("-started_at", "-pk").prefetch_related("districts")
    )
    city = None
    if any(incident.whole_city and not incident.area for incident in incidents):
        city = [
            p
            for boundary in District.objects.values_list("boundary", flat=True)
            for p in _polygons(boundary)
        ]
    features = []
    for incident in incidents:
        if incident.area:
            polygons = _polygons(incident.area)
        elif incident.whole_city:
            polygons = city or []
        else:
            polygons = [p for d in incident.districts.all() for p in _polygons(d.boundary)]
        if not polygons:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
                "properties": {
                    "id": incident.pk,
                    "kind": incident.kind,
                    "icon": incident.icon,
                    "title": incident.title,
                    "since": timezone.localtime(incident.started_at).strftime("%H:%M"),
                    "until": (
                        timezone.localtime(incident.expected_at).strftime("%H:%M")
                        if incident.expected_at
                        else ""
                    ),
                    "url": incident.get_absolute_url(),
                },
            }
        )
    return features
