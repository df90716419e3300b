"""The API's JSON answers as the raw answers the web answering form posts.

surveys.answering reads raw answers (strings, as a form posts them, keyed by
question id: see raw_from_post) and holds every rule of every question type;
here the JSON an app sends becomes that shape and nothing more. A value of
the wrong JSON type, or an answer to a question the survey does not have,
is refused here, since no form could post it.
"""

from django.utils.translation import gettext as _

from ..models import Kind

MAX_PICKED = 100  # as raw_from_post: a tampered list is not read past this


class _WrongFormError(Exception):
    pass


def raw_from_json(questions: list, answers: dict) -> tuple[dict, dict[str, list[str]]]:
    """(raw answers for answers_validate/survey_respond, errors by question id)."""
    by_id = {str(question.pk): question for question in questions}
    raw: dict[str, object] = {}
    errors: dict[str, list[str]] = {}
    for key, value in answers.items():
        question = by_id.get(str(key))
        if question is None:
            errors[str(key)] = [_("This survey has no such question.")]
            continue
        try:
            if question.kind == Kind.RANKING:
                raw[str(question.pk)] = _ranking(value, question)
            else:
                raw[str(question.pk)] = _CONVERT[question.kind](value)
        except _WrongFormError:
            errors[str(key)] = [_("This answer does not have the form this question takes.")]
    return raw, errors


def _scalar(value) -> str:
    """A string or a number, as the text a form field would post."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _WrongFormError
    return str(value)


def _id(value) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _WrongFormError
    return str(value)


def _text(value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _WrongFormError
    return value


def _single(value) -> dict:
    if isinstance(value, dict):
        choice = value.get("choice")
        return {"choice": "" if choice is None else _id(choice), "other": _text(value.get("other"))}
    return {"choice": "" if value is None else _id(value), "other": ""}


def _multiple(value) -> dict:
    other = ""
    if isinstance(value, dict):
        other = _text(value.get("other"))
        value = value.get("choices")
    if value is None:
        value = []
    if not isinstance(value, list):
        raise _WrongFormError
    return {"choices": [_id(item) for item in value[:MAX_PICKED]], "other": other}


def _ranking(value, question) -> dict:
    """Option ids first place first, or {option id: place} as the web form posts.

    A list is an order of this question's options: an id that is not one of
    them, or one twice, is not an order (the form has one place per option).
    """
    if value is None:
        return {}
    if isinstance(value, dict):
        return {_id(key): _scalar(place) for key, place in list(value.items())[:MAX_PICKED]}
    if not isinstance(value, list):
        raise _WrongFormError
    offered = {str(choice.pk) for choice in question.choices.all()}
    ids = [_id(item) for item in value[:MAX_PICKED]]
    if len(set(ids)) != len(ids) or not set(ids) <= offered:
        raise _WrongFormError
    return {item: str(place) for place, item in enumerate(ids, start=1)}


def _yes_no(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _text(value)


_CONVERT = {
    Kind.SINGLE: _single,
    Kind.MULTIPLE: _multiple,
    Kind.RATING: _scalar,
    Kind.YES_NO: _yes_no,
    Kind.NUMBER: _scalar,
    Kind.SHORT_TEXT: _text,
    Kind.LONG_TEXT: _text,
}
