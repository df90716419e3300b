"""Overdue appeals escalate to the department head once per appeal per day."""

import datetime as dt

import pytest
from django.utils import timezone

from appeals.models import Appeal, AppealAudit
from appeals.services import appeal_accept, appeal_answer, appeal_start, appeals_escalate_overdue
from appeals.tasks import escalate_overdue_appeals
from citizens.notifications.models import Notification
from tests.appeals.following_helpers import staff_of
from tests.factories import CategoryFactory, UserFactory, submit_appeal

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 5, 20)


@pytest.fixture
def head(department):
    head = staff_of(department)
    department.head = head
    department.save(update_fields=["head"])
    return head


@pytest.fixture
def make(moderator, department):
    category = CategoryFactory(department=department)

    def make(*, due: dt.date, state: str = "accepted") -> Appeal:
        appeal = appeal_accept(appeal=submit_appeal(UserFactory(), category), moderator=moderator)
        if state == "answered":
            staff = staff_of(department)
            appeal = appeal_start(appeal=appeal, staff=staff)
            appeal = appeal_answer(appeal=appeal, staff=staff, text="Відповідь.")
        Appeal.objects.filter(pk=appeal.pk).update(deadline=due)
        return appeal

    return make


def escalations(user=None) -> list[Notification]:
    found = Notification.objects.filter(event="appeals.escalated")
    if user is not None:
        found = found.filter(recipient=user)
    return list(found)


def test_an_overdue_appeal_is_escalated_to_the_head(head, make):
    appeal = make(due=TODAY - dt.timedelta(days=3))

    assert appeals_escalate_overdue(today=TODAY) == 1

    [notice] = escalations()
    assert notice.recipient == head
    assert notice.context["reference"] == appeal.reference
    assert notice.url == appeal.get_absolute_url()
    assert Appeal.objects.get(pk=appeal.pk).escalated_on == TODAY


def test_running_twice_the_same_day_escalates_once(head, make):
    make(due=TODAY - dt.timedelta(days=1))

    assert appeals_escalate_overdue(today=TODAY) == 1
    assert appeals_escalate_overdue(today=TODAY) == 0

    assert len(escalations(head)) == 1


def test_an_appeal_still_overdue_the_next_day_is_escalated_again(head, make):
    make(due=TODAY - dt.timedelta(days=1))

    appeals_escalate_overdue(today=TODAY)
    appeals_escalate_overdue(today=TODAY + dt.timedelta(days=1))
    appeals_escalate_overdue(today=TODAY + dt.timedelta(days=1))

    assert len(escalations(head)) == 2


@pytest.mark.parametrize(
    ("due", "state"),
    [
        pytest.param(TODAY, "accepted", id="due-today"),
        pytest.param(TODAY + dt.timedelta(days=5), "accepted", id="due-later"),
        pytest.param(TODAY - dt.timedelta(days=5), "answered", id="answered-late"),
    ],
)
def test_appeals_on_time_or_answered_are_not_escalated(head, make, due, state):
    make(due=due, state=state)

    assert appeals_escalate_overdue(today=TODAY) == 0
    assert escalations() == []


def test_without_a_head_the_departments_staff_are_told(department, make):
    first, second = staff_of(department), staff_of(department)
    make(due=TODAY - dt.timedelta(days=2))

    appeals_escalate_overdue(today=TODAY)

    assert {n.recipient for n in escalations()} == {first, second}


def test_each_overdue_appeal_gets_its_own_escalation(head, make):
    make(due=TODAY - dt.timedelta(days=1))
    make(due=TODAY - dt.timedelta(days=9))

    assert appeals_escalate_overdue(today=TODAY) == 2
    assert len(escalations(head)) == 2


def test_an_escalation_is_audited(head, make):
    appeal = make(due=TODAY - dt.timedelta(days=1))

    appeals_escalate_overdue(today=TODAY)

    entry = AppealAudit.objects.get(appeal=appeal, action="appeals.escalate")
    assert entry.actor is None
    assert entry.changes == {
        "escalated_on": [None, TODAY.isoformat()],
        "notified": [None, [head.pk]],
    }


@pytest.mark.usefixtures("eager")
def test_the_beat_task_escalates_todays_overdue_appeals(head, make):
    make(due=timezone.localdate() - dt.timedelta(days=1))

    escalate_overdue_appeals.delay()
    escalate_overdue_appeals.delay()

    assert len(escalations(head)) == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("eager")
def test_two_runs_at_once_escalate_once(head, make):
    """Both runs find the appeal; the conditional UPDATE lets only one of them notify."""
    import threading
    import time

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    appeal = make(due=TODAY - dt.timedelta(days=1))
    results = []

    def run():
        try:
            results.append(appeals_escalate_overdue(today=TODAY))
        finally:
            connections.close_all()

    with transaction.atomic():
        # Hold the row so both runs have read their candidates and wait at the UPDATE.
        Appeal.objects.select_for_update().get(pk=appeal.pk)
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(results) == [0, 1]
    assert len(escalations(head)) == 1


def test_the_author_is_told_once_that_the_term_passed(head, make, department):
    appeal = make(due=TODAY - dt.timedelta(days=1))

    appeals_escalate_overdue(today=TODAY)
    appeals_escalate_overdue(today=TODAY + dt.timedelta(days=1))

    [notice] = Notification.objects.filter(event="appeals.term_passed")
    assert notice.recipient_id == appeal.author_id
    assert notice.context["department"] == department.name
    assert notice.context["deadline"] == "19.05.2026"
    assert notice.url == appeal.get_absolute_url()
