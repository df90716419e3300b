"""Celery tasks: thin wrappers that call the services."""

from celery import shared_task

from .services.staff import appeals_escalate_overdue


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def escalate_overdue_appeals() -> int:
    """Tell department heads about overdue appeals (once per appeal per day, however often run)."""
    return appeals_escalate_overdue()
