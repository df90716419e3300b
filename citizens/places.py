"""Saved places: the addresses a resident follows, and telling them once.

Any app that announces something with an area (the outages app's incidents,
news's alerts) calls `places_tell()` after its own claim: each saved place
inside the area gets one notification for that subject, whatever retries or
races happen, because a unique (place, subject) row is written first.
"""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.prepared import prep

from mycity.lib import geojson
from mycity.models import District, Incident

from .models import SavedPlace, SavedPlaceNotice
from .notifications.services import notify

PLACE_EVENT = "citizens.saved_place"


def max_places() -> int:
    return getattr(settings, "SAVED_PLACES_MAX", 5)


def place_save(
    *, user, label: str, latitude: float, longitude: float, address: str = "", place=None
) -> SavedPlace:
    """Add (or, with `place`, change) a saved place; ValidationError in the user's words."""
    label = " ".join((label or "").split())
    if not label:
        raise ValidationError({"label": _("Give the place a name, for example “home”.")})
    district = District.objects.locate(lat=latitude, lon=longitude)
    if district is None:
        raise ValidationError(_("This point is outside the city. Choose a place in the city."))
    with transaction.atomic():
        mine = SavedPlace.objects.select_for_update().filter(user=user)
        if place is None and mine.count() >= max_places():
            raise ValidationError(
                _("You can save at most %(n)s places. Remove one first.") % {"n": max_places()}
            )
        # Compared in Python: SQLite's lower() folds only ASCII letters.
        others = mine.exclude(pk=getattr(place, "pk", None)).values_list("label", flat=True)
        if label.casefold() in {other.casefold() for other in others}:
            raise ValidationError({"label": _("You already have a place with this name.")})
        place = place or SavedPlace(user=user)
        place.label = label
        place.address = (address or "").strip()[:255]
        place.latitude = latitude
        place.longitude = longitude
        place.district = district
        place.save()
    return place


def place_delete(*, user, place_id: int) -> None:
    SavedPlace.objects.filter(user=user, pk=place_id).delete()


def area_polygons(area):
    """The polygons of a GeoJSON geometry, Feature or FeatureCollection, prepared; or None."""
    if not area:
        return None
    shapes = [
        prep(shape(g))
        for g in geojson.geometries(area)
        if isinstance(g, dict) and g.get("type") in ("Polygon", "MultiPolygon")
    ]
    return shapes or None


def places_covered(*, district_ids=None, whole_city: bool = False, area=None):
    """The saved places inside an area: a drawn polygon if there is one, else the districts.

    Returns a list of places (user loaded). A drawn area is tested point by
    point over every place; `district_ids` is used only without one.
    """
    polygons = area_polygons(area)
    places = SavedPlace.objects.select_related("user").filter(user__is_active=True)
    if not whole_city and polygons is None:
        return list(places.filter(district_id__in=list(district_ids or ())))
    places = list(places)
    if polygons is None:
        return places
    return [p for p in places if any(g.covers(Point(p.longitude, p.latitude)) for g in polygons)]


def places_tell(
    *,
    subject: str,
    context: dict,
    url: str = "",
    what: dict,
    district_ids=None,
    whole_city: bool = False,
    area=None,
) -> int:
    """Tell the owner of every saved place inside the area, once per place and `subject`.

    `context` carries "icon", "title" and "text" ({"uk", "en"} dicts);
    `what` says what happened ({"uk": "started", …}). Returns how many
    places were told now (those told before are skipped).
    """
    told = 0
    for place in places_covered(district_ids=district_ids, whole_city=whole_city, area=area):
        try:
            with transaction.atomic():
                SavedPlaceNotice.objects.create(place=place, subject=subject[:80])
                notify(
                    recipients=[place.user_id],
                    event=PLACE_EVENT,
                    context={**context, "place": place.label, "what": what},
                    url=url,
                )
        except IntegrityError:
            continue  # this place was told about this already
        told += 1
    return told


def place_get(*, user, place_id) -> SavedPlace:
    """One of the person's own places; Http404 for anyone else's or a missing one."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(SavedPlace, user=user, pk=place_id)


def places_now(places) -> dict[int, list[dict]]:
    """What covers each place right now: the city's active incidents, and what the
    apps that declare `saved_place_now` on their AppConfig add (news: its alerts).

    {place pk: [{"icon", "title", "kind", "since", "until", "url"}, ...]}. A fixed
    number of queries whatever the number of places and incidents: areas are
    tested here in Python (a person has at most SAVED_PLACES_MAX places).
    """
    places = list(places)
    found: dict[int, list[dict]] = {place.pk: [] for place in places}
    if not places:
        return found
    incidents = list(
        Incident.objects.active().prefetch_related("districts").order_by("started_at", "pk")
    )
    for incident in incidents:
        for place in places:
            if incident.covers(
                lat=place.latitude, lon=place.longitude, district_id=place.district_id
            ):
                found[place.pk].append(
                    {
                        "icon": incident.icon,
                        "title": incident.title,
                        "kind": incident.get_kind_display(),
                        "since": incident.started_at,
                        "until": incident.expected_at,
                        "url": incident.get_absolute_url(),
                    }
                )
    for config in apps.get_app_configs():
        hook = getattr(config, "saved_place_now", None)
        if hook:
            for pk, rows in import_string(hook)(places=places).items():
                found.setdefault(pk, []).extend(rows)
    return found
