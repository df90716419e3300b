"""Shared data and helpers of the surveys API tests (tests/api/test_surveys_*.py).

Not a test module: the survey makers here are wrapped as fixtures by each test module
that needs them (`shelters`, `every_kind`), so no conftest is involved.
"""

import datetime as dt

from django.utils import timezone

from surveys.services import survey_questions, survey_respond
from tests.surveys.factories import QuestionFactory, SurveyFactory, question_with_choices

V1 = "/api/v1/surveys"


def closed_survey(**fields):
    """A published survey that ran for a month and closed yesterday, unless `fields` say."""
    now = timezone.now()
    fields = {
        "opens_at": now - dt.timedelta(days=30),
        "closes_at": now - dt.timedelta(days=1),
        **fields,
    }
    return SurveyFactory(**fields)


def answer(survey, user):
    """A response through the service: the first option of every single choice question."""
    raw = {
        str(q.pk): {"choice": str(q.choices.all()[0].pk)}
        for q in survey_questions(survey)
        if q.kind == "single"
    }
    return survey_respond(survey=survey, user=user, raw=raw)


def answer_closed(survey, user):
    """Answer while open, then close it (the service refuses closed surveys)."""
    closes = survey.closes_at
    survey.closes_at = timezone.now() + dt.timedelta(days=1)
    survey.save(update_fields=["closes_at"])
    answer(survey, user)
    survey.closes_at = closes
    survey.save(update_fields=["closes_at"])


def make_shelters():
    """An open, anonymous survey for anyone signed in, with a required single choice."""
    survey = SurveyFactory(
        slug="shelters", title_uk="Укриття", title_en="Shelters", results_visibility="live"
    )
    question_with_choices(survey, required=True, page=1)
    return survey


def make_every_kind():
    """A named survey with a question of every type, one conditional on a choice, one on yes."""
    survey = SurveyFactory(slug="every-kind", is_anonymous=False)
    q = {}
    q["single"] = question_with_choices(survey, "single", page=1, required=True, allow_other=True)
    q["multiple"] = question_with_choices(
        survey, "multiple", page=1, min_choices=1, max_choices=2, allow_other=True
    )
    q["ranking"] = question_with_choices(survey, "ranking", page=1)
    q["yes_no"] = QuestionFactory(survey=survey, kind="yes_no", page=1)
    q["rating"] = QuestionFactory(survey=survey, kind="rating", page=2, scale_max=10)
    q["number"] = QuestionFactory(
        survey=survey, kind="number", page=2, number_min=0, number_max="1000.5"
    )
    q["short_text"] = QuestionFactory(
        survey=survey,
        kind="short_text",
        page=2,
        condition_question=q["single"],
        condition_choice=q["single"].choices.all()[0],
    )
    q["long_text"] = QuestionFactory(
        survey=survey, kind="long_text", page=3, condition_question=q["yes_no"], condition_yes=True
    )
    return survey, q


def ids(question):
    """The ids of a question's options, in their order."""
    return [c.pk for c in question.choices.all()]
