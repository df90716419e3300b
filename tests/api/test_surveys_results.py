"""The results of a survey (GET /api/v1/surveys/{slug}/results/): the same numbers as the
web results page, who may see them for each visibility setting, the refusal in the
caller's language, and a fixed number of queries (then the cache).
"""

import pytest
from rest_framework.test import APIClient

from surveys.results import survey_results
from surveys.services import survey_questions, survey_respond
from tests.api.surveys_support import V1, closed_survey, ids, make_every_kind
from tests.surveys.factories import SurveyFactory, question_with_choices

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_kind(db):
    """A named survey with a question of every type: (survey, {kind: question})."""
    return make_every_kind()


def test_results_are_the_numbers_of_the_web_results_page(api, resident, other_resident, every_kind):
    survey, q = every_kind
    survey.results_visibility = "live"
    survey.save(update_fields=["results_visibility"])
    single = ids(q["single"])
    for user, rating in ((resident, 4), (other_resident, 8)):
        survey_respond(
            survey=survey,
            user=user,
            raw={
                str(q["single"].pk): {"choice": str(single[0])},
                str(q["rating"].pk): str(rating),
                str(q["short_text"].pk): "Текст",
            },
        )
    data = api.get(f"{V1}/every-kind/results/").json()
    expected = survey_results(survey, survey_questions(survey))
    assert data["total"] == expected.total == 2
    assert data["is_final"] is False
    by_id = {row["id"]: row for row in data["questions"]}
    assert by_id[q["single"].pk]["answered"] == 2
    assert by_id[q["single"].pk]["bars"][0] == {
        "label": q["single"].choices.all()[0].label_en,
        "choice": single[0],
        "count": 2,
        "percent": 100,
        "average_place": None,
    }
    rating = by_id[q["rating"].pk]
    assert rating["average"] == 6
    assert [bar["count"] for bar in rating["bars"]] == [0, 0, 0, 1, 0, 0, 0, 1, 0, 0]
    assert by_id[q["short_text"].pk]["text_count"] == 2
    assert "Текст" not in str(data)  # the texts themselves are for staff
    for row, result in zip(data["questions"], expected.questions, strict=True):
        assert row["id"] == result.question.pk
        assert row["answered"] == result.answered
        assert [b["count"] for b in row["bars"]] == [b.count for b in result.bars]


@pytest.mark.parametrize(
    ("visibility", "closed", "who", "allowed"),
    [
        ("live", False, "anonymous", True),
        ("after_close", False, "resident", False),
        ("after_close", True, "anonymous", True),
        ("staff", True, "resident", False),
        ("staff", True, "moderator", False),  # staff, but not of surveys
        # Survey results are the survey managers' work (least privilege).
        ("staff", True, "city_admin", False),
        ("after_close", False, "city_admin", False),
    ],
)
def test_results_visibility_per_role(request, api_for, visibility, closed, who, allowed):
    make = closed_survey if closed else SurveyFactory
    make(slug="buses", results_visibility=visibility)
    response = api_for(request.getfixturevalue(who)).get(f"{V1}/buses/results/")
    assert response.status_code == (200 if allowed else 403)
    if not allowed:
        assert response.json()["detail"].startswith("The results ")


def test_results_refusal_is_in_the_callers_language(resident):
    SurveyFactory(slug="buses", results_visibility="staff")
    client = APIClient(HTTP_ACCEPT_LANGUAGE="uk")
    response = client.get(f"{V1}/buses/results/")
    assert response.status_code == 403
    assert (
        response.json()["detail"]
        == "Результати цього опитування доступні лише працівникам міськради."
    )


def test_results_make_a_fixed_number_of_queries(
    api, resident, other_resident, every_kind, django_assert_num_queries
):
    # survey, count, three aggregates (one with multiple choice respondents), questions, options.
    survey, q = every_kind
    survey.results_visibility = "live"
    survey.save(update_fields=["results_visibility"])
    survey_respond(
        survey=survey,
        user=resident,
        raw={str(q["single"].pk): {"choice": str(ids(q["single"])[0])}},
    )
    with django_assert_num_queries(7):
        api.get(f"{V1}/every-kind/results/")
    for _ in range(5):
        question_with_choices(survey, "multiple")
    survey.save()  # a new version of the cached results
    with django_assert_num_queries(7):
        assert len(api.get(f"{V1}/every-kind/results/").json()["questions"]) == 13
    with django_assert_num_queries(1):  # then from the cache
        api.get(f"{V1}/every-kind/results/")
