"""A real Celery worker against the real Redis broker and PostgreSQL.

The worker runs in a thread of this process (celery.contrib.testing), so it
shares the locmem e-mail outbox with the test. It consumes a queue of its
own, so tasks that other test runs leave in the same Redis database are not
taken, and ours are not left behind for anyone else.
"""

import contextlib
import threading
import time
import uuid

import pytest
from celery import signals
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import close_old_connections, connection, transaction
from kombu import Queue
from redis import Redis

from citizens.notifications.events import EMAIL
from citizens.notifications.models import Broadcast, Delivery, Notification
from citizens.notifications.services import notify, notify_audience
from citizens.tasks import deliver_batch
from mycity.celery import app as celery_app
from tests.factories import UserFactory, verify_email

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "postgresql",
        reason="needs the real broker and database: set REDIS_URL and a postgres:// DATABASE_URL",
    ),
    pytest.mark.django_db(transaction=True),
]

Status = Delivery.Status


def forget_routing():
    # amqp caches the queues, the router, the default exchange and a sender
    # that captured them, all built from the configuration on first use.
    for name in ("queues", "default_queue", "router", "default_exchange", "send_task_message"):
        celery_app.amqp.__dict__.pop(name, None)


class Finished:
    """Counts tasks the worker has finished, by name, and closes its DB connection."""

    def __init__(self):
        self.counts: dict[str, int] = {}
        self.threads: set[int] = set()
        self.changed = threading.Condition()

    def __call__(self, sender=None, task=None, **kwargs):
        # The worker thread's own connection: do not leave it open after the test.
        connection.close()
        with self.changed:
            self.threads.add(threading.get_ident())
            self.counts[task.name] = self.counts.get(task.name, 0) + 1
            self.changed.notify_all()

    def wait_for(self, name: str, count: int, timeout: float = 20) -> None:
        with self.changed:
            done = self.changed.wait_for(lambda: self.counts.get(name, 0) >= count, timeout)
        assert done, f"the worker finished {self.counts} in {timeout}s, not {count} × {name}"


@contextlib.contextmanager
def running_worker(default_queue: str, *, lane_queue: str | None = None, reads=None):
    """A worker on queues of this test's own, reading `reads` (default: all of them)."""
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_default_queue, conf.task_queues
    queues = [q for q in (lane_queue, default_queue) if q]
    conf.task_always_eager = False
    conf.task_default_queue = default_queue
    conf.task_queues = [Queue(name) for name in queues]
    forget_routing()
    finished = Finished()
    signals.task_postrun.connect(finished, weak=False)
    try:
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            shutdown_timeout=30,
            queues=reads or queues,
        ):
            yield finished
    finally:
        signals.task_postrun.disconnect(finished)
        with celery_app.connection_for_write() as conn:
            for queue in queues:
                conn.default_channel.queue_delete(queue)
        # kombu keeps the queue's exchange bindings in keys of their own.
        redis = Redis.from_url(settings.REDIS_URL)
        for queue in queues:
            redis.delete(f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        redis.close()
        conf.task_always_eager, conf.task_default_queue, conf.task_queues = saved
        forget_routing()
        close_old_connections()


@pytest.fixture
def worker(settings):
    """A worker reading both queues of its own, as production's default worker does."""
    name = f"mycity-test-{uuid.uuid4().hex}"
    settings.NOTIFICATIONS_PRIORITY_QUEUE = f"{name}-priority"
    with running_worker(name, lane_queue=f"{name}-priority") as finished:
        yield finished


@pytest.fixture
def lane_worker(settings):
    """Only the priority lane's worker runs: what goes elsewhere waits."""
    name = f"mycity-test-{uuid.uuid4().hex}"
    settings.NOTIFICATIONS_PRIORITY_QUEUE = f"{name}-priority"
    with running_worker(
        name, lane_queue=f"{name}-priority", reads=[f"{name}-priority"]
    ) as finished:
        yield finished


def person(**fields):
    user = UserFactory(**fields)
    verify_email(user)
    return user


def wait_until(check, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_worker_sends_what_notify_committed(worker):
    user = person()

    with transaction.atomic():
        notify(recipients=[user], event="citizens.test")

    worker.wait_for(deliver_batch.name, 1)
    row = Delivery.objects.get()
    assert (row.status, row.attempts) == (Status.SENT, 1)
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert threading.get_ident() not in worker.threads  # the worker sent it, not this thread


def test_task_delivered_twice_still_sends_once(worker):
    users = [person() for _ in range(5)]
    ids = []
    for user in users:
        notification = Notification.objects.create(recipient=user, event="citizens.test")
        ids.append(Delivery.objects.create(notification=notification, channel=EMAIL).pk)

    deliver_batch.delay(ids)
    deliver_batch.delay(ids)

    worker.wait_for(deliver_batch.name, 2)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    assert set(Delivery.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


def test_worker_fans_out_a_broadcast_and_sends_each_person_once(worker):
    users = [person() for _ in range(12)]

    with transaction.atomic():
        notify_audience(event="citizens.test")

    wait_until(lambda: Broadcast.objects.filter(status=Broadcast.Status.DONE).exists())
    wait_until(lambda: not Delivery.objects.exclude(status=Status.SENT).exists())
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)


def test_the_priority_lane_sends_alerts_while_the_rest_waits(lane_worker):
    user = person()

    with transaction.atomic():
        notify(recipients=[user], event="citizens.test")  # not in the lane
        notify(
            recipients=[user],
            event="news.alert_critical",
            context={"icon": "🚨", "title": "Повітряна тривога", "text": "Пройдіть в укриття."},
        )

    lane_worker.wait_for(deliver_batch.name, 1)
    sent = Delivery.objects.get(status=Status.SENT)
    assert sent.notification.event == "news.alert_critical"
    waiting = Delivery.objects.get(notification__event="citizens.test")
    assert waiting.status == Status.PENDING  # its task is in the other queue
    assert [m.subject for m in mail.outbox] == ["🚨 Повітряна тривога"]


def test_an_alerts_fan_out_runs_in_the_lane(lane_worker):
    users = [person() for _ in range(3)]

    with transaction.atomic():
        notify_audience(
            event="news.alert_critical",
            context={"icon": "🚨", "title": "Тривога", "text": "Укриття."},
        )

    wait_until(lambda: Broadcast.objects.filter(status=Broadcast.Status.DONE).exists())
    wait_until(lambda: not Delivery.objects.exclude(status=Status.SENT).exists())
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
