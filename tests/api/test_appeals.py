"""The appeals resources: categories, the public list, detail, filing, mine, follow, info."""

import uuid

import pytest

from appeals.models import Appeal, AppealFollower, AppealMessage
from appeals.services import transition
from appeals.workflow import MODERATOR, Action
from tests.factories import UserFactory
from tests.problems import fields

from .conftest import point_in

pytestmark = pytest.mark.django_db
V1 = "/api/v1"


def test_categories_list_active_ones_with_questions(api, category):
    from appeals.models import CategoryQuestion

    CategoryQuestion.objects.create(
        category=category, code="pole", label_uk="Номер опори", label_en="Pole number"
    )
    data = api.get(f"{V1}/categories/").json()
    assert [c["slug"] for c in data] == ["lights"]
    assert data[0]["name"] == "Street lights"
    assert data[0]["questions"][0]["code"] == "pole"
    assert api.get(f"{V1}/categories/lights/").json()["slug"] == "lights"
    assert api.get(f"{V1}/categories/nope/").status_code == 404


def test_public_list_shows_only_public_appeals_with_approximate_places(api, appeals):
    data = api.get(f"{V1}/appeals/").json()
    refs = {row["reference"] for row in data["results"]}
    assert refs == {appeals["public"].reference, appeals["proposal"].reference}
    row = next(r for r in data["results"] if r["reference"] == appeals["public"].reference)
    assert row["location"]["exact"] is False
    assert row["location"]["latitude"] == round(appeals["public"].latitude, 3)
    assert "description" not in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=proposal", {"proposal"}),
        ("category=lights", {"public", "proposal"}),
        ("category=violence", set()),
        ("status=in_progress", set()),
        ("q=ліхтар", {"public"}),
        ("registered_from=0001-01-01&registered_until=9999-12-31", {"public", "proposal"}),
    ],
)
def test_list_filters(api, appeals, query, expected):
    refs = {r["reference"] for r in api.get(f"{V1}/appeals/?{query}").json()["results"]}
    assert refs == {appeals[k].reference for k in expected}


def test_bad_filter_values_are_400_not_500(api, appeals):
    assert api.get(f"{V1}/appeals/?kind=nonsense").status_code == 400
    assert api.get(f"{V1}/appeals/?registered_from=yesterday").status_code == 400


def test_list_makes_a_fixed_number_of_queries(api, resident, django_assert_max_num_queries):
    from tests.appeals.public_factories import many_public_appeals

    many_public_appeals(resident, 25)
    with django_assert_max_num_queries(2):
        response = api.get(f"{V1}/appeals/")
    assert len(response.json()["results"]) == 20


@pytest.mark.parametrize("key", ["private", "sensitive", "moderation"])
def test_hidden_appeals_are_404_to_others(api, api_for, other_resident, appeals, key):
    ref = appeals[key].reference
    assert api.get(f"{V1}/appeals/{ref}/").status_code == 404
    assert api_for(other_resident).get(f"{V1}/appeals/{ref}/").status_code == 404


def test_the_author_sees_the_exact_place_of_a_private_appeal(api_for, resident, appeals):
    appeal = appeals["private"]
    data = api_for(resident).get(f"{V1}/appeals/{appeal.reference}/").json()
    assert data["location"] == {
        "latitude": appeal.latitude,
        "longitude": appeal.longitude,
        "exact": True,
    }
    assert data["is_author"] is True


def test_detail_of_a_public_appeal(api, appeals, django_assert_max_num_queries):
    ref = appeals["public"].reference
    with django_assert_max_num_queries(8):
        data = api.get(f"{V1}/appeals/{ref}/").json()
    assert data["reference"] == ref
    assert data["timeline"][0]["action"] == "submit"
    assert data["correspondence"] == []
    assert data["location"]["exact"] is False


