"""What survey managers may change once people have answered.

Answers point at questions and options, and results compare everyone's
answers: after the first response only wording may change (typos,
translations) and optional questions may be added. These checks run in the
admin's forms, and in the services for scripts and tests.
"""

from django.utils.translation import gettext as _

from ..models import Choice, Question, Response, Survey
from .common import SurveyError

# Changing any of these changes what earlier answers mean.
LOCKED_QUESTION_FIELDS = (
    "kind",
    "required",
    "allow_other",
    "min_choices",
    "max_choices",
    "scale_max",
    "number_min",
    "number_max",
    "page",
    "condition_question",
    "condition_choice",
    "condition_yes",
)


def survey_has_responses(survey: Survey | int | None) -> bool:
    if survey is None:
        return False
    pk = getattr(survey, "pk", survey)
    return pk is not None and Response.objects.filter(survey_id=pk).exists()


def question_change_check(*, question: Question, changed: list[str] | None = None) -> None:
    """Refuse a change to `question` that would break the answers already given."""
    if not survey_has_responses(question.survey_id):
        return
    if question.pk is None:
        if question.required:
            raise SurveyError(
                _("People have already answered this survey: a new question must be optional.")
            )
        return
    locked = [name for name in changed or [] if name in LOCKED_QUESTION_FIELDS]
    if locked:
        labels = ", ".join(str(Question._meta.get_field(name).verbose_name) for name in locked)
        raise SurveyError(
            _(
                "People have already answered this survey: only the wording of a question "
                "can change, not %(fields)s."
            )
            % {"fields": labels}
        )


def question_delete_check(*, question: Question) -> None:
    if survey_has_responses(question.survey_id):
        raise SurveyError(
            _("People have already answered this survey: its questions cannot be deleted.")
        )


def choice_change_check(*, choice: Choice, deleting: bool = False, changed=None) -> None:
    """Options of an answered survey keep their meaning: wording only."""
    if not survey_has_responses(choice.question.survey_id if choice.question_id else None):
        return
    if choice.pk is None:
        raise SurveyError(_("People have already answered this survey: options cannot be added."))
    if deleting:
        raise SurveyError(_("People have already answered this survey: options cannot be deleted."))
    if changed and "order" in changed:
        raise SurveyError(
            _("People have already answered this survey: options cannot be reordered.")
        )
