"""The register as public data: GeoJSON features and distances, no personal data.

What a point's public record holds (kind, name, address, hours, offers,
status, generator, when it was last confirmed) and nothing else: never who
operates or confirmed it.
"""

import math

from .models import HelpPoint

EARTH_RADIUS_M = 6_371_000


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def public_points():
    """The published points with what their public pages show, in one query."""
    return HelpPoint.objects.published().select_related("district")


def properties(point: HelpPoint) -> dict:
    return {
        "id": point.pk,
        "kind": point.kind,
        "kind_label": point.get_kind_display(),
        "name": point.name,
        "address": point.address,
        "district": point.district.name,
        "hours": point.hours,
        "around_the_clock": point.around_the_clock,
        "offers": point.offer_keys,
        "offer_labels": [str(label) for _key, label, _icon in point.offers],
        "status": point.status,
        "status_label": point.get_status_display(),
        "generator_on": point.generator_on,
        "confirmed_at": point.confirmed_at.isoformat() if point.confirmed_at else None,
        "url": point.get_absolute_url(),
    }


def feature(point: HelpPoint) -> dict:
    return {
        "type": "Feature",
        "id": point.pk,
        "geometry": {
            "type": "Point",
            "coordinates": [round(point.longitude, 6), round(point.latitude, 6)],
        },
        "properties": properties(point),
    }


def feature_collection(points) -> dict:
    return {"type": "FeatureCollection", "features": [feature(p) for p in points]}
