"""Data for the schema fuzzing (tests/api/test_schema.py) of the surveys resources."""

import datetime as dt

from django.utils import timezone

from surveys.services import survey_respond
from tests.factories import DistrictFactory
from tests.surveys.factories import QuestionFactory, SurveyFactory, question_with_choices


def make_fuzz_data(*, resident, other_resident) -> None:
    """Rows the surveys resources can answer about, so the fuzzing reaches past empty lists.

    An open survey with a question of every type (and a condition) that the
    resident answered; a closed one with live results and an answer from
    the other resident; a survey for residents of a district; a draft.
    """
    now = timezone.now()
    open_survey = SurveyFactory(slug="fuzz-open", is_anonymous=False)
    single = question_with_choices(open_survey, "single", page=1, required=True, allow_other=True)
    question_with_choices(open_survey, "multiple", page=1, min_choices=1, max_choices=2)
    question_with_choices(open_survey, "ranking", page=1)
    yes_no = QuestionFactory(survey=open_survey, kind="yes_no", page=1)
    QuestionFactory(survey=open_survey, kind="rating", page=2, scale_max=10)
    QuestionFactory(survey=open_survey, kind="number", page=2, number_min=0, number_max=1000)
    QuestionFactory(
        survey=open_survey,
        kind="short_text",
        page=2,
        condition_question=single,
        condition_choice=single.choices.first(),
    )
    QuestionFactory(
        survey=open_survey, kind="long_text", page=3, condition_question=yes_no, condition_yes=True
    )
    choice = single.choices.first()
    survey_respond(
        survey=open_survey, user=resident, raw={str(single.pk): {"choice": str(choice.pk)}}
    )

    closed = SurveyFactory(
        slug="fuzz-closed",
        opens_at=now - dt.timedelta(days=20),
        closes_at=now + dt.timedelta(days=1),
        results_visibility="after_close",
    )
    question = question_with_choices(closed, "single", required=True)
    survey_respond(
        survey=closed,
        user=other_resident,
        raw={str(question.pk): {"choice": str(question.choices.first().pk)}},
    )
    closed.closes_at = now - dt.timedelta(days=1)
    closed.save(update_fields=["closes_at"])

    SurveyFactory(slug="fuzz-district", audience="districts", districts=[DistrictFactory()])
    SurveyFactory(slug="fuzz-draft", is_published=False)
