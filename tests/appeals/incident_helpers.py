"""Helpers of the tests of outage reports: an outage category, points in and out of an area."""

from mycity.incidents import circle
from tests.factories import CategoryFactory, IncidentFactory


def outage_category(kind: str = "power", **fields):
    return CategoryFactory(
        incident_kind=kind,
        kinds=["problem", "proposal"],
        name_uk="Немає світла",
        name_en="No electricity",
        **fields,
    )


def centre_of(district) -> tuple[float, float]:
    """(lat, lon) in the middle of a factory district (a 0.01° square)."""
    west, south = district.boundary["coordinates"][0][0]
    return south + 0.005, west + 0.005


def drawn_incident(*, lat: float, lon: float, radius_m: float = 200, **fields):
    """An active power outage over a drawn circle around the point."""
    return IncidentFactory(area=circle(lat=lat, lon=lon, radius_m=radius_m), **fields)


def offset(lat: float, lon: float, *, north_m: float = 0, east_m: float = 0):
    """The point so many metres north and east of (lat, lon)."""
    import math

    dlat = north_m / 111_320
    dlon = east_m / (111_320 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon
