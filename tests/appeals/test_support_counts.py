"""A proposal's support counter stays equal to its rows when accounts go.

The rule (docs/operations.md, "Counters"): an account that supported is
erased as a tombstone, never hard-deleted; the daily check reports any
counter that still drifts, and `check_counters --fix` recounts it.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import ProtectedError
from django.urls import reverse

from appeals.models import Appeal, ProposalSupport
from appeals.services import transition
from appeals.services.proposals import proposal_support
from appeals.workflow import MODERATOR, Action
from citizens.models import User
from citizens.notifications.models import Notification
from citizens.personal_data import user_erase
from tests.factories import CategoryFactory, UserFactory, submit_appeal

pytestmark = pytest.mark.django_db


def make_proposal(author, category=None) -> Appeal:
    appeal = submit_appeal(author, category, kind="proposal")
    return transition(appeal=appeal, action=Action.ACCEPT, actor=None, role=MODERATOR)


def counted(appeal) -> tuple[int, int]:
    return (
        Appeal.objects.get(pk=appeal.pk).support_count,
        ProposalSupport.objects.filter(appeal=appeal).count(),
    )


@pytest.fixture
def supported(resident):
    """A proposal with three supports, and its supporters."""
    proposal = make_proposal(resident)
    people = UserFactory.create_batch(3)
    for person in people:
        proposal_support(appeal=proposal, user=person)
    return proposal, people


def test_a_supporter_cannot_be_hard_deleted(supported):
    proposal, people = supported

    with pytest.raises(ProtectedError):
        User.objects.filter(pk=people[0].pk).delete()

    assert User.objects.filter(pk=people[0].pk).exists()
    assert counted(proposal) == (3, 3)


def test_the_admin_refuses_to_delete_a_supporter(supported, client_for, superuser):
    proposal, people = supported
    url = reverse("admin:citizens_user_delete", args=[people[0].pk])

    response = client_for(superuser).post(url, {"post": "yes"})

    assert response.status_code == 200  # the page lists what protects the account
    assert response.context["protected"]
    assert User.objects.filter(pk=people[0].pk).exists()
    assert counted(proposal) == (3, 3)


def test_an_account_that_never_supported_can_still_be_deleted(supported):
    proposal, _people = supported
    stranger = UserFactory()

    stranger.delete()

    assert not User.objects.filter(pk=stranger.pk).exists()
    assert counted(proposal) == (3, 3)


def test_erasing_a_supporter_keeps_the_support_counted(supported):
    proposal, people = supported

    assert user_erase(user=people[0]) is True

    assert counted(proposal) == (3, 3)
    assert ProposalSupport.objects.filter(appeal=proposal, user=people[0]).exists()


def test_the_check_finds_a_planted_difference_and_fix_repairs_it(supported, capsys, caplog):
    proposal, _people = supported
    Appeal.objects.filter(pk=proposal.pk).update(support_count=198)

    with pytest.raises(CommandError, match="1 counter"):
        call_command("check_counters")
    out = capsys.readouterr().out
    assert f"appeals.support_count {proposal.reference}: stored 198, rows 3" in out
    assert any(
        r.levelname == "ERROR" and proposal.reference in r.getMessage() for r in caplog.records
    )
    assert counted(proposal) == (198, 3)  # a report changes nothing

    call_command("check_counters", "--fix")
    assert "fixed to 3" in capsys.readouterr().out
    assert counted(proposal) == (3, 3)

    call_command("check_counters")
    assert "All counters match their rows." in capsys.readouterr().out


def test_a_recount_that_reaches_the_threshold_marks_it_once(settings, resident, capsys):
    settings.PROPOSAL_SUPPORT_THRESHOLD = 2
    proposal = make_proposal(resident, CategoryFactory(support_threshold=None))
    proposal_support(appeal=proposal, user=UserFactory())
    # A row the counter missed (as after a bad restore): two supports, counted one.
    ProposalSupport.objects.create(appeal=proposal, user=UserFactory())
    assert Appeal.objects.get(pk=proposal.pk).threshold_reached_at is None
    told = Notification.objects.filter(event="appeals.status_changed", recipient=resident)
    before = told.count()

    call_command("check_counters", "--fix", "--only", "appeals.support_count")
    reached = Appeal.objects.get(pk=proposal.pk).threshold_reached_at
    call_command("check_counters", "--fix", "--only", "appeals.support_count")

    proposal.refresh_from_db()
    assert proposal.support_count == 2
    assert reached is not None
    assert proposal.threshold_reached_at == reached
    assert capsys.readouterr().out.endswith("All counters match their rows.\n")
    assert told.count() == before + 1  # the author hears it once, as when a support reaches it


def test_an_unknown_check_is_refused():
    with pytest.raises(CommandError, match="unknown counter checks: nope"):
        call_command("check_counters", "--only", "nope")
