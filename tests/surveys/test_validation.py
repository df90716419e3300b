"""Every question type's rules, checked on the server (answers_validate / survey_respond)."""

from decimal import Decimal

import pytest

from surveys.answering import answers_validate, question_validate
from surveys.models import Answer, Response
from surveys.services import SurveyError, survey_questions, survey_respond

from .factories import QuestionFactory, SurveyFactory, question_with_choices

pytestmark = pytest.mark.django_db


def check(question, raw):
    question = type(question).objects.prefetch_related("choices").get(pk=question.pk)
    return question_validate(question, raw)


def first_choice(question):
    return question.choices.order_by("order").first()


# --- single choice -------------------------------------------------------------


def test_single_choice_takes_an_offered_option():
    question = question_with_choices(SurveyFactory())
    value, errors = check(question, {"choice": str(first_choice(question).pk)})
    assert errors == []
    assert value == first_choice(question).pk


def test_single_choice_refuses_a_tampered_option_id(english):
    question = question_with_choices(SurveyFactory())
    elsewhere = question_with_choices(SurveyFactory())
    for tampered in [str(first_choice(elsewhere).pk), "999999", "abc", "1; DROP TABLE"]:
        value, errors = check(question, {"choice": tampered})
        assert value is None
        assert errors == ["This option is not offered in this question. Please choose again."]


def test_required_question_without_answer_is_refused(english):
    question = question_with_choices(SurveyFactory(), required=True)
    assert check(question, {"choice": ""}) == (None, ["Please answer this question."])
    assert check(question, None) == (None, ["Please answer this question."])


def test_optional_question_may_be_left_empty():
    question = question_with_choices(SurveyFactory())
    assert check(question, {"choice": ""}) == (None, [])


def test_other_please_specify_needs_its_text(english):
    question = question_with_choices(SurveyFactory(), allow_other=True)
    assert check(question, {"choice": "other", "other": "  "}) == (
        None,
        ["Please say what your “other” answer is."],
    )
    assert check(question, {"choice": "other", "other": "Генератор"}) == (
        ("other", "Генератор"),
        [],
    )


def test_other_is_refused_where_not_offered(english):
    question = question_with_choices(SurveyFactory(), allow_other=False)
    _value, errors = check(question, {"choice": "other", "other": "x"})
    assert errors == ["This option is not offered in this question. Please choose again."]


def test_error_messages_are_in_ukrainian_by_default():
    question = question_with_choices(SurveyFactory(), required=True)
    _value, errors = check(question, {"choice": ""})
    assert errors == ["Будь ласка, дайте відповідь на це питання."]


# --- multiple choice -------------------------------------------------------------


def test_multiple_choice_min_and_max(english):
    question = question_with_choices(
        SurveyFactory(), kind="multiple", labels="ABCD", min_choices=2, max_choices=3
    )
    ids = [str(pk) for pk in question.choices.values_list("pk", flat=True)]
    assert check(question, {"choices": ids[:1]})[1] == ["Please choose at least 2 options."]
    assert check(question, {"choices": ids})[1] == ["Please choose no more than 3 options."]
    value, errors = check(question, {"choices": ids[:2]})
    assert errors == []
    assert value == ([int(ids[0]), int(ids[1])], "")


def test_multiple_choice_counts_other_and_ignores_repeats(english):
    question = question_with_choices(
        SurveyFactory(), kind="multiple", labels="AB", max_choices=2, allow_other=True
    )
    ids = [str(pk) for pk in question.choices.values_list("pk", flat=True)]
    assert check(question, {"choices": [ids[0], ids[0]]})[0] == ([int(ids[0])], "")
    _v, errors = check(question, {"choices": [*ids, "other"], "other": "Ще"})
    assert errors == ["Please choose no more than 2 options."]


def test_multiple_choice_refuses_a_tampered_id(english):
    question = question_with_choices(SurveyFactory(), kind="multiple")
    ids = [str(pk) for pk in question.choices.values_list("pk", flat=True)]
    _v, errors = check(question, {"choices": [ids[0], "424242"]})
    assert errors == ["This option is not offered in this question. Please choose again."]


# --- rating, yes/no, number, texts -------------------------------------------------


@pytest.mark.parametrize(
    ("scale", "raw", "ok"),
    [
        (5, "1", True),
        (5, "5", True),
        (5, "6", False),
        (5, "0", False),
        (10, "10", True),
        (10, "11", False),
        (5, "x", False),
        (5, "2.5", False),
    ],
)
def test_rating_stays_on_its_scale(english, scale, raw, ok):
    question = QuestionFactory(kind="rating", scale_max=scale)
    value, errors = check(question, raw)
    if ok:
        assert errors == []
        assert value == int(raw)
    else:
        assert errors == [f"Please choose a rating from 1 to {scale}."]


def test_yes_no(english):
    question = QuestionFactory(kind="yes_no", required=True)
    assert check(question, "yes") == (True, [])
    assert check(question, "no") == (False, [])
    assert check(question, "maybe") == (None, ["Please answer yes or no."])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", Decimal("12")),
        ("3,5", Decimal("3.5")),
        ("1 200", Decimal("1200")),
        ("abc", "Please enter a number, for example 12 or 3.5."),
        ("NaN", "Please enter a number, for example 12 or 3.5."),
        ("1e20", "Please enter a number, for example 12 or 3.5."),
        ("1.234", "Use at most two digits after the decimal point."),
        ("-1", "Please enter a number from 0 to 2000."),
        ("2001", "Please enter a number from 0 to 2000."),
    ],
)
def test_number_rules(english, raw, expected):
    question = QuestionFactory(kind="number", number_min=0, number_max=2000)
    value, errors = check(question, raw)
    if isinstance(expected, Decimal):
        assert (value, errors) == (expected, [])
    else:
        assert errors == [expected]


