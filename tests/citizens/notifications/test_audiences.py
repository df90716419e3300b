"""Named audiences: a feature app describes a group of people, a broadcast targets it."""

import pytest

from citizens.models import User
from citizens.notifications import audiences
from citizens.notifications.models import Notification
from citizens.notifications.services import broadcast_fan_out_step, notify_audience
from mycity.lib import tasks as task_queue
from tests.factories import DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db


def by_email_prefix(*, prefix):
    return User.objects.filter(email__startswith=prefix).values("pk")


@pytest.fixture(autouse=True)
def named(monkeypatch):
    monkeypatch.setitem(audiences.registry(), "tests.by_prefix", by_email_prefix)
    monkeypatch.setattr(task_queue, "queue", lambda task, *args, **options: True)


def recipients(broadcast):
    while broadcast_fan_out_step(broadcast_id=broadcast.pk):
        pass
    return sorted(
        Notification.objects.filter(broadcast=broadcast).values_list("recipient_id", flat=True)
    )


def test_also_adds_people_outside_the_districts():
    north, south = DistrictFactory(), DistrictFactory()
    home = UserFactory(district=north)
    extra = UserFactory(district=south, email="family@example.com")
    UserFactory(district=south)

    broadcast = notify_audience(
        event="citizens.test",
        district_ids=[north.pk],
        also=[("tests.by_prefix", {"prefix": "family"})],
    )
    assert broadcast.audience["also"] == [["tests.by_prefix", {"prefix": "family"}]]
    assert recipients(broadcast) == sorted([home.pk, extra.pk])


def test_exclude_leaves_people_out():
    north = DistrictFactory()
    kept = UserFactory(district=north)
    UserFactory(district=north, email="muted@example.com")

    broadcast = notify_audience(
        event="citizens.test",
        district_ids=[north.pk],
        exclude=[("tests.by_prefix", {"prefix": "muted"})],
    )
    assert recipients(broadcast) == [kept.pk]


def test_also_without_districts_is_only_that_audience():
    wanted = UserFactory(email="family@example.com")
    UserFactory()
    broadcast = notify_audience(
        event="citizens.test", also=[("tests.by_prefix", {"prefix": "family"})]
    )
    assert recipients(broadcast) == [wanted.pk]


def test_unknown_audience_is_refused_before_anything_is_written():
    with pytest.raises(LookupError):
        notify_audience(event="citizens.test", also=[("tests.nope", {})])
