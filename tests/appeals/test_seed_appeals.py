"""seed_appeals: bulk appeals for load tests, public or as a year of staff work leaves them."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from appeals.models import Appeal, AppealRating
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


def test_workflow_mix_extends_reopens_and_rates_some(demo):
    call_command("seed_appeals", count=2000, mix="workflow", stdout=StringIO())

    seeded = Appeal.objects.exclude(pk__in=demo)
    extended = seeded.filter(deadline_extended=True)
    assert 60 < extended.count() < 300
    assert not extended.filter(extension_reason="").exists()
    assert seeded.filter(reopened=True, status=Status.ANSWERED).exists()
    rated = AppealRating.objects.filter(appeal__in=seeded)
    assert rated.exists()
    assert not rated.exclude(appeal__status=Status.CLOSED).exists()


def test_one_author_and_a_share_of_private_appeals(demo):
    call_command(
        "seed_appeals",
        count=400,
        mix="workflow",
        author="resident2@demo.mycity.test",
        private=80,
        stdout=StringIO(),
    )

    seeded = Appeal.objects.exclude(pk__in=demo)
    assert set(seeded.values_list("author__email", flat=True)) == {"resident2@demo.mycity.test"}
    assert 240 < seeded.filter(is_public=False).count() < 360


def test_bad_options_are_refused(demo):
    with pytest.raises(CommandError, match="percentage"):
        call_command("seed_appeals", count=10, private=101, stdout=StringIO())
    with pytest.raises(CommandError, match="No account"):
        call_command("seed_appeals", count=10, author="nobody@example.com", stdout=StringIO())