def test_number_with_only_a_lower_bound(english):
    question = QuestionFactory(kind="number", number_min=1)
    assert check(question, "0")[1] == ["Please enter 1 or more."]


def test_texts_have_length_limits(english):
    short = QuestionFactory(kind="short_text")
    long = QuestionFactory(kind="long_text")
    assert check(short, "  Світло  ") == ("Світло", [])
    assert check(short, "я" * 201)[1] == ["Please keep it within 200 characters."]
    assert check(long, "я" * 5000)[1] == []
    assert check(long, "я" * 5001)[1] == ["Please keep it within 5000 characters."]


# --- ranking -------------------------------------------------------------------


def test_ranking_needs_each_place_once(english):
    question = question_with_choices(SurveyFactory(), kind="ranking", labels="ABC")
    a, b, c = question.choices.values_list("pk", flat=True)
    assert check(question, {str(a): "2", str(b): "1", str(c): "3"}) == ([b, a, c], [])
    assert check(question, {str(a): "1", str(b): "1", str(c): "3"})[1] == [
        "Give each place from 1 to 3 to exactly one option."
    ]
    assert check(question, {str(a): "1", str(b): "", str(c): ""})[1] == [
        "Please give every option a place, or none of them."
    ]
    assert check(question, {str(a): "1", str(b): "2", str(c): "9"})[1] == [
        "Give each place from 1 to 3 to exactly one option."
    ]
    assert check(question, {str(a): "", str(b): "", str(c): ""}) == (None, [])


# --- conditional logic -------------------------------------------------------------


def test_a_question_is_asked_only_when_its_condition_matches(english):
    survey = SurveyFactory()
    has_car = QuestionFactory(survey=survey, kind="yes_no", required=True, page=1)
    trips = QuestionFactory(
        survey=survey,
        kind="number",
        required=True,
        page=2,
        condition_question=has_car,
        condition_yes=True,
    )
    questions = survey_questions(survey)
    without = answers_validate(questions=questions, raw={str(has_car.pk): "no"})
    assert without.ok
    assert trips.pk not in without.visible
    with_car = answers_validate(questions=questions, raw={str(has_car.pk): "yes"})
    assert with_car.errors == {trips.pk: ["Please answer this question."]}


def test_a_hidden_questions_answer_is_dropped():
    survey = SurveyFactory()
    where = question_with_choices(survey, labels=("Вдома", "В укритті"), page=1)
    home, shelter = where.choices.values_list("pk", flat=True)
    why = QuestionFactory(
        survey=survey,
        kind="short_text",
        page=2,
        condition_question=where,
        condition_choice_id=shelter,
    )
    questions = survey_questions(survey)
    checked = answers_validate(
        questions=questions,
        raw={str(where.pk): {"choice": str(home)}, str(why.pk): "бо тепло"},
    )
    assert checked.ok
    assert why.pk not in checked.clean


def test_condition_on_a_multiple_choice_option():
    survey = SurveyFactory()
    needs = question_with_choices(survey, kind="multiple", labels=("Вода", "Світло"), page=1)
    water, light = needs.choices.values_list("pk", flat=True)
    hours = QuestionFactory(
        survey=survey,
        kind="number",
        required=True,
        page=2,
        condition_question=needs,
        condition_choice_id=light,
    )
    questions = survey_questions(survey)
    raw = {str(needs.pk): {"choices": [str(water), str(light)]}}
    assert hours.pk in answers_validate(questions=questions, raw=raw).errors
    raw = {str(needs.pk): {"choices": [str(water)]}}
    assert answers_validate(questions=questions, raw=raw).ok


def test_survey_respond_refuses_bad_answers_and_saves_nothing(resident, english):
    survey = SurveyFactory()
    question = QuestionFactory(survey=survey, kind="rating", required=True)
    with pytest.raises(SurveyError) as refused:
        survey_respond(survey=survey, user=resident, raw={str(question.pk): "7"})
    assert refused.value.errors == {question.pk: ["Please choose a rating from 1 to 5."]}
    assert Response.objects.count() == 0
    assert Answer.objects.count() == 0


def test_answers_are_stored_one_row_per_value(resident):
    survey = SurveyFactory()
    multi = question_with_choices(survey, kind="multiple", labels="ABC", allow_other=True)
    rank = question_with_choices(survey, kind="ranking", labels="XY")
    yes = QuestionFactory(survey=survey, kind="yes_no")
    a, b, _c = multi.choices.values_list("pk", flat=True)
    x, y = rank.choices.values_list("pk", flat=True)
    survey_respond(
        survey=survey,
        user=resident,
        raw={
            str(multi.pk): {"choices": [str(a), str(b), "other"], "other": "Генератор"},
            str(rank.pk): {str(x): "2", str(y): "1"},
            str(yes.pk): "no",
        },
    )
    rows = set(Answer.objects.values_list("question_id", "choice_id", "number", "text"))
    assert rows == {
        (multi.pk, a, None, ""),
        (multi.pk, b, None, ""),
        (multi.pk, None, None, "Генератор"),
        (rank.pk, y, Decimal(1), ""),
        (rank.pk, x, Decimal(2), ""),
        (yes.pk, None, Decimal(0), ""),
    }
