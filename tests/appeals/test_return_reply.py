"""Issue 16 point 2: the author of a returned appeal has a stated time to reply (Art. 5, 7).

The return needs a reason (the question); the author is told the date by which
to reply (APPEALS_RETURN_REPLY_DAYS); a periodic job closes the appeal without
consideration once that date has passed, with an event and a notice.
"""

import datetime as dt

import pytest
from django.utils import timezone

from appeals.models import Appeal, AppealAudit, AppealEvent
from appeals.services import (
    AppealError,
    appeal_return,
    appeals_close_unanswered_returns,
)
from appeals.services.following import appeal_add_info
from appeals.tasks import close_unanswered_returns
from appeals.workflow import SYSTEM, TRANSITIONS, Action, Status, allowed
from citizens.notifications.models import Notification
from tests.factories import CategoryFactory, submit_appeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(resident, moderator, department, settings):
    settings.APPEALS_RETURN_REPLY_DAYS = 30
    appeal = submit_appeal(resident, CategoryFactory(department=department), title="Яма")
    return appeal_return(appeal=appeal, actor=moderator, question="Вкажіть номер будинку.")


def lapsed_notices() -> list[Notification]:
    return list(Notification.objects.filter(event="appeals.reply_time_passed"))


def test_the_return_states_the_reply_date_from_the_setting(
    resident, moderator, department, settings
):
    settings.APPEALS_RETURN_REPLY_DAYS = 12
    appeal = submit_appeal(resident, CategoryFactory(department=department))

    returned = appeal_return(appeal=appeal, actor=moderator, question="Де саме?")

    due = timezone.localdate() + dt.timedelta(days=12)
    assert returned.reply_due == due
    event = AppealEvent.objects.get(appeal=returned, action=Action.RETURN)
    assert due.strftime("%d.%m.%Y") in event.reason
    [notice] = Notification.objects.filter(event="appeals.status_changed", recipient=resident)
    assert due.strftime("%d.%m.%Y") in notice.context["reason"]


@pytest.mark.parametrize("question", ["", "   "])
def test_a_return_without_a_reason_is_refused(resident, moderator, department, question):
    appeal = submit_appeal(resident, CategoryFactory(department=department))

    with pytest.raises(AppealError):
        appeal_return(appeal=appeal, actor=moderator, question=question)

    appeal.refresh_from_db()
    assert (appeal.status, appeal.reply_due) == (Status.MODERATION, None)


def test_the_lapse_is_a_system_transition_from_returned_only():
    sources, to, actors = TRANSITIONS[Action.LAPSE]
    assert (sources, to, actors) == (frozenset({Status.RETURNED}), Status.LAPSED, {SYSTEM})
    assert not allowed(Action.LAPSE, Status.RETURNED, "moderator")
    assert not allowed(Action.LAPSE, Status.ACCEPTED, SYSTEM)


def test_an_appeal_is_closed_the_day_after_the_reply_date(returned, resident):
    due = returned.reply_due

    assert appeals_close_unanswered_returns(today=due) == 0
    assert Appeal.objects.get(pk=returned.pk).status == Status.RETURNED

    assert appeals_close_unanswered_returns(today=due + dt.timedelta(days=1)) == 1

    closed = Appeal.objects.get(pk=returned.pk)
    assert closed.status == Status.LAPSED
    assert closed.closed_at is not None
    event = AppealEvent.objects.get(appeal=closed, action=Action.LAPSE)
    assert (event.from_status, event.to_status, event.actor) == (
        Status.RETURNED,
        Status.LAPSED,
        None,
    )
    [notice] = lapsed_notices()
    assert notice.recipient_id == resident.pk
    assert notice.context["reply_due"] == due.strftime("%d.%m.%Y")
    assert AppealAudit.objects.filter(appeal=closed, action="appeals.lapse").count() == 1


def test_running_twice_closes_and_tells_once(returned):
    later = returned.reply_due + dt.timedelta(days=3)

    assert appeals_close_unanswered_returns(today=later) == 1
    assert appeals_close_unanswered_returns(today=later) == 0

    assert len(lapsed_notices()) == 1
    assert AppealEvent.objects.filter(appeal=returned, action=Action.LAPSE).count() == 1


def test_a_reply_in_time_keeps_the_appeal_open(returned, resident):
    appeal_add_info(appeal=returned, author=resident, text="Будинок 12.")

    replied = Appeal.objects.get(pk=returned.pk)
    assert (replied.status, replied.reply_due) == (Status.MODERATION, None)
    assert appeals_close_unanswered_returns(today=timezone.localdate() + dt.timedelta(days=90)) == 0
    assert lapsed_notices() == []


def test_a_closed_appeal_takes_no_more_information(returned, resident):
    appeals_close_unanswered_returns(today=returned.reply_due + dt.timedelta(days=1))

    with pytest.raises(AppealError):
        appeal_add_info(appeal=returned, author=resident, text="Запізно.")


@pytest.mark.usefixtures("eager")
def test_the_beat_task_closes_overdue_returns(returned, settings):
    Appeal.objects.filter(pk=returned.pk).update(
        reply_due=timezone.localdate() - dt.timedelta(days=1)
    )

    close_unanswered_returns.delay()
    close_unanswered_returns.delay()

    assert Appeal.objects.get(pk=returned.pk).status == Status.LAPSED
    assert len(lapsed_notices()) == 1
    assert "appeals.tasks.close_unanswered_returns" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_close_once(resident, moderator, department):
    """Both runs find the appeal; the row lock and the re-check let only one close it."""
    import threading
    import time

    from django.db import connection, connections, transaction

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks")
    appeal = submit_appeal(resident, CategoryFactory(department=department))
    appeal = appeal_return(appeal=appeal, actor=moderator, question="Де саме?")
    later = appeal.reply_due + dt.timedelta(days=1)
    results = []

    def run():
        try:
            results.append(appeals_close_unanswered_returns(today=later))
        finally:
            connections.close_all()

    with transaction.atomic():
        Appeal.objects.select_for_update().get(pk=appeal.pk)
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
    for thread in threads:
        thread.join(timeout=10)

    assert sorted(results) == [0, 1]
    assert len(lapsed_notices()) == 1


@pytest.mark.parametrize(
    ("language", "reply_by", "closed"),
    [
        ("uk", "Дайте відповідь до", "Закрито без розгляду"),
        ("en", "Reply by", "Closed without consideration"),
    ],
)
def test_the_author_sees_the_reason_the_reply_date_and_the_closure(
    client_for, returned, resident, language, reply_by, closed
):
    resident.preferred_language = language
    resident.save(update_fields=["preferred_language"])
    client = client_for(resident)
    date = returned.reply_due.strftime("%d.%m.%Y")

    page = client.get(returned.get_absolute_url()).content.decode()

    assert "Вкажіть номер будинку." in page
    assert f"{reply_by} {date}" in page

    appeals_close_unanswered_returns(today=returned.reply_due + dt.timedelta(days=1))
    page = client.get(returned.get_absolute_url()).content.decode()
    assert closed in page
    assert reply_by not in page
