"""Issue 20: the surveys' pages make as many queries at 30 rows as at 3, and at most 10.

The pattern and the helper are in tests/query_counts.py. Surveys carry
districts, questions of every kind with their options, and responses.
"""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from surveys.models import Kind, Survey
from surveys.services.responding import survey_respond
from tests.factories import DistrictFactory, UserFactory
from tests.query_counts import assert_flat, counts_at_growing_data

from .conftest import answer_for
from .factories import QuestionFactory, SurveyFactory, question_with_choices

pytestmark = pytest.mark.django_db

VIEWERS = ["anonymous", "resident"]
KINDS = [Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING, Kind.RATING, Kind.YES_NO, Kind.NUMBER]
KINDS += [Kind.SHORT_TEXT, Kind.LONG_TEXT]


def add_questions(survey: Survey, n: int) -> None:
    """n more questions, the kinds in turn, choice questions with three options."""
    kinds = itertools.islice(itertools.cycle(KINDS), survey.questions.count(), None)
    for kind in itertools.islice(kinds, n):
        if kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING):
            question_with_choices(survey, kind=kind, page=1)
        elif kind == Kind.RATING:
            QuestionFactory(survey=survey, kind=kind, scale_max=5, page=1)
        else:
            QuestionFactory(survey=survey, kind=kind, page=1)


def add_responses(survey: Survey, n: int) -> None:
    for person in UserFactory.create_batch(n):
        survey_respond(survey=survey, user=person, raw=answer_for(survey))


def add_surveys(n: int, *, respondent=None) -> list[Survey]:
    """n open and n closed surveys, each for two districts of its own, with two questions."""
    made = []
    for i in range(n):
        for closes_at in (timezone.now() + dt.timedelta(days=7), None):
            survey = SurveyFactory(districts=[DistrictFactory(), DistrictFactory()])
            add_questions(survey, 2)
            if respondent is not None:
                survey_respond(survey=survey, user=respondent, raw=answer_for(survey))
            if closes_at is None:
                Survey.objects.filter(pk=survey.pk).update(
                    opens_at=timezone.now() - dt.timedelta(days=30),
                    closes_at=timezone.now() - dt.timedelta(hours=i + 1),
                )
            made.append(survey)
    return made


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_survey_list_does_not_grow(request, client_for, viewer):
    client = client_for(request.getfixturevalue(viewer))
    assert_flat(counts_at_growing_data(client, "/surveys/", seed=add_surveys))


@pytest.fixture
def open_survey(db):
    """An open survey with a question of every kind: each kind's figures are there at any size."""
    survey = SurveyFactory(slug="lights", districts=[DistrictFactory(), DistrictFactory()])
    add_questions(survey, len(KINDS))
    return survey


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_survey_page_does_not_grow(request, client_for, open_survey, viewer):
    def seed(n):
        add_questions(open_survey, n)
        add_responses(open_survey, n)

    client = client_for(request.getfixturevalue(viewer))
    assert_flat(counts_at_growing_data(client, "/surveys/lights/", seed=seed))


@pytest.mark.parametrize("viewer", VIEWERS)
def test_survey_results_do_not_grow(request, client_for, open_survey, viewer):
    """Questions of every kind, each answered by every respondent."""

    def seed(n):
        add_questions(open_survey, n)
        add_responses(open_survey, n)

    client = client_for(request.getfixturevalue(viewer))
    assert_flat(counts_at_growing_data(client, "/surveys/lights/results/", seed=seed))


def test_my_surveys_do_not_grow(client_for, resident):
    seed = lambda n: add_surveys(n, respondent=resident)  # noqa: E731
    assert_flat(counts_at_growing_data(client_for(resident), "/me/surveys/", seed=seed))
