"""One response per person when submits race, against real PostgreSQL.

Each thread has its own connection. SQLite serialises writers on the whole
file and cannot show the race, so these run only on PostgreSQL.
"""

import pytest
from django.conf import settings

from surveys.models import Answer, Participation, Response
from surveys.services import SurveyError, survey_respond
from tests import concurrency
from tests.factories import UserFactory

from .conftest import answer_for
from .factories import SurveyFactory, question_with_choices

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="concurrent transactions need PostgreSQL (set DATABASE_URL)",
    ),
]


def at_once(calls) -> list[BaseException]:
    """Run every callable in its own thread, released together; return their errors."""
    return concurrency.at_once(calls)[1]


@pytest.mark.parametrize("anonymous", [True, False])
def test_one_person_submitting_eight_times_at_once_is_counted_once(anonymous):
    survey = SurveyFactory(is_anonymous=anonymous)
    question_with_choices(survey, required=True)
    person = UserFactory()
    raw = answer_for(survey)

    errors = at_once([lambda: survey_respond(survey=survey, user=person, raw=raw)] * 8)

    assert Participation.objects.filter(survey=survey).count() == 1
    assert Response.objects.filter(survey=survey).count() == 1
    assert Answer.objects.filter(response__survey=survey).count() == 1
    assert len(errors) == 7
    assert all(isinstance(error, SurveyError) for error in errors), errors


def test_many_people_at_once_are_all_counted():
    survey = SurveyFactory()
    question_with_choices(survey, required=True)
    people = UserFactory.create_batch(20)
    raw = answer_for(survey)

    errors = at_once([lambda p=p: survey_respond(survey=survey, user=p, raw=raw) for p in people])

    assert errors == []
    assert Response.objects.filter(survey=survey).count() == 20
