"""Celery tasks: thin wrappers that take ids and call the services."""

import logging
import time

from celery import shared_task
from celery.signals import worker_ready

from .notifications import delivery, services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver_batch(delivery_ids: list[int]) -> dict:
    return delivery.deliver_many(delivery_ids)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def fan_out_broadcast(broadcast_id: int, time_budget: float = 60.0) -> None:
    """Write a broadcast's batches for up to `time_budget` seconds, then hand over."""
    started = time.monotonic()
    while services.broadcast_fan_out_step(broadcast_id=broadcast_id):
        if time.monotonic() - started > time_budget:
            # Handed over on the same lane (an alert's stays in the priority lane).
            fan_out_broadcast.apply_async(
                (broadcast_id, time_budget), queue=services.broadcast_lane(broadcast_id)
            )
            return


@shared_task(ignore_result=True)
def sweep_outbox() -> dict:
    return delivery.sweep()


@worker_ready.connect
def recover_outbox_on_start(sender=None, **kwargs) -> None:
    """A worker that starts sweeps the outbox at once and again after one lease.

    The first sweep gives back the rows of a worker that was killed on this
    host (its process is gone); the second, the rows of any worker that
    died before this one started (its heartbeat stopped, so its lease has
    run out by then). Both run in the pool, not in this process.
    """
    try:
        sweep_outbox.delay()
        sweep_outbox.apply_async(countdown=delivery.lease().total_seconds() + 5)
    except Exception as exc:  # the broker went away again: beat's sweep follows
        logger.warning("could not queue the outbox sweep at start: %s", exc)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def build_data_export(export_id: int) -> bool:
    from . import personal_data

    return personal_data.data_export_build(export_id=export_id)


@shared_task(ignore_result=True)
def build_missed_data_exports() -> int:
    """Build the exports whose task was never queued (the broker was down at the request)."""
    from . import personal_data

    return personal_data.data_exports_build_missed()


@shared_task(ignore_result=True)
def privacy_sweep() -> dict:
    """Daily: purge erased accounts' private texts past retention; delete old exports."""
    from . import personal_data

    return {
        "purged": personal_data.privacy_purge_expired(),
        "exports_deleted": personal_data.data_exports_clean(),
    }


@shared_task(ignore_result=True)
def sms_fallback() -> int:
    """Every minute: SMS for the critical alerts whose push did not arrive."""
    from .notifications.sms.fallback import sms_fallback_sweep

    return len(sms_fallback_sweep())
