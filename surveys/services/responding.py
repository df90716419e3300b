from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..answering import answer_rows, answers_validate
from ..models import Answer, Participation, Response, Survey
from ..selectors import answer_refusal
from .common import SurveyError


def survey_questions(survey: Survey) -> list:
    """The survey's questions in the order they are asked, with their options."""
    return list(survey.questions.order_by("page", "order", "pk").prefetch_related("choices"))


def survey_respond(*, survey: Survey, user, raw: dict, questions: list | None = None) -> Response:
    """Record `user`'s answers to `survey`, once.

    Checks that the survey is open and that the person is in its audience,
    then every answer (required, ranges, offered options, conditions). The
    participation row's unique constraint makes a second response fail even
    when two submits race; that failure is reported as "already answered".
    An anonymous survey's response carries no user and is stamped to the hour.
    Raises SurveyError.
    """
    refusal = answer_refusal(survey, user)
    if refusal:
        raise SurveyError(refusal)
    questions = questions if questions is not None else survey_questions(survey)
    checked = answers_validate(questions=questions, raw=raw)
    if not checked.ok:
        raise SurveyError(_("Some answers need your attention."), checked.errors)
    now = timezone.now()
    by_id = {question.pk: question for question in questions}
    try:
        with transaction.atomic():
            Participation.objects.create(survey=survey, user=user, day=timezone.localdate(now))
            response = Response.objects.create(
                survey=survey,
                respondent=None if survey.is_anonymous else user,
                district_id=user.district_id,
                language=translation.get_language() or "",
                submitted_at=now.replace(minute=0, second=0, microsecond=0)
                if survey.is_anonymous
                else now,
            )
            rows = []
            for question_id, value in checked.clean.items():
                for row in answer_rows(by_id[question_id], value):
                    row.response = response
                    rows.append(row)
            Answer.objects.bulk_create(rows)
    except IntegrityError:
        if Participation.objects.filter(survey=survey, user=user).exists():
            raise SurveyError(_("You have already answered this survey. Thank you!")) from None
        raise
    return response
