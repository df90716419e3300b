"""What every app may ask of incidents, and the signals they answer to.

The incident itself (mycity.models.Incident) is shared: appeals links
reports to it, news shows it, the outages app declares and resolves it and
tells residents. These helpers hold the rules more than one app needs:
which active incident covers a point, and how a cluster of reports becomes
a suggestion for moderators. Notifying people is the outages app's work.

Signals (sent by outages.services.incidents, received by appeals):

- `incident_answered(incident, by)`: an official answer was given on the
  incident; each receiver delivers it to what it linked and returns the ids
  of the people it told, so the sender does not tell them twice.
- `incident_dismissed(incident, by)`: moderators found a suggestion was no
  incident; receivers unlink what they had linked to it.
- `incident_linked_appeals(incident)`: receivers return how many reports
  they linked to the incident (for the incident's page and admin).
"""

import math
from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal

from .incident_workflow import LINKABLE_STATUSES, SUGGEST, SYSTEM, WORKFLOW
from .models import District, Incident, IncidentEvent, IncidentFollower

incident_answered = Signal()
incident_dismissed = Signal()
incident_linked_appeals = Signal()

# Metres in a degree of latitude; a degree of longitude is this times cos(latitude).
METRES_PER_DEGREE = 111_320


def incidents_covering(
    *, kind: str, lat: float, lon: float, statuses=(Incident.Status.ACTIVE,)
) -> list[Incident]:
    """Incidents of `kind` in `statuses` whose area holds the point, oldest first.

    Few incidents are live at a time, so their areas are tested here in
    Python (two queries whatever their number).
    """
    candidates = list(
        Incident.objects.filter(kind=kind, status__in=list(statuses))
        .prefetch_related("districts")
        .order_by("started_at", "pk")
    )
    if not candidates:
        return []
    district = District.objects.locate(lat=lat, lon=lon)
    district_id = district.pk if district else None
    return [i for i in candidates if i.covers(lat=lat, lon=lon, district_id=district_id)]


def circle(*, lat: float, lon: float, radius_m: float, sides: int = 24) -> dict:
    """A GeoJSON Polygon approximating a circle of `radius_m` metres around the point."""
    dlat = radius_m / METRES_PER_DEGREE
    dlon = radius_m / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    ring = [
        (
            lon + dlon * math.cos(2 * math.pi * i / sides),
            lat + dlat * math.sin(2 * math.pi * i / sides),
        )
        for i in range(sides)
    ]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [[[round(x, 6), round(y, 6)] for x, y in ring]]}


@dataclass(frozen=True)
class Suggestion:
    incident: Incident
    created: bool


def incident_suggest(
    *, kind: str, lat: float, lon: float, radius_m: float, title_uk: str, title_en: str, started_at
) -> Suggestion:
    """A suggested incident around the point, for moderators to confirm or dismiss.

    An open suggestion (or active incident) of the same kind already covering
    the point is returned instead of a second one, so a growing cluster adds
    reports to one suggestion.
    """
    with transaction.atomic():
        existing = incidents_covering(
            kind=kind, lat=lat, lon=lon, statuses=sorted(LINKABLE_STATUSES)
        )
        if existing:
            return Suggestion(existing[0], False)
        incident = Incident(
            kind=kind,
            title_uk=title_uk,
            title_en=title_en,
            area=circle(lat=lat, lon=lon, radius_m=radius_m),
            started_at=started_at,
        )
        assert WORKFLOW.allowed(SUGGEST, None, SYSTEM)
        incident.status = WORKFLOW.target(SUGGEST, None)
        incident.save()
        IncidentEvent.objects.create(
            incident=incident, action=SUGGEST, from_status="", to_status=incident.status
        )
    return Suggestion(incident, True)


def incident_follow(*, incident: Incident, user) -> bool:
    """Follow a live incident: its updates and its end reach the person. False if not live."""
    if incident.status not in LINKABLE_STATUSES or not user.is_authenticated:
        return False
    IncidentFollower.objects.get_or_create(incident=incident, user=user)
    return True


def incident_unfollow(*, incident: Incident, user) -> None:
    IncidentFollower.objects.filter(incident=incident, user=user).delete()


def is_following(*, incident: Incident, user) -> bool:
    return user.is_authenticated and incident.follows.filter(user=user).exists()


def linked_appeals_count(incident: Incident) -> int:
    """How many reports the feature apps linked to the incident."""
    return sum(n or 0 for _r, n in incident_linked_appeals.send(sender=Incident, incident=incident))
