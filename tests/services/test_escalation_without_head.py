"""An overdue application in a department with no active head: its staff are told.

The services' copy of the department staff lookup returned a list, and the
escalation took the head away from it as from a set: with no active head
the escalation failed with a TypeError and nobody was told.
"""

import datetime as dt

import pytest

from citizens.notifications.models import Notification
from services.models import Application
from services.services import applications_escalate_overdue

from .factories import ServiceFactory, submit

pytestmark = pytest.mark.django_db


def _overdue(resident, cnap) -> Application:
    application = submit(resident, ServiceFactory(department=cnap, processing_days=5))
    application.refresh_from_db()
    return application


def test_with_no_head_the_members_are_told(officer, resident, cnap):
    application = _overdue(resident, cnap)

    assert applications_escalate_overdue(now=application.due_at + dt.timedelta(days=1)) == 1

    sent = Notification.objects.filter(event="services.escalated")
    assert [n.recipient for n in sent] == [officer]


def test_with_an_inactive_head_the_other_members_are_told(head_of_cnap, officer, resident, cnap):
    cnap.members.add(head_of_cnap)
    head_of_cnap.is_active = False
    head_of_cnap.save(update_fields=["is_active"])
    application = _overdue(resident, cnap)

    assert applications_escalate_overdue(now=application.due_at + dt.timedelta(days=1)) == 1

    sent = Notification.objects.filter(event="services.escalated")
    assert [n.recipient for n in sent] == [officer]
