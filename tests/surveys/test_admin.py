"""The builder, results and exports in the admin, for survey managers."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from surveys.models import Question, Survey
from surveys.services import survey_respond
from tests.factories import UserFactory

from .conftest import answer_for
from .factories import QuestionFactory, SurveyFactory, question_with_choices

pytestmark = pytest.mark.django_db

PAGES = [
    "admin:surveys_survey_changelist",
    "admin:surveys_survey_add",
    "admin:surveys_question_changelist",
    "admin:surveys_question_add",
    "admin:surveys_response_changelist",
]


@pytest.fixture
def answered(survey, resident, other_resident):
    QuestionFactory(survey=survey, kind="long_text", text_uk="Що ще?", text_en="What else?")
    for person in (resident, other_resident):
        raw = answer_for(survey)
        survey_respond(survey=survey, user=person, raw=raw)
    return survey


@pytest.mark.parametrize("name", PAGES)
def test_admin_pages_open_for_survey_managers(name, answered, survey_manager, client_for):
    client = client_for(survey_manager)
    assert client.get(reverse(name)).status_code == 200
    if name.endswith("changelist"):
        assert client.get(reverse(name), {"q": "Укриття"}).status_code == 200


def test_change_pages_and_results_open(answered, survey_manager, client_for):
    client = client_for(survey_manager)
    question = answered.questions.first()
    response = answered.responses.first()
    for url in [
        reverse("admin:surveys_survey_change", args=[answered.pk]),
        reverse("admin:surveys_question_change", args=[question.pk]),
        reverse("admin:surveys_response_change", args=[response.pk]),
        reverse("admin:surveys_survey_results", args=[answered.pk]),
    ]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["resident", "moderator", "department_staff"])
def test_other_roles_cannot_open_survey_admin(request, role, answered, client_for):
    client = client_for(request.getfixturevalue(role))
    url = reverse("admin:surveys_survey_results", args=[answered.pk])
    assert client.get(url).status_code in (302, 403)
    assert client.get(reverse("admin:surveys_survey_changelist")).status_code in (302, 403)


def test_city_admin_sees_the_surveys_but_not_the_answers(answered, city_admin, client_for):
    # Least privilege: written answers are the survey managers' work.
    client = client_for(city_admin)
    url = reverse("admin:surveys_survey_results", args=[answered.pk])
    assert client.get(reverse("admin:surveys_survey_changelist")).status_code == 200
    assert client.get(url).status_code == 403


def test_results_in_admin_show_written_answers_and_filter(
    answered, survey_manager, client_for, district
):
    client = client_for(survey_manager)
    text_question = answered.questions.get(kind="long_text")
    url = reverse("admin:surveys_survey_results", args=[answered.pk])
    html = client.get(url, {"texts": text_question.pk}).content.decode()
    assert "Більше світла на вулицях" in html
    filtered = client.get(url, {"district": district.pk, "texts": text_question.pk})
    assert "Більше світла на вулицях" not in filtered.content.decode()
    bad = client.get(url, {"since": "2026-12-01", "until": "2026-01-01"})
    assert bad.status_code == 200


def test_csv_export_opens_with_one_row_per_response(answered, survey_manager, client_for):
    url = reverse("admin:surveys_survey_export", args=[answered.pk, "csv"])
    response = client_for(survey_manager).get(url)
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 3
    first_choice = answered.questions.get(kind="single").choices.order_by("order").first()
    assert rows[1][-2] == first_choice.label_uk
    assert rows[1][-1] == "Більше світла на вулицях"
    # Anonymous survey: no person's name or e-mail anywhere.
    assert "resident@example.com" not in body
    assert "Оксана" not in body


def test_named_survey_export_has_the_person(survey_manager, resident, client_for):
    survey = SurveyFactory(is_anonymous=False)
    question_with_choices(survey)
    survey_respond(survey=survey, user=resident, raw=answer_for(survey))
    url = reverse("admin:surveys_survey_export", args=[survey.pk, "csv"])
    body = b"".join(client_for(survey_manager).get(url).streaming_content).decode()
    assert "resident@example.com" in body


def test_xlsx_export_opens_in_a_spreadsheet(answered, survey_manager, client_for):
    url = reverse("admin:surveys_survey_export", args=[answered.pk, "xlsx"])
    response = client_for(survey_manager).get(url)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    assert rows[0][-1] == "Що ще?"
    assert rows[2][-1] == "Більше світла на вулицях"


def test_formula_like_answers_are_defused_in_exports(survey_manager, resident, client_for):
    survey = SurveyFactory()
    question = QuestionFactory(survey=survey, kind="short_text")
    survey_respond(survey=survey, user=resident, raw={str(question.pk): "=HYPERLINK(1)"})
    url = reverse("admin:surveys_survey_export", args=[survey.pk, "csv"])
    body = b"".join(client_for(survey_manager).get(url).streaming_content).decode()
    assert "'=HYPERLINK(1)" in body


def test_unknown_export_format_is_404(answered, survey_manager, client_for):
    url = reverse("admin:surveys_survey_export", args=[answered.pk, "pdf"])
    assert client_for(survey_manager).get(url).status_code == 404


def _inline_data(survey, questions, **changes):
    data = {
        "title_uk": survey.title_uk,
        "title_en": survey.title_en,
        "slug": survey.slug,
        "description_uk": "",
        "description_en": "",
        "opens_at_0": survey.opens_at.strftime("%Y-%m-%d"),
        "opens_at_1": "00:00:00",
        "closes_at_0": survey.closes_at.strftime("%Y-%m-%d"),
        "closes_at_1": "23:00:00",
        "is_published": "on",
        "audience": survey.audience,
        "results_visibility": survey.results_visibility,
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": str(sum(1 for q in questions if q.get("id"))),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for index, question in enumerate(questions):
        for key, value in question.items():
            data[f"questions-{index}-{key}"] = value
    data.update(changes)
    return data


def _question_row(question, **changes):
    row = {
        "id": str(question.pk),
        "survey": str(question.survey_id),
        "page": str(question.page),
        "order": str(question.order),
        "kind": question.kind,
        "text_uk": question.text_uk,
        "text_en": question.text_en,
        "help_text_uk": "",
        "help_text_en": "",
        "scale_max": str(question.scale_max),
    }
    if question.required:
        row["required"] = "on"
    row.update(changes)
    return row


def test_the_builder_adds_a_question(survey, survey_manager, client_for):
    client = client_for(survey_manager)
    existing = survey.questions.get()
    data = _inline_data(
        survey,
        [
            _question_row(existing),
            {
                "page": "2",
                "order": "1",
                "kind": "rating",
                "text_uk": "Оцініть",
                "text_en": "Rate it",
                "scale_max": "10",
            },
        ],
    )
    page = client.post(reverse("admin:surveys_survey_change", args=[survey.pk]), data)
    assert page.status_code == 302, page.context["errors"] if page.context else page
    assert survey.questions.filter(kind="rating", scale_max=10).exists()


def test_answered_survey_refuses_a_new_required_question(answered, survey_manager, client_for):
    client = client_for(survey_manager)
    rows = [_question_row(q) for q in answered.questions.all()]
    rows.append(
        {
            "page": "3",
            "order": "9",
            "kind": "yes_no",
            "text_uk": "Нове",
            "text_en": "New",
            "required": "on",
            "scale_max": "5",
        }
    )
    page = client.post(
        reverse("admin:surveys_survey_change", args=[answered.pk]), _inline_data(answered, rows)
    )
    assert page.status_code == 200
    assert "must be optional" in page.content.decode() or "має бути необов" in page.content.decode()
    assert answered.questions.count() == 2


def test_answered_survey_accepts_a_typo_fix_and_new_optional_question(
    answered, survey_manager, client_for
):
    client = client_for(survey_manager)
    rows = [_question_row(q) for q in answered.questions.all()]
    rows[0]["text_uk"] = "Виправлений текст"
    rows.append(
        {
            "page": "3",
            "order": "9",
            "kind": "yes_no",
            "text_uk": "Нове",
            "text_en": "New",
            "scale_max": "5",
        }
    )
    page = client.post(
        reverse("admin:surveys_survey_change", args=[answered.pk]), _inline_data(answered, rows)
    )
    assert page.status_code == 302
    assert answered.questions.filter(text_uk="Виправлений текст").exists()
    assert answered.questions.count() == 3


def test_answered_survey_refuses_changing_a_question_type(answered, survey_manager, client_for):
    client = client_for(survey_manager)
    rows = [_question_row(q) for q in answered.questions.all()]
    rows[0]["kind"] = "multiple"
    page = client.post(
        reverse("admin:surveys_survey_change", args=[answered.pk]), _inline_data(answered, rows)
    )
    assert page.status_code == 200
    assert "only the wording" in page.content.decode() or "лише формулювання" in (
        page.content.decode()
    )
    assert Question.objects.filter(survey=answered, kind="multiple").count() == 0


def test_answered_survey_refuses_deleting_a_question(answered, survey_manager, client_for):
    client = client_for(survey_manager)
    rows = [_question_row(q) for q in answered.questions.all()]
    rows[0]["DELETE"] = "on"
    page = client.post(
        reverse("admin:surveys_survey_change", args=[answered.pk]), _inline_data(answered, rows)
    )
    assert page.status_code == 200
    assert "cannot be deleted" in page.content.decode() or "Видалення" in (page.content.decode())
    assert answered.questions.count() == 2


def test_answered_survey_refuses_new_options(answered, survey_manager, client_for):
    client = client_for(survey_manager)
    question = answered.questions.get(kind="single")
    choices = list(question.choices.all())
    data = {
        "survey": str(answered.pk),
        "page": "1",
        "order": str(question.order),
        "kind": "single",
        "text_uk": question.text_uk,
        "text_en": question.text_en,
        "scale_max": "5",
        "required": "on",
        "choices-TOTAL_FORMS": str(len(choices) + 1),
        "choices-INITIAL_FORMS": str(len(choices)),
        "choices-MIN_NUM_FORMS": "0",
        "choices-MAX_NUM_FORMS": "1000",
    }
    for index, choice in enumerate(choices):
        data.update(
            {
                f"choices-{index}-id": str(choice.pk),
                f"choices-{index}-question": str(question.pk),
                f"choices-{index}-order": str(choice.order),
                f"choices-{index}-label_uk": choice.label_uk
                + (" (виправлено)" if index == 0 else ""),
                f"choices-{index}-label_en": choice.label_en,
            }
        )
    n = len(choices)
    data.update(
        {
            f"choices-{n}-order": "9",
            f"choices-{n}-label_uk": "Новий",
            f"choices-{n}-label_en": "New",
        }
    )
    url = reverse("admin:surveys_question_change", args=[question.pk])
    page = client.post(url, data)
    assert page.status_code == 200
    assert question.choices.count() == n
    assert "cannot be added" in page.content.decode() or "не можна додавати" in (
        page.content.decode()
    )
    # Without the new option, the typo fix is accepted.
    data["choices-TOTAL_FORMS"] = str(n)
    assert client.post(url, data).status_code == 302
    assert question.choices.filter(label_uk__endswith="(виправлено)").exists()


def test_survey_with_responses_cannot_be_deleted(answered, survey_manager, client_for):
    client = client_for(survey_manager)
    page = client.get(reverse("admin:surveys_survey_delete", args=[answered.pk]))
    assert page.status_code == 403
    assert Survey.objects.filter(pk=answered.pk).exists()


def test_condition_must_point_to_an_earlier_screen(survey):
    from django.core.exceptions import ValidationError

    first = survey.questions.get()
    later = QuestionFactory(
        survey=survey,
        kind="short_text",
        page=1,
        condition_question=first,
        condition_choice=first.choices.first(),
    )
    with pytest.raises(ValidationError) as refused:
        later.full_clean()
    assert "condition_question" in refused.value.message_dict
    later.page = 2
    later.full_clean()


def test_a_survey_cannot_take_an_address_the_site_uses(survey):
    """/api/v1/surveys/answered/ is the surveys one took, not a survey."""
    from django.core.exceptions import ValidationError

    survey.slug = "answered"
    with pytest.raises(ValidationError) as refused:
        survey.full_clean()
    assert "slug" in refused.value.message_dict
    survey.slug = "answered-in-2026"
    survey.full_clean()


def test_response_admin_hides_people_of_anonymous_surveys(answered, survey_manager, client_for):
    html = client_for(survey_manager).get(reverse("admin:surveys_response_changelist"))
    assert "resident@example.com" not in html.content.decode()
    assert UserFactory  # people exist, but are not linked to responses


@pytest.mark.django_db(transaction=True)
def test_an_export_reads_the_responses_and_answers_from_the_replica(
    answered, survey_manager, client_for, replica_connection
):
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:surveys_survey_export", args=[answered.pk, "csv"])
    with (
        CaptureQueriesContext(replica_connection) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        response = client_for(survey_manager).get(url)
        body = b"".join(response.streaming_content).decode("utf-8")

    assert "Більше світла на вулицях" in body

    def reads(queries, table):
        return sum(f'FROM "{table}"' in q["sql"] for q in queries.captured_queries)

    assert reads(on_replica, "surveys_response") == 1
    assert reads(on_replica, "surveys_answer") >= 1
    assert reads(on_default, "surveys_response") == 0
    assert reads(on_default, "surveys_answer") == 0
