"""Reading the surveys resources: the list (order, filters, audiences, language, queries),
one survey with its questions, who may see drafts and upcoming surveys, and the list of
the surveys I answered (GET /api/v1/surveys/, /{slug}/, /answered/).
"""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api.surveys_support import (
    V1,
    answer,
    answer_closed,
    closed_survey,
    make_every_kind,
    make_shelters,
)
from tests.factories import DistrictFactory
from tests.problems import fields
from tests.query_counts import forget_cache
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


# --- the list ------------------------------------------------------------------


def test_list_shows_published_surveys_open_first_then_closed(api):
    now = timezone.now()
    later = SurveyFactory(slug="later", closes_at=now + dt.timedelta(days=9))
    sooner = SurveyFactory(slug="sooner", closes_at=now + dt.timedelta(days=2))
    old = closed_survey(slug="old", closes_at=now - dt.timedelta(days=5))
    recent = closed_survey(slug="recent", closes_at=now - dt.timedelta(days=1))
    SurveyFactory(slug="draft", is_published=False)
    SurveyFactory(slug="upcoming", opens_at=now + dt.timedelta(days=1))
    data = api.get(f"{V1}/").json()
    assert [row["slug"] for row in data["results"]] == [
        s.slug for s in (sooner, later, recent, old)
    ]
    assert data["count"] == 4


def test_list_row_for_a_visitor_asks_to_sign_in(api, shelters):
    row = api.get(f"{V1}/").json()["results"][0]
    assert row["title"] == "Shelters"
    assert row["question_count"] == 1
    assert (row["is_open"], row["is_closed"], row["is_anonymous"]) == (True, False, True)
    assert (row["audience"], row["audience_label"]) == ("everyone", "Anyone signed in")
    assert row["results_visibility"] == "live"
    assert row["results_available"] is True
    assert row["answered"] is False
    assert row["can_answer"] is False
    assert row["refusal"] == "Please sign in to answer this survey."
    assert row["url"].endswith("/surveys/shelters/")


def test_list_marks_what_the_resident_answered(api_for, resident, shelters):
    other = SurveyFactory(slug="other")
    question_with_choices(other)
    answer(shelters, resident)
    rows = {r["slug"]: r for r in api_for(resident).get(f"{V1}/").json()["results"]}
    assert rows["shelters"]["answered"] is True
    assert rows["shelters"]["can_answer"] is False
    assert rows["shelters"]["refusal"] == "You have already answered this survey. Thank you!"
    assert (rows["other"]["answered"], rows["other"]["can_answer"]) == (False, True)
    assert rows["other"]["refusal"] is None


def test_list_keeps_surveys_for_other_audiences_from_residents(
    api_for, resident, other_resident, moderator
):
    home = DistrictFactory()
    resident.district = home
    resident.save(update_fields=["district"])
    SurveyFactory(slug="everyone")
    SurveyFactory(slug="verified", audience="verified")
    SurveyFactory(slug="home", audience="districts", districts=[home])
    SurveyFactory(slug="elsewhere", audience="districts", districts=[DistrictFactory()])

    def slugs(user):
        return {r["slug"] for r in api_for(user).get(f"{V1}/").json()["results"]}

    assert slugs(resident) == {"everyone", "home"}
    assert slugs(other_resident) == {"everyone"}
    assert slugs(moderator) == {"everyone", "verified", "home", "elsewhere"}


def test_district_survey_names_its_districts(api, shelters):
    SurveyFactory(
        slug="korabelnyi",
        audience="districts",
        districts=[DistrictFactory(name_uk="Корабельний", name_en="Korabelnyi")],
    )
    rows = {r["slug"]: r for r in api.get(f"{V1}/").json()["results"]}
    assert rows["korabelnyi"]["districts"] == ["Korabelnyi"]
    assert rows["shelters"]["districts"] == []