def test_filing_goes_through_the_web_form_and_the_service(api_for, resident, category, district):
    key = str(uuid.uuid4())
    body = {
        "kind": "problem",
        "category": "lights",
        "title": "Не світить ліхтар",
        "description": "Третій тиждень не світить ліхтар біля під'їзду.",
        "is_public": False,
        "idempotency_key": key,
        **point_in(district),
    }
    client = api_for(resident)
    response = client.post(f"{V1}/appeals/", body, format="json")
    assert response.status_code == 201, response.json()
    appeal = Appeal.objects.get(reference=response.json()["reference"])
    assert (appeal.author, appeal.status, appeal.is_public) == (resident, "moderation", False)
    again = client.post(f"{V1}/appeals/", body, format="json")
    assert again.status_code == 200
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": "Коротко"}, "description"),  # the web form's minimum
        ({"kind": "petition"}, "kind"),
        ({"category": "nope"}, "category"),
        ({"latitude": 50.45, "longitude": 30.52}, "latitude"),  # outside the city
        ({"longitude": None}, "latitude"),
        ({"title": ""}, "title"),
    ],
)
def test_filing_errors_are_400_by_field(api_for, resident, category, district, change, field):
    body = {
        "kind": "problem",
        "category": "lights",
        "title": "Не світить ліхтар",
        "description": "Третій тиждень не світить ліхтар біля під'їзду.",
        **point_in(district),
        **change,
    }
    response = api_for(resident).post(f"{V1}/appeals/", body, format="json")
    assert response.status_code == 400
    assert field in fields(response)
    assert not Appeal.objects.exists()


def test_answers_to_extra_questions_are_checked_like_the_web_form(
    api_for, resident, category, district
):
    from appeals.models import CategoryQuestion

    CategoryQuestion.objects.create(
        category=category,
        code="pole",
        label_uk="Номер опори",
        label_en="Pole number",
        type="number",
        required=True,
    )
    body = {
        "kind": "problem",
        "category": "lights",
        "title": "Не світить ліхтар",
        "description": "Третій тиждень не світить ліхтар біля під'їзду.",
        **point_in(district),
    }
    client = api_for(resident)
    response = client.post(f"{V1}/appeals/", {**body, "answers": {"pole": "x"}}, format="json")
    assert "answers.pole" in {error["attr"] for error in response.json()["errors"]}
    response = client.post(f"{V1}/appeals/", {**body, "answers": {"pole": 17}}, format="json")
    assert response.status_code == 201
    assert Appeal.objects.get().extra_answers == {"pole": 17}


def test_filing_needs_a_signed_in_person(api, category):
    assert api.post(f"{V1}/appeals/", {}, format="json").status_code in (401, 403)


def test_mine_lists_every_status_of_ones_own(api_for, resident, other_resident, appeals):
    refs = {r["reference"] for r in api_for(resident).get(f"{V1}/appeals/mine/").json()["results"]}
    assert refs == {a.reference for a in appeals.values()}
    assert api_for(other_resident).get(f"{V1}/appeals/mine/").json()["results"] == []


def test_mine_makes_a_fixed_number_of_queries(
    api_for, resident, appeals, django_assert_max_num_queries
):
    from tests.appeals.public_factories import many_public_appeals

    many_public_appeals(resident, 20)
    with django_assert_max_num_queries(3):
        assert len(api_for(resident).get(f"{V1}/appeals/mine/").json()["results"]) == 20


def test_follow_and_unfollow(api_for, other_resident, appeals):
    client = api_for(other_resident)
    url = f"{V1}/appeals/{appeals['public'].reference}/follow/"
    assert client.post(url).json() == {"following": True, "follower_count": 1}
    assert client.post(url).json() == {"following": True, "follower_count": 1}
    following = client.get(f"{V1}/appeals/following/").json()["results"]
    assert [r["reference"] for r in following] == [appeals["public"].reference]
    assert client.delete(url).json() == {"following": False, "follower_count": 0}
    assert not AppealFollower.objects.exists()


