"""Celery tasks of the core: thin wrappers around mycity.lib."""

from celery import shared_task


@shared_task(ignore_result=True)
def check_counters() -> int:
    """Daily: compare every denormalised counter with its rows; log each difference (ERROR).

    Reports only: a fix is for a person to run (`manage.py check_counters --fix`)
    after looking at why a counter drifted. Returns how many differ.
    """
    from .lib.counters import counters_check

    return len(counters_check())