@pytest.mark.parametrize(("status", "expected"), [("open", {"shelters"}), ("closed", {"old"})])
def test_list_filter_by_status(api, shelters, status, expected):
    closed_survey(slug="old")
    rows = api.get(f"{V1}/?status={status}").json()["results"]
    assert {r["slug"] for r in rows} == expected


def test_a_bad_status_filter_is_400(api):
    response = api.get(f"{V1}/?status=nonsense")
    assert response.status_code == 400
    assert "status" in fields(response)


def test_the_list_speaks_the_callers_language(shelters):
    uk = APIClient(HTTP_ACCEPT_LANGUAGE="uk")
    row = uk.get(f"{V1}/").json()["results"][0]
    assert row["title"] == "Укриття"
    assert row["refusal"] == "Увійдіть, щоб відповісти на це опитування."


def _many_surveys(resident, count):
    home = resident.district or DistrictFactory()
    resident.district = home
    resident.save(update_fields=["district"])
    for n in range(count):
        survey = SurveyFactory(audience="districts" if n % 2 else "everyone", districts=[home])
        question_with_choices(survey)
        if n % 3 == 0:
            answer(survey, resident)
        closed_survey(audience="districts", districts=[home])


@pytest.mark.parametrize("who", ["anonymous", "resident"])
def test_list_makes_a_fixed_number_of_queries(
    request, api_for, resident, django_assert_num_queries, who
):
    # count, page, districts of the page: for anyone; the sign-in adds nothing.
    user = request.getfixturevalue(who)
    _many_surveys(resident, 2)
    with django_assert_num_queries(3):
        few = api_for(user).get(f"{V1}/").json()
    _many_surveys(resident, 8)
    forget_cache()  # visitors' list is kept a minute (the next test)
    with django_assert_num_queries(3):
        many = api_for(user).get(f"{V1}/").json()
    assert (few["count"], len(many["results"])) == (4, 20)


def test_visitors_share_a_list_kept_for_a_minute(api, api_for, resident, django_assert_num_queries):
    _many_surveys(resident, 1)
    first = api.get(f"{V1}/").json()
    with django_assert_num_queries(0):
        assert api.get(f"{V1}/").json() == first
    # Another language or question is its own; a signed-in person is never served it.
    assert api.get(f"{V1}/", HTTP_ACCEPT_LANGUAGE="uk").json()["count"] == first["count"]
    assert api.get(f"{V1}/?status=closed").json()["count"] != first["count"]
    mine = api_for(resident).get(f"{V1}/").json()
    assert mine["results"][0]["refusal"] != first["results"][0]["refusal"]


# --- one survey ----------------------------------------------------------------


def test_detail_has_the_questions_in_order_with_their_rules(api, every_kind):
    _survey, q = every_kind
    data = api.get(f"{V1}/every-kind/").json()
    assert data["question_count"] == 8
    questions = data["questions"]
    kinds = ["single", "multiple", "ranking", "yes_no", "rating", "number", "short_text"]
    assert [x["kind"] for x in questions] == [*kinds, "long_text"]
    assert [x["screen"] for x in questions] == [1, 1, 1, 1, 2, 2, 2, 3]
    by_kind = {x["kind"]: x for x in questions}
    single = by_kind["single"]
    assert single["id"] == q["single"].pk
    assert single["text"] == q["single"].text_en
    assert single["required"] is True
    assert single["allow_other"] is True
    assert single["max_length"] == 200
    assert single["choices"] == [
        {"id": c.pk, "text": c.label_en} for c in q["single"].choices.all()
    ]
    assert (by_kind["multiple"]["min_choices"], by_kind["multiple"]["max_choices"]) == (1, 2)
    assert by_kind["rating"]["scale_max"] == 10
    assert by_kind["rating"]["choices"] == []
    assert (by_kind["number"]["number_min"], by_kind["number"]["number_max"]) == (0, 1000.5)
    assert by_kind["number"]["number_decimal_places"] == 2
    assert by_kind["long_text"]["max_length"] == 5000
    assert by_kind["short_text"]["condition"] == {
        "question": q["single"].pk,
        "choice": q["single"].choices.all()[0].pk,
        "yes": None,
    }
    assert by_kind["long_text"]["condition"] == {
        "question": q["yes_no"].pk,
        "choice": None,
        "yes": True,
    }
    assert single["condition"] is None
    assert single["min_choices"] is None
    assert single["scale_max"] is None