def test_one_cannot_follow_ones_own_appeal(api_for, resident, appeals):
    response = api_for(resident).post(f"{V1}/appeals/{appeals['public'].reference}/follow/")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_the_author_adds_information(api_for, resident, other_resident, appeals):
    ref = appeals["moderation"].reference
    response = api_for(resident).post(
        f"{V1}/appeals/{ref}/info/", {"text": "Опора номер 17."}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert AppealMessage.objects.get().text == "Опора номер 17."
    assert [m["text"] for m in response.json()["correspondence"]] == ["Опора номер 17."]
    public = appeals["public"].reference
    refused = api_for(other_resident).post(
        f"{V1}/appeals/{public}/info/", {"text": "Чуже"}, format="json"
    )
    assert refused.status_code == 400
    assert api_for(resident).post(f"{V1}/appeals/{ref}/info/", {}, format="json").status_code == 400


def test_supporting_a_proposal(api_for, resident, other_resident, appeals):
    url = f"{V1}/appeals/{appeals['proposal'].reference}/support/"
    client = api_for(other_resident)
    assert client.post(url).json() == {"supported": True, "count": 1}
    assert client.post(url).json() == {"supported": True, "count": 1}
    proposals = api_for(None).get(f"{V1}/proposals/").json()["results"]
    assert [(p["reference"], p["support_count"]) for p in proposals] == [
        (appeals["proposal"].reference, 1)
    ]
    assert client.delete(url).json() == {"supported": False, "count": 0}
    assert api_for(resident).post(url).status_code == 400  # one's own


def test_a_problem_report_cannot_be_supported(api_for, other_resident, appeals):
    response = api_for(other_resident).post(f"{V1}/appeals/{appeals['public'].reference}/support/")
    assert response.status_code == 400


def test_staff_of_the_department_see_a_private_appeal(api_for, department_staff, appeals):
    appeal = appeals["private"]
    appeal.department.members.add(department_staff)
    response = api_for(department_staff).get(f"{V1}/appeals/{appeal.reference}/")
    assert response.status_code == 200
    assert response.json()["location"]["exact"] is True


def test_a_rejected_appeal_leaves_the_public_list(api, appeals):
    transition(appeal=appeals["moderation"], action=Action.REJECT, actor=None, role=MODERATOR)
    refs = {r["reference"] for r in api.get(f"{V1}/appeals/").json()["results"]}
    assert appeals["moderation"].reference not in refs


def test_the_public_list_is_answered_from_the_cache_for_a_minute(
    api, appeals, django_assert_num_queries
):
    first = api.get(f"{V1}/appeals/").json()
    with django_assert_num_queries(0):
        assert api.get(f"{V1}/appeals/").json() == first
    assert api.get(f"{V1}/appeals/?kind=problem").json() != first


def test_proposals_and_categories_make_a_fixed_number_of_queries(
    api, resident, django_assert_max_num_queries
):
    from appeals.models import CategoryQuestion
    from tests.appeals.public_factories import many_public_appeals
    from tests.factories import CategoryFactory

    many_public_appeals(resident, 5)
    for category in [CategoryFactory() for _ in range(5)]:
        CategoryQuestion.objects.create(category=category, code="q", label_uk="П", label_en="Q")
    with django_assert_max_num_queries(2):
        api.get(f"{V1}/proposals/")
    # the categories, their questions, the questions' choices
    with django_assert_max_num_queries(3):
        assert len(api.get(f"{V1}/categories/").json()) == 9


# --- Art. 5 and 8: the author's details; Art. 20: priority never shown ---------------


def test_filing_takes_the_authors_details_and_saves_them_to_the_profile(
    api_for, category, district
):
    author = UserFactory(full_name="Оксана", residence="")
    body = {
        "kind": "problem",
        "category": "lights",
        "title": "Не світить ліхтар",
        "description": "Третій тиждень не світить ліхтар біля під'їзду.",
        "full_name": "Коваленко Оксана Петрівна",
        "residence": "Херсон, вул. Перекопська",
        **point_in(district),
    }

    response = api_for(author).post(f"{V1}/appeals/", body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["missing_details"] == []
    author.refresh_from_db()
    assert author.residence == "Херсон, вул. Перекопська"
    appeal = Appeal.objects.get(reference=response.json()["reference"])
    assert appeal.author_full_name == "Коваленко Оксана Петрівна"


def test_filing_without_the_details_says_what_is_missing(api_for, category, district):
    author = UserFactory(full_name="Оксана", residence="")
    body = {
        "kind": "problem",
        "category": "lights",
        "title": "Не світить ліхтар",
        "description": "Третій тиждень не світить ліхтар біля під'їзду.",
        **point_in(district),
    }

    response = api_for(author).post(f"{V1}/appeals/", body, format="json")

    assert response.status_code == 201
    assert response.json()["missing_details"] == ["full_name", "residence"]
    assert Appeal.objects.get().is_anonymous


def test_too_long_a_residence_is_a_400_by_field(api_for, resident, category, district):
    body = {
        "kind": "problem",
        "category": "lights",
        "title": "Не світить ліхтар",
        "description": "Третій тиждень не світить ліхтар біля під'їзду.",
        "residence": "в" * 201,
        **point_in(district),
    }

    response = api_for(resident).post(f"{V1}/appeals/", body, format="json")

    assert response.status_code == 400
    assert "residence" in fields(response)


def test_others_never_see_the_authors_details_or_priority(api, api_for, other_resident, appeals):
    for client in (api, api_for(other_resident)):
        for url in (f"{V1}/appeals/", f"{V1}/appeals/{appeals['public'].reference}/"):
            body = client.get(url).content.decode()
            assert "Перекопська" not in body
            assert "priority" not in body
    detail = api.get(f"{V1}/appeals/{appeals['public'].reference}/").json()
    assert detail["missing_details"] == []
