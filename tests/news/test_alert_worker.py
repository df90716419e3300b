"""End to end through the real broker: an editor publishes an alert, a Celery
worker fans it out and e-mails the residents of the district, in their language."""

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction

from citizens.notifications.models import Delivery
from citizens.tasks import deliver_batch, fan_out_broadcast
from mycity.lib import tasks as task_queue
from news.models import Alert, AlertKind, Severity
from news.services import alert_publish, alert_save
from tests.citizens.notifications.test_worker import worker  # noqa: F401 (a fixture)
from tests.factories import UserFactory, verify_email

REAL_QUEUE = task_queue.queue

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "postgresql",
        reason="needs the real broker and database: set REDIS_URL and a postgres:// DATABASE_URL",
    ),
    pytest.mark.django_db(transaction=True),
]


def test_published_alert_is_mailed_by_the_worker_to_its_district_only(
    worker,  # noqa: F811
    monkeypatch,
    north,
    south,
):
    monkeypatch.setattr(task_queue, "queue", REAL_QUEUE)
    uk = UserFactory(district=north, preferred_language="uk")
    en = UserFactory(district=north, preferred_language="en")
    elsewhere = UserFactory(district=south)
    for user in (uk, en, elsewhere):
        verify_email(user)

    alert = Alert(
        kind=AlertKind.WATER, severity=Severity.WARNING,
        title_uk="Немає води", title_en="No water", text_uk="До 18:00.", text_en="Until 18:00.",
    )  # fmt: skip
    with transaction.atomic():
        alert_save(alert=alert, districts=[north])
    with transaction.atomic():
        alert_publish(alert=alert)

    worker.wait_for(fan_out_broadcast.name, 1, timeout=60)
    worker.wait_for(deliver_batch.name, 1, timeout=60)
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert set(subjects) == {uk.email, en.email}
    assert "Немає води" in subjects[uk.email]
    assert "No water" in subjects[en.email]