def test_detail_in_ukrainian(shelters):
    data = APIClient(HTTP_ACCEPT_LANGUAGE="uk").get(f"{V1}/shelters/").json()
    assert data["title"] == "Укриття"
    assert [c["text"] for c in data["questions"][0]["choices"]] == ["Так", "Ні", "Не знаю"]


def test_detail_for_the_resident_says_whether_they_may_answer(api_for, resident, shelters):
    client = api_for(resident)
    data = client.get(f"{V1}/shelters/").json()
    assert (data["answered"], data["can_answer"], data["refusal"]) == (False, True, None)
    answer(shelters, resident)
    data = client.get(f"{V1}/shelters/").json()
    assert (data["answered"], data["can_answer"]) == (True, False)


@pytest.mark.parametrize(
    "fields",
    [
        {"is_published": False},
        {"opens_at": timezone.now() + dt.timedelta(days=1)},
    ],
    ids=["draft", "upcoming"],
)
def test_drafts_and_upcoming_surveys_are_404_except_to_survey_staff(
    api, api_for, resident, city_admin, fields
):
    SurveyFactory(slug="hidden", **fields)
    assert api.get(f"{V1}/hidden/").status_code == 404
    assert api_for(resident).get(f"{V1}/hidden/").status_code == 404
    assert api_for(resident).get(f"{V1}/hidden/results/").status_code == 404
    staff = api_for(city_admin).get(f"{V1}/hidden/").json()
    assert staff["refusal"] == "This survey is not open yet."


def test_unknown_survey_is_404(api):
    assert api.get(f"{V1}/nope/").status_code == 404


def test_detail_makes_a_fixed_number_of_queries(
    api_for, resident, every_kind, django_assert_num_queries
):
    # survey, questions, options, participation: whatever the number of questions
    # (a survey for chosen districts adds its districts).
    survey, _q = every_kind
    client = api_for(resident)
    with django_assert_num_queries(4):
        client.get(f"{V1}/every-kind/")
    for _ in range(6):
        question_with_choices(survey, "multiple", page=4)
    with django_assert_num_queries(4):
        assert len(client.get(f"{V1}/every-kind/").json()["questions"]) == 14


# --- the surveys I answered ----------------------------------------------------


def test_answered_lists_only_ones_own_surveys(api_for, resident, other_resident, shelters):
    mine = closed_survey(slug="mine-closed", results_visibility="after_close")
    question_with_choices(mine)
    answer(shelters, resident)
    answer_closed(mine, resident)
    answer(shelters, other_resident)
    rows = api_for(resident).get(f"{V1}/answered/").json()["results"]
    assert {r["survey"]["slug"] for r in rows} == {"shelters", "mine-closed"}
    row = next(r for r in rows if r["survey"]["slug"] == "mine-closed")
    assert row["survey"]["results_available"] is True
    assert row["survey"]["is_closed"] is True
    assert row["answered_on"] == timezone.localdate().isoformat()
    assert api_for(other_resident).get(f"{V1}/answered/").json()["count"] == 1


def test_answered_needs_a_signed_in_person(api):
    assert api.get(f"{V1}/answered/").status_code in (401, 403)


def test_answered_makes_a_fixed_number_of_queries(api_for, resident, django_assert_num_queries):
    # count, page with its surveys.
    def take(count):
        for _ in range(count):
            survey = SurveyFactory()
            question_with_choices(survey)
            answer(survey, resident)

    take(2)
    with django_assert_num_queries(2):
        api_for(resident).get(f"{V1}/answered/")
    take(10)
    with django_assert_num_queries(2):
        assert len(api_for(resident).get(f"{V1}/answered/").json()["results"]) == 12
