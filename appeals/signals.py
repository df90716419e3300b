"""Receivers of the incidents' signals (mycity/incidents.py) and of incident changes.

The incident is shared; what appeals linked to it is appeals' own. Each
receiver hands the work to a service (services/incidents.py); the map's
incident layer (mapdata.py) is dropped from the cache when an incident changes.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.db.transaction import on_commit

from mycity.incidents import (
    incident_answered,
    incident_dismissed,
    incident_linked_appeals,
    incident_linked_authors,
)
from mycity.models import Incident

from .mapdata import forget_incidents
from .services.incidents import (
    incident_answer_deliver,
    incident_unlink,
    linked_authors,
    linked_count,
)


def answered(sender, *, incident, by=None, **kwargs) -> set[int]:
    """Deliver the incident's answer to the linked reports; the ids of the authors told."""
    return incident_answer_deliver(incident=incident)


def dismissed(sender, *, incident, by=None, **kwargs) -> int:
    return incident_unlink(incident=incident)


def linked(sender, *, incident, **kwargs) -> int:
    return linked_count(incident=incident)


def authors(sender, *, incident, **kwargs) -> set[int]:
    return linked_authors(incident=incident)


def incident_changed(sender, **kwargs) -> None:
    # Now, for this process's next read, and again once it commits: a request that
    # read the old rows meanwhile must not keep them under the new version.
    forget_incidents()
    on_commit(forget_incidents)


def connect() -> None:
    incident_answered.connect(answered, sender=Incident, dispatch_uid="appeals-incident-answered")
    incident_dismissed.connect(
        dismissed, sender=Incident, dispatch_uid="appeals-incident-dismissed"
    )
    incident_linked_appeals.connect(linked, sender=Incident, dispatch_uid="appeals-incident-linked")
    incident_linked_authors.connect(
        authors, sender=Incident, dispatch_uid="appeals-incident-authors"
    )
    for signal in (post_save, post_delete):
        signal.connect(incident_changed, sender=Incident, dispatch_uid="appeals-map-incidents")
    m2m_changed.connect(
        incident_changed,
        sender=Incident.districts.through,
        dispatch_uid="appeals-map-incidents-districts",
    )
