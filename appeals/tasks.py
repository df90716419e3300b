"""Celery tasks: thin wrappers that call the services."""

from celery import shared_task

from .services.incidents import appeals_cluster_check
from .services.places import appeal_geocode, appeals_geocode_missing
from .services.staff import appeals_close_unanswered_returns, appeals_escalate_overdue


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def escalate_overdue_appeals() -> int:
    """Tell department heads about overdue appeals (once per appeal per day, however often run)."""
    return appeals_escalate_overdue()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def close_unanswered_returns() -> int:
    """Close returned appeals whose author did not reply in time (each once, however often run)."""
    return appeals_close_unanswered_returns()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def geocode_appeal(appeal_id: int) -> bool:
    """Name an appeal's pin from the city's geocoder (once; failures are not retried)."""
    return appeal_geocode(appeal_id=appeal_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def geocode_missing_places() -> int:
    """Pins never asked about: a task lost to a broker outage, a geocoder configured later."""
    return appeals_geocode_missing()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def check_incident_cluster(appeal_id: int) -> bool:
    """Link a new outage report to an incident, suggesting one when reports cluster."""
    return appeals_cluster_check(appeal_id=appeal_id) is not None
