"""Supports clicked at the same moment, against real PostgreSQL.

Each thread has its own database connection (Django gives one per thread) and
closes it when done. SQLite serialises writers on the whole file and cannot
show these races, so the tests run only on PostgreSQL.
"""

import pytest
from django.conf import settings

from appeals.models import Appeal, ProposalSupport
from appeals.services import transition
from appeals.services.proposals import (
    proposal_support,
    proposal_unsupport,
    support_count_recount,
)
from appeals.workflow import MODERATOR, Action
from citizens.notifications.models import Notification
from tests import concurrency
from tests.factories import CategoryFactory, DepartmentFactory, UserFactory, submit_appeal

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="row locks and concurrent transactions need PostgreSQL (set DATABASE_URL)",
    ),
]


def make_proposal(author, category=None) -> Appeal:
    appeal = submit_appeal(author, category, kind="proposal")
    return transition(appeal=appeal, action=Action.ACCEPT, actor=None, role=MODERATOR)


def at_once(calls) -> list[BaseException]:
    """Run every callable in its own thread, released together; return their errors."""
    return concurrency.at_once(calls)[1]


def counted(appeal) -> tuple[int, int]:
    return (
        Appeal.objects.get(pk=appeal.pk).support_count,
        ProposalSupport.objects.filter(appeal=appeal).count(),
    )


def test_twenty_people_supporting_at_once_are_all_counted():
    proposal = make_proposal(UserFactory())
    people = UserFactory.create_batch(20)

    errors = at_once([lambda u=u: proposal_support(appeal=proposal, user=u) for u in people])

    assert errors == []
    assert counted(proposal) == (20, 20)


def test_one_person_clicking_five_times_at_once_is_counted_once():
    proposal = make_proposal(UserFactory())
    person = UserFactory()

    errors = at_once([lambda: proposal_support(appeal=proposal, user=person)] * 5)

    assert errors == []
    assert counted(proposal) == (1, 1)


def test_supports_and_withdrawals_at_once_keep_the_counter_exact():
    proposal = make_proposal(UserFactory())
    leaving = UserFactory.create_batch(5)
    for person in leaving:
        proposal_support(appeal=proposal, user=person)
    arriving = UserFactory.create_batch(10)

    errors = at_once(
        [lambda u=u: proposal_unsupport(appeal=proposal, user=u) for u in leaving]
        + [lambda u=u: proposal_support(appeal=proposal, user=u) for u in arriving]
    )

    assert errors == []
    assert counted(proposal) == (10, 10)


def test_the_threshold_is_reached_once_when_supports_cross_it_together(settings):
    settings.PROPOSAL_SUPPORT_THRESHOLD = 100
    head = UserFactory()
    department = DepartmentFactory(head=head)
    proposal = make_proposal(
        UserFactory(), CategoryFactory(department=department, support_threshold=3)
    )
    proposal_support(appeal=proposal, user=UserFactory())
    proposal_support(appeal=proposal, user=UserFactory())

    # One support short: eight people click at once, several "cross" it.
    errors = at_once(
        [lambda u=u: proposal_support(appeal=proposal, user=u) for u in UserFactory.create_batch(8)]
    )

    assert errors == []
    assert counted(proposal) == (10, 10)
    assert Appeal.objects.get(pk=proposal.pk).threshold_reached_at is not None
    told = Notification.objects.filter(event="appeals.threshold_reached")
    assert list(told.values_list("recipient_id", "context__count")) == [(head.pk, 3)]


def test_a_recount_during_supports_and_withdrawals_keeps_the_counter_exact():
    """The counters check's fix takes the supports' lock, so it never stores a stale count."""
    proposal = make_proposal(UserFactory())
    leaving = UserFactory.create_batch(4)
    for person in leaving:
        proposal_support(appeal=proposal, user=person)
    arriving = UserFactory.create_batch(8)

    errors = at_once(
        [lambda u=u: proposal_unsupport(appeal=proposal, user=u) for u in leaving]
        + [lambda u=u: proposal_support(appeal=proposal, user=u) for u in arriving]
        + [lambda: support_count_recount(appeal_id=proposal.pk)] * 4
    )

    assert errors == []
    assert counted(proposal) == (8, 8)
