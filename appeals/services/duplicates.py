"""“Is it one of these?”: open public appeals near a point, before a duplicate is filed."""

import math

from django.conf import settings

from ..models import Appeal, Category
from ..workflow import Status

EARTH_RADIUS_M = 6_371_000
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180
# Suggested as duplicates: accepted by a moderator and still being worked on.
SUGGESTED_STATUSES = (Status.ACCEPTED, Status.IN_PROGRESS)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def similar_open_appeals(
    *,
    category: Category,
    latitude: float,
    longitude: float,
    radius_m: float | None = None,
    limit: int = 5,
) -> list[Appeal]:
    """Public, open appeals of `category` within `radius_m` of the point, nearest first.

    One query: a bounding box on the (latitude, longitude) index narrows the
    rows in SQL, then the exact haversine distance decides in Python. Each
    appeal comes with `.distance_m`. Private, sensitive and not yet accepted
    appeals are never suggested: they are not public.
    """
    radius = settings.DUPLICATE_RADIUS_METRES if radius_m is None else radius_m
    if category.sensitive or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return []
    dlat = radius / METRES_PER_DEGREE
    # Near the poles a degree of longitude shrinks to nothing: cap the box at the whole circle.
    cos_lat = max(math.cos(math.radians(latitude)), 1e-6)
    dlon = min(radius / (METRES_PER_DEGREE * cos_lat), 180)
    rows = (
        Appeal.objects.filter(
            category=category,
            is_public=True,
            status__in=SUGGESTED_STATUSES,
            latitude__range=(latitude - dlat, latitude + dlat),
            longitude__range=(longitude - dlon, longitude + dlon),
        )
        .only("reference", "title", "status", "latitude", "longitude", "registered_at")
        .order_by()
    )
    found = []
    for appeal in rows:
        appeal.distance_m = distance_m(latitude, longitude, appeal.latitude, appeal.longitude)
        if appeal.distance_m <= radius:
            found.append(appeal)
    found.sort(key=lambda appeal: (appeal.distance_m, -appeal.registered_at.timestamp()))
    return found[:limit]
