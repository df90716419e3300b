"""Issue 16: the demo data includes a returned, a forwarded and an extended appeal.

They are made through the services, so their timelines and notices are real.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from appeals.demo import HISTORY_AUTHOR
from appeals.models import Appeal, AppealEvent, AppealMessage
from appeals.services.staff import reply_due_from
from appeals.workflow import Action, Status
from citizens.notifications.models import Notification

pytestmark = pytest.mark.django_db


def seed():
    call_command("seed_demo", stdout=StringIO())


def made_by_hand():
    """The demo's own appeals: not the year of history seeded for the statistics."""
    return Appeal.objects.exclude(author__email=HISTORY_AUTHOR)


def test_seed_demo_makes_a_returned_a_forwarded_and_an_extended_appeal():
    seed()

    returned = made_by_hand().get(status=Status.RETURNED)
    assert returned.reply_due == reply_due_from(timezone.localdate())
    assert AppealMessage.objects.filter(
        appeal=returned, type=AppealMessage.Type.QUESTION, text__contains="адресу"
    ).exists()
    assert AppealEvent.objects.filter(appeal=returned, action=Action.RETURN).exists()

    forwarded = made_by_hand().get(status=Status.FORWARDED)
    assert forwarded.forwarded_to == "Херсонська обласна військова адміністрація"
    event = AppealEvent.objects.get(appeal=forwarded, action=Action.FORWARD)
    assert "область" in event.reason

    extended = made_by_hand().get(deadline_extended=True)
    assert "обстеження" in extended.extension_reason
    event = AppealEvent.objects.get(appeal=extended, action=Action.EXTEND)
    assert event.actor.email == "head@demo.mycity.test"
    assert extended.department.head == event.actor
    assert Notification.objects.filter(
        recipient=extended.author, event="appeals.status_changed"
    ).exists()


def test_seed_demo_twice_makes_them_once():
    seed()
    seed()

    assert made_by_hand().filter(status=Status.RETURNED).count() == 1
    assert made_by_hand().filter(status=Status.FORWARDED).count() == 1
    assert made_by_hand().filter(deadline_extended=True).count() == 1
