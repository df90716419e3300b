"""The routed department hears when the author replies or reopens."""

import pytest

from appeals.services.following import appeal_add_info, appeal_reopen
from citizens.notifications.models import Notification
from tests.appeals.following_helpers import accept, answer, return_to_author
from tests.factories import CategoryFactory, DepartmentFactory, UserFactory, submit_appeal

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed():
    head, member = UserFactory(is_staff=True), UserFactory(is_staff=True)
    department = DepartmentFactory(head=head)
    department.members.add(member)
    author = UserFactory()
    appeal = submit_appeal(author, CategoryFactory(department=department))
    return appeal, author, {head.pk, member.pk}


def told(event):
    return set(Notification.objects.filter(event=event).values_list("recipient_id", flat=True))


def test_information_added_by_the_author_is_told_to_the_department(routed):
    appeal, author, staff = routed
    return_to_author(appeal, UserFactory(is_staff=True))

    appeal_add_info(appeal=appeal, author=author, text="Біля будинку 12.")

    assert told("appeals.author_replied") == staff


def test_a_reopened_request_is_told_to_the_department(routed):
    appeal, author, staff = routed
    moderator = UserFactory(is_staff=True)
    answer(accept(appeal, moderator), moderator)

    appeal_reopen(appeal=appeal, author=author, reason="Яма знову є.")

    assert told("appeals.author_replied") == staff
