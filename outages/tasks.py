"""Celery tasks: thin wrappers that call the services."""

from celery import shared_task

from .services.incidents import incidents_tell_due, tell_places


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def tell_due_incidents() -> int:
    return incidents_tell_due()


@shared_task(
    name="outages.tasks.tell_places",
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
)
def tell_places_task(incident_id: int, what: str) -> int:
    """Tell the saved places inside an incident's area (once per place: citizens.places)."""
    return tell_places(incident_id, what)
