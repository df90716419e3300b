"""The workflow table: which action is allowed from which status, for whom."""

import pytest

from appeals.models import AppealEvent
from appeals.services import AppealError, transition
from appeals.workflow import (
    AUTHOR,
    DEPARTMENT,
    HEAD,
    MODERATOR,
    TRANSITIONS,
    Action,
    Status,
    allowed,
    target,
)
from tests.factories import UserFactory, submit_appeal

pytestmark = pytest.mark.django_db

ALLOWED = [
    (Action.ACCEPT, Status.MODERATION, MODERATOR, Status.ACCEPTED),
    (Action.REJECT, Status.MODERATION, MODERATOR, Status.REJECTED),
    (Action.RETURN, Status.MODERATION, MODERATOR, Status.RETURNED),
    (Action.ADD_INFO, Status.RETURNED, AUTHOR, Status.MODERATION),
    (Action.START, Status.ACCEPTED, DEPARTMENT, Status.IN_PROGRESS),
    (Action.ANSWER, Status.IN_PROGRESS, DEPARTMENT, Status.ANSWERED),
    (Action.CLOSE, Status.ANSWERED, DEPARTMENT, Status.CLOSED),
    (Action.REOPEN, Status.ANSWERED, AUTHOR, Status.IN_PROGRESS),
    (Action.REOPEN, Status.CLOSED, AUTHOR, Status.IN_PROGRESS),
    (Action.EXTEND, Status.IN_PROGRESS, HEAD, Status.IN_PROGRESS),
    (Action.FORWARD, Status.ACCEPTED, DEPARTMENT, Status.FORWARDED),
    (Action.MERGE, Status.IN_PROGRESS, MODERATOR, Status.MERGED),
]

REFUSED = [
    (Action.ACCEPT, Status.MODERATION, AUTHOR),
    (Action.ACCEPT, Status.MODERATION, DEPARTMENT),
    (Action.ANSWER, Status.MODERATION, DEPARTMENT),
    (Action.REOPEN, Status.IN_PROGRESS, AUTHOR),
    (Action.REOPEN, Status.ANSWERED, DEPARTMENT),
    (Action.ADD_INFO, Status.ACCEPTED, AUTHOR),
    (Action.CLOSE, Status.IN_PROGRESS, DEPARTMENT),
    (Action.REJECT, Status.ANSWERED, MODERATOR),
    (Action.SUBMIT, Status.MODERATION, AUTHOR),
    (Action.EXTEND, Status.IN_PROGRESS, DEPARTMENT),
    (Action.EXTEND, Status.IN_PROGRESS, MODERATOR),
]


@pytest.mark.parametrize(("action", "source", "role", "result"), ALLOWED)
def test_allowed_transitions(action, source, role, result):
    assert allowed(action, source, role)
    assert target(action, source) == result


@pytest.mark.parametrize(("action", "source", "role"), REFUSED)
def test_refused_transitions(action, source, role):
    assert not allowed(action, source, role)


def test_every_action_has_a_row_in_the_table():
    assert set(TRANSITIONS) == set(Action.values)


def test_a_transition_is_recorded_with_who_when_from_and_to():
    author, moderator = UserFactory(), UserFactory(is_staff=True)
    appeal = submit_appeal(author)

    moved = transition(
        appeal=appeal, action=Action.ACCEPT, actor=moderator, role=MODERATOR, reason="OK"
    )

    assert moved.status == Status.ACCEPTED
    event = AppealEvent.objects.filter(appeal=appeal).order_by("-pk").first()
    assert (event.action, event.from_status, event.to_status, event.actor, event.reason) == (
        Action.ACCEPT,
        Status.MODERATION,
        Status.ACCEPTED,
        moderator,
        "OK",
    )


def test_a_refused_transition_changes_nothing():
    author = UserFactory()
    appeal = submit_appeal(author)

    with pytest.raises(AppealError):
        transition(appeal=appeal, action=Action.ANSWER, actor=author, role=DEPARTMENT)

    appeal.refresh_from_db()
    assert appeal.status == Status.MODERATION
    assert AppealEvent.objects.filter(appeal=appeal).count() == 1  # the submission


def test_status_changes_notify_the_author_and_followers():
    from appeals.models import AppealFollower
    from citizens.notifications.models import Notification

    author, follower, moderator = UserFactory(), UserFactory(), UserFactory(is_staff=True)
    appeal = submit_appeal(author)
    AppealFollower.objects.create(appeal=appeal, user=follower)

    transition(appeal=appeal, action=Action.ACCEPT, actor=moderator, role=MODERATOR)

    told = set(
        Notification.objects.filter(event="appeals.status_changed").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {author.pk, follower.pk}
