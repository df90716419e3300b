"""seed_appeals: bulk appeals for load tests, public or as a year of staff work leaves them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from appeals.models import Appeal
from appeals.workflow import PUBLIC_STATUSES, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=StringIO())
    return set(Appeal.objects.values_list("pk", flat=True))


def test_public_mix_files_public_appeals(demo):
    call_command("seed_appeals", count=300, stdout=StringIO())

    seeded = Appeal.objects.exclude(pk__in=demo)
    assert seeded.count() == 300
    assert set(seeded.values_list("status", flat=True)) <= PUBLIC_STATUSES
    assert not seeded.filter(is_public=False).exists()
    assert not seeded.filter(search_text="").exists()


def test_workflow_mix_spreads_statuses_as_staff_work_leaves_them(demo):
    call_command("seed_appeals", count=2000, mix="workflow", stdout=StringIO())

    seeded = Appeal.objects.exclude(pk__in=demo)
    statuses = list(seeded.values_list("status", flat=True))
    done = sum(s in (Status.ANSWERED, Status.CLOSED) for s in statuses)
    assert done > len(statuses) / 2
    assert Status.MODERATION in statuses
    assert seeded.overdue(timezone.localdate()).exists()
    answered = seeded.filter(status__in=[Status.ANSWERED, Status.CLOSED])
    assert not answered.filter(answered_at__isnull=True).exists()
    assert not seeded.filter(status=Status.CLOSED, closed_at__isnull=True).exists()
    assert seeded.filter(assignee__isnull=False).exists()
