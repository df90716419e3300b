"""Celery tasks: thin wrappers that call the services."""

from celery import shared_task

from . import live
from .services import alerts_notify_due, digest_send
from .services.items import latest_refresh


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def notify_due_alerts() -> int:
    """Tell residents about alerts whose start has come; refresh the banner and home caches.

    The refresh also repairs a flushed or restarted Redis within one period.
    """
    sent = alerts_notify_due()
    live.refresh()
    latest_refresh()
    return sent


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_daily_digest() -> int:
    return digest_send()
