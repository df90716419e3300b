"""Celery tasks: thin wrappers that call the services."""

from celery import shared_task

from .services.staff import appeals_close_unanswered_returns, appeals_escalate_overdue


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def escalate_overdue_appeals() -> int:
    """Tell department heads about overdue appeals (once per appeal per day, however often run)."""
    return appeals_escalate_overdue()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def close_unanswered_returns() -> int:
    """Close returned appeals whose author did not reply in time (each once, however often run)."""
    return appeals_close_unanswered_returns()
