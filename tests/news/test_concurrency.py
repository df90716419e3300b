"""Two senders at once (the admin's publish and the beat task) tell residents once.

Needs PostgreSQL: SQLite serialises writers, so there is no race to lose.
"""

import threading

import pytest
from django.conf import settings
from django.db import connection

from citizens.notifications.models import Broadcast
from news.models import Alert
from news.services import alerts_notify_due
from news.services.alerts import _notify_if_due

from .factories import make_alert

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="concurrent transactions need PostgreSQL (set DATABASE_URL)",
    ),
]


def test_alert_is_claimed_once_by_concurrent_senders(north):
    alert = make_alert(districts=[north], publish=False)
    Alert.objects.filter(pk=alert.pk).update(status=Alert.Status.PUBLISHED)
    barrier = threading.Barrier(4)
    results, errors = [], []

    def send(use_task):
        try:
            barrier.wait()
            from django.db import transaction

            with transaction.atomic():
                results.append(alerts_notify_due() if use_task else int(_notify_if_due(alert.pk)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i % 2 == 0,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert sum(results) == 1
    assert Broadcast.objects.count() == 1
