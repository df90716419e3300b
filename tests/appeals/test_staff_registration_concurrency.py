"""Claims and registrations at the same moment, against real PostgreSQL.

SQLite serialises writers and cannot show these races: the tests run only on
PostgreSQL (set DATABASE_URL).
"""

import uuid

import pytest
from django.conf import settings

from appeals.models import Appeal
from appeals.services import AppealError
from appeals.services.registration import appeal_claim, appeal_register
from tests.appeals.test_support_concurrency import at_once
from tests.conftest import _staff
from tests.factories import CategoryFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="row locks and concurrent transactions need PostgreSQL (set DATABASE_URL)",
    ),
]


def register(operator, category, key):
    return appeal_register(
        staff=operator,
        channel="hotline",
        full_name="Петренко Олена",
        residence="Херсон, вул. Соборна",
        phone="+380501112233",
        kind="problem",
        category=category,
        title="Не світить ліхтар",
        description="Третій тиждень не світить ліхтар.",
        idempotency_key=key,
    )


def test_two_residents_claiming_at_once_only_one_wins():
    operator = _staff("moderator", email="op@example.com")
    appeal, code, _created = register(operator, CategoryFactory(), uuid.uuid4())
    first, second = UserFactory(), UserFactory()

    errors = at_once(
        [
            lambda: appeal_claim(user=first, reference=appeal.reference, code=code),
            lambda: appeal_claim(user=second, reference=appeal.reference, code=code),
        ]
    )

    assert len(errors) == 1
    assert isinstance(errors[0], AppealError)
    assert Appeal.objects.get(pk=appeal.pk).author in {first, second}


def test_the_register_form_sent_twice_at_once_registers_once():
    operator = _staff("moderator", email="op@example.com")
    category, key = CategoryFactory(), uuid.uuid4()
    results = []

    errors = at_once([lambda: results.append(register(operator, category, key))] * 2)

    assert errors == []
    assert Appeal.objects.count() == 1
    assert sorted(created for _appeal, _code, created in results) == [False, True]
