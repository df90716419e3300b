"""Answering a survey (POST /api/v1/surveys/{slug}/responses/): what is recorded for every
kind of question, the answers refused by question or by form, the malformed bodies,
the language of the errors, and who is refused (signed out, a second submit, a closed
survey, outside the audience, a draft, a survey without questions).
"""

import pytest
from rest_framework.test import APIClient

from surveys.models import Answer, Participation, Response
from tests.api.surveys_support import (
    V1,
    answer,
    closed_survey,
    ids,
    make_every_kind,
    make_shelters,
)
from tests.factories import DistrictFactory
from tests.problems import fields, messages
from tests.surveys.factories import SurveyFactory, question_with_choices

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelters(db):
    """An open, anonymous survey for anyone signed in, with a required single choice."""
    return make_shelters()


@pytest.fixture
def every_kind(db):
    """A named survey with a question of every type: (survey, {kind: question})."""
    return make_every_kind()


def test_answering_records_one_response(api_for, resident, shelters):
    question = shelters.questions.get()
    choice = question.choices.all()[1]
    response = api_for(resident).post(
        f"{V1}/shelters/responses/", {"answers": {str(question.pk): choice.pk}}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["message"] == "Your answers to “Shelters” are sent. Thank you!"
    assert (body["survey"]["answered"], body["survey"]["can_answer"]) == (True, False)
    assert body["survey"]["results_available"] is True
    saved = Response.objects.get()
    assert saved.respondent is None  # an anonymous survey keeps no link to the person
    assert list(saved.answers.values_list("choice_id", flat=True)) == [choice.pk]
    assert Participation.objects.filter(survey=shelters, user=resident).exists()


def test_every_kind_of_answer_is_recorded_as_the_web_form_would(api_for, resident, every_kind):
    _survey, q = every_kind
    single, multiple, ranking = ids(q["single"]), ids(q["multiple"]), ids(q["ranking"])
    answers = {
        q["single"].pk: single[0],
        q["multiple"].pk: {"choices": [multiple[1], "other"], "other": "Підвал"},
        q["ranking"].pk: [ranking[2], ranking[0], ranking[1]],
        q["yes_no"].pk: True,
        q["rating"].pk: 9,
        q["number"].pk: 12.5,
        q["short_text"].pk: "Більше лавок",
        q["long_text"].pk: "Довга відповідь",
    }
    response = api_for(resident).post(
        f"{V1}/every-kind/responses/",
        {"answers": {str(k): v for k, v in answers.items()}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    saved = Response.objects.get()
    assert saved.respondent == resident  # a named survey

    def rows(question):
        return list(
            Answer.objects.filter(question=question)
            .order_by("number", "choice_id", "text")
            .values_list("choice_id", "number", "text")
        )

    assert rows(q["single"]) == [(single[0], None, "")]
    assert sorted(rows(q["multiple"]), key=str) == sorted(
        [(multiple[1], None, ""), (None, None, "Підвал")], key=str
    )
    assert rows(q["ranking"]) == [(ranking[2], 1, ""), (ranking[0], 2, ""), (ranking[1], 3, "")]
    assert rows(q["yes_no"]) == [(None, 1, "")]
    assert rows(q["rating"]) == [(None, 9, "")]
    assert rows(q["number"]) == [(None, 12.5, "")]
    assert rows(q["short_text"]) == [(None, None, "Більше лавок")]
    assert rows(q["long_text"]) == [(None, None, "Довга відповідь")]


def test_answers_to_questions_not_shown_are_dropped(api_for, resident, every_kind):
    _survey, q = every_kind
    answers = {
        str(q["single"].pk): {"choice": "other", "other": "Своє"},  # short_text not shown
        str(q["yes_no"].pk): "no",  # long_text not shown
        str(q["short_text"].pk): "Не видно",
        str(q["long_text"].pk): "Теж не видно",
    }
    response = api_for(resident).post(
        f"{V1}/every-kind/responses/", {"answers": answers}, format="json"
    )
    assert response.status_code == 201, response.json()
    texts = set(Answer.objects.values_list("text", flat=True))
    assert texts == {"Своє", ""}


@pytest.mark.parametrize(
    ("make_answers", "kind", "message"),
    [
        (lambda q: {}, "single", "Please answer this question."),
        (
            lambda q: {"single": 999999},
            "single",
            "This option is not offered in this question. Please choose again.",
        ),
        (
            lambda q: {"single": ids(q["multiple"])[0]},  # another question's option
            "single",
            "This option is not offered in this question. Please choose again.",
        ),
        (
            lambda q: {"single": {"choice": "other", "other": ""}},
            "single",
            "Please say what your “other” answer is.",
        ),
        (lambda q: {"multiple": ids(q["multiple"])}, "multiple", "Please choose no more than 2"),
        (lambda q: {"rating": 11}, "rating", "Please choose a rating from 1 to 10."),
        (lambda q: {"number": "1000.51"}, "number", "Please enter a number from 0 to 1000.5."),
        (lambda q: {"number": "1.234"}, "number", "Use at most two digits after the decimal"),
        (lambda q: {"number": "lots"}, "number", "Please enter a number, for example"),
        (lambda q: {"yes_no": "maybe"}, "yes_no", "Please answer yes or no."),
        (lambda q: {"short_text": "x" * 201}, "short_text", "Please keep it within 200"),
        (
            lambda q: {"ranking": {str(i): "1" for i in ids(q["ranking"])}},
            "ranking",
            "Give each place from 1 to 3 to exactly one option.",
        ),
    ],
)
def test_refused_answers_are_400_by_question(
    api_for, resident, every_kind, make_answers, kind, message
):
    _survey, q = every_kind
    answers = {"single": ids(q["single"])[0], **make_answers(q)}
    if not make_answers(q) and kind == "single":
        answers = {}
    body = {"answers": {str(q[k].pk): v for k, v in answers.items()}}
    response = api_for(resident).post(f"{V1}/every-kind/responses/", body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert errors["detail"] == "Some answers need your attention."
    assert messages(response, f"answers.{q[kind].pk}")[0].startswith(message)
    assert not Response.objects.exists()
    assert not Participation.objects.exists()


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("single", [1, 2]),
        ("multiple", "1"),
        ("ranking", "first"),
        ("ranking", "repeated"),
        ("ranking", "foreign"),
        ("rating", [5]),
        ("yes_no", 1),
        ("short_text", 42),
        ("single", True),
    ],
)
def test_answers_of_the_wrong_form_are_400(api_for, resident, every_kind, kind, value):
    _survey, q = every_kind
    ranking = ids(q["ranking"])
    value = (
        {
            "repeated": [ranking[0], ranking[0], ranking[1]],
            "foreign": [ranking[0], ranking[1], ids(q["single"])[0]],
        }.get(value, value)
        if isinstance(value, str)
        else value
    )
    body = {"answers": {str(q["single"].pk): ids(q["single"])[0], str(q[kind].pk): value}}
    response = api_for(resident).post(f"{V1}/every-kind/responses/", body, format="json")
    assert response.status_code == 400
    assert messages(response, f"answers.{q[kind].pk}") == [
        "This answer does not have the form this question takes."
    ]
    assert not Response.objects.exists()


def test_an_answer_to_a_question_of_another_survey_is_400(api_for, resident, shelters):
    stranger = question_with_choices(SurveyFactory())
    question = shelters.questions.get()
    body = {"answers": {str(question.pk): ids(question)[0], str(stranger.pk): ids(stranger)[0]}}
    response = api_for(resident).post(f"{V1}/shelters/responses/", body, format="json")
    assert response.status_code == 400
    assert messages(response, f"answers.{stranger.pk}") == ["This survey has no such question."]


@pytest.mark.parametrize("body", [{}, {"answers": [1, 2]}, {"answers": "yes"}])
def test_a_body_without_an_answers_object_is_400(api_for, resident, shelters, body):
    response = api_for(resident).post(f"{V1}/shelters/responses/", body, format="json")
    assert response.status_code == 400
    assert "answers" in fields(response)


def test_errors_come_in_ukrainian(resident, shelters):
    client = APIClient(HTTP_ACCEPT_LANGUAGE="uk")
    client.force_authenticate(resident)
    question = shelters.questions.get()
    response = client.post(f"{V1}/shelters/responses/", {"answers": {}}, format="json")
    assert messages(response, f"answers.{question.pk}") == [
        "Будь ласка, дайте відповідь на це питання."
    ]


def test_answering_needs_a_signed_in_person(api, shelters):
    question = shelters.questions.get()
    body = {"answers": {str(question.pk): ids(question)[0]}}
    assert api.post(f"{V1}/shelters/responses/", body, format="json").status_code in (401, 403)
    assert not Response.objects.exists()


def test_a_second_submit_is_409_and_records_nothing(api_for, resident, shelters):
    question = shelters.questions.get()
    body = {"answers": {str(question.pk): ids(question)[0]}}
    client = api_for(resident)
    assert client.post(f"{V1}/shelters/responses/", body, format="json").status_code == 201
    again = client.post(f"{V1}/shelters/responses/", body, format="json")
    assert again.status_code == 409
    assert again.json()["detail"] == "You have already answered this survey. Thank you!"
    assert Response.objects.count() == 1


def test_a_submit_that_loses_the_race_is_409(api_for, resident, shelters, monkeypatch):
    # Both submits passed the check; the database's unique participation decides.
    from surveys import selectors

    question = shelters.questions.get()
    answer(shelters, resident)
    monkeypatch.setattr("surveys.services.responding.answer_refusal", lambda survey, user: None)
    monkeypatch.setattr(selectors, "answer_refusal", lambda survey, user, **kw: None)
    body = {"answers": {str(question.pk): ids(question)[0]}}
    response = api_for(resident).post(f"{V1}/shelters/responses/", body, format="json")
    assert response.status_code == 409
    assert Response.objects.count() == 1


def test_a_closed_survey_refuses_answers_with_the_reason(api_for, resident):
    survey = closed_survey(slug="winter")
    question = question_with_choices(survey)
    body = {"answers": {str(question.pk): ids(question)[0]}}
    response = api_for(resident).post(f"{V1}/winter/responses/", body, format="json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("This survey closed on ")
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("audience", "reason"),
    [
        ("verified", "This survey is for verified residents of Kherson."),
        ("districts", "This survey is for residents of: Korabelnyi. Set your home district"),
    ],
)
def test_someone_outside_the_audience_is_refused_with_the_reason(
    api_for, resident, audience, reason
):
    district = DistrictFactory(name_uk="Корабельний", name_en="Korabelnyi")
    survey = SurveyFactory(slug="narrow", audience=audience, districts=[district])
    question = question_with_choices(survey)
    client = api_for(resident)
    detail = client.get(f"{V1}/narrow/").json()
    assert detail["can_answer"] is False
    assert detail["refusal"].startswith(reason)
    body = {"answers": {str(question.pk): ids(question)[0]}}
    response = client.post(f"{V1}/narrow/responses/", body, format="json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith(reason)
    assert not Participation.objects.exists()


def test_a_draft_cannot_be_answered(api_for, resident):
    survey = SurveyFactory(slug="draft", is_published=False)
    question = question_with_choices(survey)
    body = {"answers": {str(question.pk): ids(question)[0]}}
    assert api_for(resident).post(f"{V1}/draft/responses/", body, format="json").status_code == 404


def test_a_survey_without_questions_cannot_be_answered(api_for, resident):
    SurveyFactory(slug="empty")
    response = api_for(resident).post(f"{V1}/empty/responses/", {"answers": {}}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "This survey has no questions yet."
    assert not Participation.objects.exists()


@pytest.mark.parametrize("encoding", ["multipart", None])
def test_answers_come_as_json_only(api_for, resident, every_kind, encoding):
    # The answers are an object by question: a form cannot carry one, so the
    # schema offers application/json alone and anything else is a clear 415.
    survey, q = every_kind
    body = {"answers": str({q["yes_no"].pk: True})}
    client = api_for(resident)
    if encoding:
        response = client.post(f"{V1}/every-kind/responses/", body, format=encoding)
    else:
        response = client.post(
            f"{V1}/every-kind/responses/",
            "answers=1",
            content_type="application/x-www-form-urlencoded",
        )

    assert response.status_code == 415
    assert response["Content-Type"] == "application/problem+json"
    assert not Participation.objects.filter(survey=survey).exists()
