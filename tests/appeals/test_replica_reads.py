"""With a read replica, the public lists read there.

Whatever a person has just written is read from the primary.
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from appeals.services import transition
from appeals.workflow import MODERATOR, Action
from tests.factories import UserFactory, submit_appeal

# Transactional (the replica connection sees committed rows), and marked so: pytest-django
# runs such tests after the others, whose data the flush at their end would remove.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("replica_connection"),
]


@pytest.fixture
def appeal(resident):
    appeal = submit_appeal(resident, title="Яма біля школи")
    return transition(
        appeal=appeal, action=Action.ACCEPT, actor=UserFactory(is_staff=True), role=MODERATOR
    )


def appeal_reads(connection, queries) -> int:
    return sum('FROM "appeals_appeal"' in q["sql"] for q in queries.captured_queries)


def read(client, url, replica_connection):
    with (
        CaptureQueriesContext(replica_connection) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        response = client.get(url)
    assert response.status_code == 200
    return appeal_reads(replica_connection, on_replica), appeal_reads(None, on_default), response


@pytest.mark.parametrize(
    "url",
    [
        "/requests/",
        "/requests/?q=яма",
        "/proposals/",
        "/api/v1/appeals/",
        "/api/v1/proposals/",
        "/open311/v2/requests.json",
        "/requests/map.json?bbox=32.0,46.0,33.0,47.0",
        "/requests/statistics/",
    ],
)
def test_public_lists_read_the_appeals_from_the_replica(client, appeal, url, replica_connection):
    on_replica, on_default, _ = read(client, url, replica_connection)

    assert on_replica >= 1
    assert on_default == 0


def test_the_authors_own_appeal_and_lists_read_from_the_primary(
    client_for, resident, appeal, replica_connection
):
    client = client_for(resident)

    for url in (appeal.get_absolute_url(), "/me/requests/", "/proposals/"):
        on_replica, on_default, _ = read(client, url, replica_connection)
        assert on_replica == 0, url
        assert on_default >= 1, url
