"""A survey's responses stay equal to the people who took part when accounts go.

The rule (docs/operations.md, "Counters"): an account that took part is
erased as a tombstone, never hard-deleted; the daily check reports a survey
whose responses and participations differ. No fix: which response is whose
is not stored, on purpose.
"""

import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import ProtectedError

from citizens.models import User
from citizens.personal_data import user_erase
from mycity.tasks import check_counters
from surveys.models import Participation, Response
from surveys.services import survey_respond
from tests.factories import UserFactory, verify_email

from .conftest import answer_for

pytestmark = pytest.mark.django_db


def counted(survey) -> tuple[int, int]:
    return (
        Response.objects.filter(survey=survey).count(),
        Participation.objects.filter(survey=survey).count(),
    )


@pytest.fixture(params=[False, True], ids=["named", "anonymous"])
def answered(request, survey):
    """A survey three people answered, and those people."""
    survey.is_anonymous = request.param
    survey.save(update_fields=["is_anonymous"])
    people = UserFactory.create_batch(3)
    for person in people:
        verify_email(person)
        survey_respond(survey=survey, user=person, raw=answer_for(survey))
    return survey, people


def test_a_person_who_took_part_cannot_be_hard_deleted(answered):
    survey, people = answered

    with pytest.raises(ProtectedError):
        User.objects.filter(pk=people[0].pk).delete()

    assert User.objects.filter(pk=people[0].pk).exists()
    assert counted(survey) == (3, 3)


def test_erasing_a_person_who_took_part_keeps_both_counts(answered):
    survey, people = answered

    assert user_erase(user=people[0]) is True

    assert counted(survey) == (3, 3)
    assert not Response.objects.filter(respondent=people[0]).exists()  # unlinked


def test_the_check_reports_a_deleted_participation_and_cannot_fix_it(answered, capsys):
    survey, _people = answered
    Participation.objects.filter(survey=survey).first().delete()

    with pytest.raises(CommandError, match="1 counter"):
        call_command("check_counters", "--fix", "--only", "surveys.responses")

    assert f"surveys.responses {survey.slug}: stored 3, rows 2" in capsys.readouterr().out
    assert counted(survey) == (3, 2)


def test_the_daily_task_logs_a_difference_at_error_level(answered, caplog):
    survey, _people = answered
    Participation.objects.filter(survey=survey).first().delete()

    with caplog.at_level(logging.ERROR, logger="mycity.counters"):
        assert check_counters.apply().get() == 1

    assert [r.levelname for r in caplog.records if survey.slug in r.getMessage()] == ["ERROR"]


def test_the_daily_task_finds_nothing_when_every_count_is_right(answered, caplog):
    with caplog.at_level(logging.ERROR, logger="mycity.counters"):
        assert check_counters.apply().get() == 0
    assert not caplog.records
