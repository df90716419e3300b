"""Reading and checking a person's answers: every rule of every question type.

The answer page and `survey_respond` both go through `answers_validate`, so
a rule lives here once. Raw answers are what the form posted (strings, kept
in the session between screens); clean answers are typed values:

- single choice: a choice id, or ("other", text)
- multiple choice: (list of choice ids, other text or "")
- ranking: list of choice ids, first place first
- rating: int; yes/no: bool; number: Decimal; texts: str
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Answer, Kind, Question

OTHER = "other"
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 5000
NUMBER_LIMIT = Decimal(10) ** 12


def field_name(question: Question, suffix: str = "") -> str:
    return f"q{question.pk}{suffix}"


def raw_from_post(questions: list[Question], data: QueryDict) -> dict[str, object]:
    """The posted answers to `questions`, as JSON-safe raw values keyed by question id."""
    raw: dict[str, object] = {}
    for question in questions:
        name = field_name(question)
        if question.kind == Kind.MULTIPLE:
            value = {"choices": data.getlist(name)[:100], "other": data.get(name + "_other", "")}
        elif question.kind == Kind.SINGLE:
            value = {"choice": data.get(name, ""), "other": data.get(name + "_other", "")}
        elif question.kind == Kind.RANKING:
            value = {
                str(choice.pk): data.get(f"{name}_r{choice.pk}", "")
                for choice in question.choices.all()
            }
        else:
            value = data.get(name, "")
        raw[str(question.pk)] = value
    return raw


@dataclass
class Checked:
    clean: dict[int, object] = field(default_factory=dict)
    errors: dict[int, list[str]] = field(default_factory=dict)
    visible: set[int] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors


def is_visible(question: Question, clean: dict[int, object], visible: set[int]) -> bool:
    """Whether the question is asked, given the clean answers to earlier questions."""
    condition_id = question.condition_question_id
    if condition_id is None:
        return True
    if condition_id not in visible:
        return False
    answer = clean.get(condition_id)
    if answer is None:
        return False
    if question.condition_yes is not None:
        return answer is question.condition_yes
    if isinstance(answer, tuple) and isinstance(answer[0], list):  # multiple choice
        return question.condition_choice_id in answer[0]
    return answer == question.condition_choice_id


def answers_validate(*, questions: list[Question], raw: dict, only: set[int] | None = None):
    """Check the raw answers to `questions` (ordered by screen, then order).

    `only`: check these questions' rules (one screen), but still read earlier
    answers for conditions. Questions not shown by their condition are not
    checked and their answers are dropped.
    """
    checked = Checked()
    for question in questions:
        if not is_visible(question, checked.clean, checked.visible):
            continue
        checked.visible.add(question.pk)
        value, errors = question_validate(question, raw.get(str(question.pk)))
        if errors:
            if only is None or question.pk in only:
                checked.errors[question.pk] = errors
            continue
        if value is not None:
            checked.clean[question.pk] = value
    return checked


def question_validate(question: Question, raw) -> tuple[object, list[str]]:
    """(clean value or None when unanswered, error messages) for one question."""
    checker = _CHECKERS[question.kind]
    try:
        value = checker(question, raw)
    except _RefusedError as refused:
        return None, [str(refused)]
    if value is None and question.required:
        return None, [_("Please answer this question.")]
    return value, []


class _RefusedError(Exception):
    pass


def _text(raw) -> str:
    return raw.strip() if isinstance(raw, str) else ""


def _choice_id(question: Question, raw) -> int:
    ids = {choice.pk for choice in question.choices.all()}
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = None
    if value not in ids:
        raise _RefusedError(_("This option is not offered in this question. Please choose again."))
    return value


def _single(question, raw):
    raw = raw if isinstance(raw, dict) else {}
    picked = _text(raw.get("choice"))
    if not picked:
        return None
    if picked == OTHER and question.allow_other:
        other = _text(raw.get("other"))
        if not other:
            raise _RefusedError(_("Please say what your “other” answer is."))
        if len(other) > SHORT_TEXT_MAX:
            raise _RefusedError(_too_long(SHORT_TEXT_MAX))
        return (OTHER, other)
    return _choice_id(question, picked)


def _multiple(question, raw):
    raw = raw if isinstance(raw, dict) else {}
    picked = [_text(value) for value in raw.get("choices") or [] if _text(value)]
    other = ""
    if OTHER in picked and question.allow_other:
        picked.remove(OTHER)
        other = _text(raw.get("other"))
        if not other:
            raise _RefusedError(_("Please say what your “other” answer is."))
        if len(other) > SHORT_TEXT_MAX:
            raise _RefusedError(_too_long(SHORT_TEXT_MAX))
    ids = list(dict.fromkeys(_choice_id(question, value) for value in picked))
    count = len(ids) + (1 if other else 0)
    if count == 0:
        return None
    if question.min_choices and count < question.min_choices:
        raise _RefusedError(
            ngettext(
                "Please choose at least %(count)d option.",
                "Please choose at least %(count)d options.",
                question.min_choices,
            )
            % {"count": question.min_choices}
        )
    if question.max_choices and count > question.max_choices:
        raise _RefusedError(
            ngettext(
                "Please choose no more than %(count)d option.",
                "Please choose no more than %(count)d options.",
                question.max_choices,
            )
            % {"count": question.max_choices}
        )
    return (ids, other)


def _ranking(question, raw):
    raw = raw if isinstance(raw, dict) else {}
    choices = [choice.pk for choice in question.choices.all()]
    places = {}
    for choice_id in choices:
        value = _text(raw.get(str(choice_id)))
        if value:
            try:
                places[choice_id] = int(value)
            except ValueError:
                raise _RefusedError(_("Places are whole numbers.")) from None
    if not places:
        return None
    if len(places) != len(choices):
        raise _RefusedError(_("Please give every option a place, or none of them."))
    if sorted(places.values()) != list(range(1, len(choices) + 1)):
        raise _RefusedError(
            _("Give each place from 1 to %(count)d to exactly one option.")
            % {"count": len(choices)}
        )
    return sorted(choices, key=places.__getitem__)


def _rating(question, raw):
    value = _text(raw)
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= question.scale_max:
        raise _RefusedError(
            _("Please choose a rating from 1 to %(max)d.") % {"max": question.scale_max}
        )
    return number


def _yes_no(question, raw):
    value = _text(raw)
    if not value:
        return None
    if value not in ("yes", "no"):
        raise _RefusedError(_("Please answer yes or no."))
    return value == "yes"


def _number(question, raw):
    value = _text(raw).replace(",", ".").replace(" ", "")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise _RefusedError(_("Please enter a number, for example 12 or 3.5.")) from None
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        raise _RefusedError(_("Please enter a number, for example 12 or 3.5."))
    if number != number.quantize(Decimal("0.01")):
        raise _RefusedError(_("Use at most two digits after the decimal point."))
    low, high = question.number_min, question.number_max
    if low is not None and high is not None and not low <= number <= high:
        raise _RefusedError(
            _("Please enter a number from %(min)s to %(max)s.")
            % {"min": _plain(low), "max": _plain(high)}
        )
    if low is not None and number < low:
        raise _RefusedError(_("Please enter %(min)s or more.") % {"min": _plain(low)})
    if high is not None and number > high:
        raise _RefusedError(_("Please enter %(max)s or less.") % {"max": _plain(high)})
    return number


def _plain(number: Decimal) -> str:
    return f"{number.normalize():f}"


def _too_long(limit: int) -> str:
    return ngettext(
        "Please keep it within %(limit)d character.",
        "Please keep it within %(limit)d characters.",
        limit,
    ) % {"limit": limit}


def _short_text(question, raw):
    value = _text(raw)
    if len(value) > SHORT_TEXT_MAX:
        raise _RefusedError(_too_long(SHORT_TEXT_MAX))
    return value or None


def _long_text(question, raw):
    value = _text(raw)
    if len(value) > LONG_TEXT_MAX:
        raise _RefusedError(_too_long(LONG_TEXT_MAX))
    return value or None


_CHECKERS = {
    Kind.SINGLE: _single,
    Kind.MULTIPLE: _multiple,
    Kind.RANKING: _ranking,
    Kind.RATING: _rating,
    Kind.YES_NO: _yes_no,
    Kind.NUMBER: _number,
    Kind.SHORT_TEXT: _short_text,
    Kind.LONG_TEXT: _long_text,
}


def answer_rows(question: Question, value) -> list[Answer]:
    """Unsaved Answer rows (without their response) for one clean answer."""
    kind = question.kind
    if kind == Kind.SINGLE:
        if isinstance(value, tuple):
            return [Answer(question=question, text=value[1])]
        return [Answer(question=question, choice_id=value)]
    if kind == Kind.MULTIPLE:
        ids, other = value
        rows = [Answer(question=question, choice_id=pk) for pk in ids]
        if other:
            rows.append(Answer(question=question, text=other))
        return rows
    if kind == Kind.RANKING:
        return [
            Answer(question=question, choice_id=pk, number=place)
            for place, pk in enumerate(value, start=1)
        ]
    if kind == Kind.YES_NO:
        return [Answer(question=question, number=1 if value else 0)]
    if kind in (Kind.RATING, Kind.NUMBER):
        return [Answer(question=question, number=value)]
    return [Answer(question=question, text=value)]
