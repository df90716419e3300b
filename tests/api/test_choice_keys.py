"""Choices of a category's questions have stable keys: what an app reads in one
language it files in another; labels (the old way) are still taken, for one release."""

import pytest
from rest_framework.test import APIClient

from appeals.models import Appeal
from tests.factories import category_question

from .conftest import point_in

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


@pytest.fixture
def questions(category):
    return [
        category_question(
            category,
            code="kind",
            type="single",
            required=True,
            label_uk="Що сталося",
            label_en="What happened",
            choices=[("Не світить", "Not lit"), ("Блимає", "Flickers")],
        ),
        category_question(
            category,
            code="near",
            type="multiple",
            label_uk="Що поруч",
            label_en="What is near",
            choices=[("Школа", "School"), ("Зупинка", "Bus stop")],
        ),
    ]


def speaking(user, language):
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def listed_choices(language):
    [category] = APIClient(HTTP_ACCEPT_LANGUAGE=language).get(f"{V1}/categories/").json()
    return {q["code"]: q["choices"] for q in category["questions"]}


def body(district, answers):
    return {
        "kind": "problem",
        "category": "lights",
        "title": "Не світить ліхтар",
        "description": "Третій тиждень не світить ліхтар біля під'їзду.",
        "answers": answers,
        **point_in(district),
    }


def test_the_category_lists_each_choice_with_its_key_and_label_in_the_language(questions):
    uk, en = listed_choices("uk"), listed_choices("en")

    assert uk["kind"] == [
        {"key": "ne-svityt", "label": "Не світить"},
        {"key": "blymaie", "label": "Блимає"},
    ]
    assert en["kind"] == [
        {"key": "ne-svityt", "label": "Not lit"},
        {"key": "blymaie", "label": "Flickers"},
    ]


@pytest.mark.parametrize(("read_in", "file_in"), [("uk", "en"), ("en", "uk")])
def test_keys_read_in_one_language_file_in_the_other(
    resident, district, questions, read_in, file_in
):
    choices = listed_choices(read_in)
    flickers = next(c for c in choices["kind"] if c["label"] in ("Блимає", "Flickers"))
    near = [c["key"] for c in choices["near"]]

    response = speaking(resident, file_in).post(
        f"{V1}/appeals/", body(district, {"kind": flickers["key"], "near": near}), format="json"
    )

    assert response.status_code == 201, response.content
    assert Appeal.objects.get().extra_answers == {
        "kind": "blymaie",
        "near": ["shkola", "zupynka"],
    }


@pytest.mark.parametrize(
    ("answers", "stored"),
    [
        ({"kind": "Flickers", "near": ["Bus stop"]}, {"kind": "blymaie", "near": ["zupynka"]}),
        ({"kind": "Блимає", "near": "Школа"}, {"kind": "blymaie", "near": ["shkola"]}),
        (
            {"kind": " flickers ", "near": ["Зупинка", "zupynka"]},
            {"kind": "blymaie", "near": ["zupynka"]},
        ),
    ],
)
def test_a_label_in_either_language_is_still_taken_for_its_key(
    api_for, resident, district, questions, answers, stored
):
    response = api_for(resident).post(f"{V1}/appeals/", body(district, answers), format="json")

    assert response.status_code == 201, response.content
    assert Appeal.objects.get().extra_answers == stored


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"kind": "sparks"}, "answers.kind"),
        ({"kind": "blymaie", "near": ["shkola", "likarnia"]}, "answers.near"),
        ({"kind": ""}, "answers.kind"),  # required
    ],
)
def test_an_unknown_key_is_refused_naming_the_question(
    api_for, resident, district, questions, answers, field
):
    response = api_for(resident).post(f"{V1}/appeals/", body(district, answers), format="json")

    assert response.status_code == 400
    assert field in response.content.decode()
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("language", "kind_text", "near_text"),
    [("en", "Flickers", "School, Bus stop"), ("uk", "Блимає", "Школа, Зупинка")],
)
def test_the_author_reads_the_key_and_the_label_in_the_requests_language(
    resident, district, questions, language, kind_text, near_text
):
    client = speaking(resident, language)
    created = client.post(
        f"{V1}/appeals/",
        body(district, {"kind": "blymaie", "near": ["shkola", "zupynka"]}),
        format="json",
    ).json()

    detail = client.get(f"{V1}/appeals/{created['reference']}/").json()

    rows = {row["code"]: row for row in detail["question_answers"]}
    assert rows["kind"]["value"] == "blymaie"
    assert rows["kind"]["text"] == kind_text
    assert rows["near"]["value"] == ["shkola", "zupynka"]
    assert rows["near"]["text"] == near_text
    assert [pair[1] for pair in detail["extra_answers"]] == [kind_text, near_text]


def test_other_residents_do_not_see_the_answers(
    api_for, resident, other_resident, district, questions
):
    from appeals.services import transition
    from appeals.workflow import MODERATOR, Action
    from tests.factories import UserFactory

    created = api_for(resident).post(
        f"{V1}/appeals/", body(district, {"kind": "blymaie"}), format="json"
    )
    appeal = Appeal.objects.get(reference=created.json()["reference"])
    transition(appeal=appeal, action=Action.ACCEPT, actor=UserFactory(), role=MODERATOR)

    detail = api_for(other_resident).get(f"{V1}/appeals/{appeal.reference}/").json()

    assert detail["question_answers"] == []
    assert detail["extra_answers"] == []
