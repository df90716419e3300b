"""Every change to surveys and responses goes through these functions."""

from .announcing import survey_announce
from .building import (
    choice_change_check,
    question_change_check,
    question_delete_check,
    survey_has_responses,
)
from .common import SurveyError
from .responding import survey_questions, survey_respond

__all__ = [
    "SurveyError",
    "choice_change_check",
    "question_change_check",
    "question_delete_check",
    "survey_announce",
    "survey_has_responses",
    "survey_questions",
    "survey_respond",
]
