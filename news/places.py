"""News' part of "what is happening at my saved places" (citizens.places.places_now)."""

from shapely.geometry import Point

from citizens.places import area_polygons

from .models import Alert


def alerts_at(*, places) -> dict[int, list[dict]]:
    """The alerts in force over each place: two queries whatever their number.

    A drawn area (its polygons) wins over the districts, as when places are told.
    """
    found: dict[int, list[dict]] = {}
    alerts = list(Alert.objects.active().prefetch_related("districts").in_order())
    for alert in alerts:
        polygons = area_polygons(alert.geometry)
        district_ids = {d.pk for d in alert.districts.all()}
        for place in places:
            if polygons is not None:
                covered = any(g.covers(Point(place.longitude, place.latitude)) for g in polygons)
            else:
                covered = alert.whole_city or place.district_id in district_ids
            if covered:
                found.setdefault(place.pk, []).append(
                    {
                        "icon": alert.icon,
                        "title": alert.title,
                        "kind": alert.get_kind_display(),
                        "since": alert.starts_at,
                        "until": alert.ends_at,
                        "url": alert.get_absolute_url(),
                    }
                )
    return found
