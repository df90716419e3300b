"""Issue 20: the cabinet's pages make as many queries at 30 rows as at 3, and at most 10.

The pattern and the helper are in tests/query_counts.py. /me/requests/,
/me/surveys/ and /me/services/ are pinned with their apps' pages
(tests/<app>/test_query_counts.py).
"""

import pytest

from citizens.notifications.services import notify
from tests.factories import submit_appeal
from tests.query_counts import assert_flat, counts_at_growing_data

pytestmark = pytest.mark.django_db


def add_notifications(user, n: int) -> None:
    """n notifications of two kinds, every second one read."""
    for i in range(n):
        notify(recipients=[user], event="citizens.test", url="/requests/")
        if i % 2:
            user.notifications.filter(read_at__isnull=True).update(read_at=user.date_joined)
        notify(recipients=[user], event="citizens.resident_verified")


def test_the_cabinet_does_not_grow(client_for, resident):
    """Appeals filed and notifications received: the cabinet links to them, lists none."""

    def seed(n):
        for _ in range(n):
            submit_appeal(resident)
        add_notifications(resident, n)

    assert_flat(counts_at_growing_data(client_for(resident), "/me/", seed=seed))


def test_the_inbox_does_not_grow(client_for, resident):
    seed = lambda n: add_notifications(resident, n)  # noqa: E731
    assert_flat(counts_at_growing_data(client_for(resident), "/me/notifications/", seed=seed))


def test_the_inbox_second_page_does_not_grow(client_for, resident):
    seed = lambda n: add_notifications(resident, n)  # noqa: E731
    # Two notifications a row: 26 and 80, and 20 a page, so page 2 exists at both sizes.
    counts = counts_at_growing_data(
        client_for(resident), "/me/notifications/", seed=seed, sizes=(13, 40), data={"page": 2}
    )
    assert_flat(counts)
