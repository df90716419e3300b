"""Queueing Celery tasks so that a broker outage never fails the request that queues them.

Redis is the broker. When it is down, `delay()` raises after the short
publish retry (settings.CELERY_TASK_PUBLISH_RETRY_POLICY); a request that
has already committed its work must not turn that into a 500. The work is
not lost: every task queued this way has a sweep that finds what is still
undone in the database and queues or does it later (for notifications the
outbox sweep, citizens/notifications/delivery.py; for data exports the
privacy sweep).
"""

from __future__ import annotations

import functools
import logging
from importlib import import_module

from celery.exceptions import NotRegistered
from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

BROKER_ERRORS = (OperationalError, RedisError, OSError)


def task_named(name: str):
    """The project's registered task called `name`, importing its module if need be.

    Celery finds the apps' tasks modules lazily; a process that has not
    imported one yet (a web process, a live test server) imports it here.
    """
    from mycity.celery import app

    try:
        return app.tasks[name]
    except NotRegistered:
        import_module(name.rpartition(".")[0])
        return app.tasks[name]


def queue(task, *args, on: str | None = None) -> bool:
    """`task.delay(*args)`, or False with a warning when the broker cannot take it.

    `on`: the Celery queue to put it on (the notifications' priority lane);
    by default the task's own.

    `task` is a task or its registered name ("citizens.tasks.deliver_batch"):
    by name, services queue their tasks without importing the tasks module,
    which imports them (no import cycle; tasks call services, never the reverse).
    """
    if isinstance(task, str):
        task = task_named(task)
    try:
        if on:
            task.apply_async(args, queue=on)
        else:
            task.delay(*args)
    except BROKER_ERRORS as exc:
        # The type only: kombu's messages carry the broker's host.
        logger.warning(
            "could not queue %s (%s): a sweep will catch up", task.name, type(exc).__name__
        )
        return False
    return True


def queue_on_commit(task, *args) -> None:
    """Queue `task` once the current transaction commits, broker failures logged, not raised."""
    transaction.on_commit(functools.partial(queue, task, *args))
