"""Filing an appeal, the form's steps: who may file, the kind and category, the
form itself, the category's extra questions and the duplicates suggested on it."""

import re
from functools import partial

import pytest
from django.urls import reverse

from appeals.models import Appeal
from appeals.services import transition
from appeals.workflow import MODERATOR, Action
from tests.appeals.filing.filing_helpers import (
    NEW,
    errors_of,
    form_data,
    speak,
    step2,
)
from tests.factories import (
    CategoryFactory,
    CategoryGroupFactory,
    category_question,
    submit_appeal,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]


# --- who may file ------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client_for, category):
    response = client_for(None).get(step2(category))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]


def test_anonymous_post_files_nothing(client_for, category, inside):
    client_for(None).post(step2(category), form_data(**inside))

    assert not Appeal.objects.exists()


# --- step 1: kind and category ---------------------------------------------------


def test_step_one_offers_the_four_kinds_with_explanations(client):
    response = client.get(NEW)

    html = response.content.decode()
    assert response.status_code == 200
    for kind in ("problem", "proposal", "application", "complaint"):
        assert f'name="kind" value="{kind}"' in html
    assert "Something is wrong at a place" in html
    assert 'name="category"' not in html


def test_step_one_lists_only_active_categories_that_take_the_kind(client):
    group = CategoryGroupFactory(name_en="Roads and transport")
    CategoryFactory(group=group, slug="pothole", kinds=["problem", "complaint"], icon="🕳️")
    CategoryFactory(group=group, slug="bus-idea", kinds=["proposal"])
    CategoryFactory(group=group, slug="old-one", kinds=["problem"], is_active=False)

    response = client.get(NEW, {"kind": "problem"})

    html = response.content.decode()
    assert 'value="pothole"' in html
    assert "🕳️" in html
    assert "Roads and transport" in html
    assert 'value="bus-idea"' not in html
    assert 'value="old-one"' not in html


def test_categories_are_grouped_in_group_order(client):
    second = CategoryGroupFactory(name_en="Housing", ordering=2)
    first = CategoryGroupFactory(name_en="Roads", ordering=1)
    CategoryFactory(group=second, slug="water")
    CategoryFactory(group=first, slug="pothole")

    html = client.get(NEW, {"kind": "problem"}).content.decode()

    assert html.index("Roads") < html.index('value="pothole"') < html.index("Housing")
    assert html.index("Housing") < html.index('value="water"')


def test_category_that_does_not_take_the_kind_goes_back_to_step_one(client):
    CategoryFactory(slug="bus-idea", kinds=["proposal"])

    response = client.get(NEW, {"kind": "problem", "category": "bus-idea"})

    assert response.templates[0].name == "appeals/new_choose.html"


def test_unknown_kind_goes_back_to_step_one(client, category):
    response = client.get(NEW, {"kind": "petition", "category": category.slug})

    assert response.templates[0].name == "appeals/new_choose.html"


# --- step 2: the form --------------------------------------------------------


def test_form_has_the_map_address_photos_and_a_fresh_token(client, category, settings):
    response = client.get(step2(category))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="appeal-map"' in html
    assert f'data-tile-url="{settings.MAP_TILE_URL}"' in html
    assert 'data-center-lat="46.6354"' in html  # never "46,6354" in Ukrainian
    assert 'name="address"' in html
    assert re.search(r'<input type="file" name="photos"[^>]* multiple', html)
    assert 'accept="image/*"' in html
    assert 'enctype="multipart/form-data"' in html
    token = re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', html)
    assert token
    assert client.get(step2(category)).content.decode().count(token.group(1)) == 0


def test_use_my_location_is_hidden_until_a_script_finds_geolocation(client, category):
    """Without JavaScript or geolocation the button would do nothing: it starts hidden."""
    html = client.get(step2(category)).content.decode()

    assert re.search(r'<button type="button"[^>]* id="use-my-location" hidden', html)


def test_public_choice_is_explained_in_plain_words(client, category):
    html = client.get(step2(category)).content.decode()

    assert "Never your name or your contacts" in html
    assert "only you and city staff" in html


def test_sensitive_category_shows_emergency_numbers_and_no_public_choice(client):
    uxo = CategoryFactory(slug="uxo", sensitive=True)

    html = client.get(step2(uxo)).content.decode()

    for number in ("101", "102", "103", "104", "112"):
        assert f'href="tel:{number}"' in html.split("<footer")[0]
    assert 'name="visibility"' not in html
    assert "This request stays private" in html


def test_sensitive_appeal_is_private_even_if_the_form_says_public(client, inside):
    uxo = CategoryFactory(slug="uxo", sensitive=True)

    client.post(step2(uxo), form_data(visibility="public", **inside))

    assert Appeal.objects.get().is_public is False


def test_private_choice_files_a_private_appeal(client, category, inside):
    client.post(step2(category), form_data(visibility="private", **inside))

    assert Appeal.objects.get().is_public is False


# --- extra questions ------------------------------------------------------------


@pytest.fixture
def questions(category):
    q = partial(category_question, category)
    return [
        q(code="size", type="single", required=True,
          label_en="Approximate size", label_uk="Приблизний розмір",
          choices=[("Менше 30 см", "Under 30 cm"), ("30–100 см", "30–100 cm"),
                   ("Більше метра", "Over a metre")]),
        q(code="depth", type="number", label_en="Depth, cm",
          label_uk="Глибина, см", help_text_en="Roughly is fine"),
        q(code="traffic", type="yes_no", label_en="Is traffic blocked?",
          label_uk="Рух перекрито?"),
        q(code="near", type="multiple", label_en="What is near", label_uk="Що поруч",
          choices=[("Школа", "School"), ("Зупинка", "Bus stop"), ("Лікарня", "Hospital")]),
        q(code="since", type="text", label_en="Since when",
          label_uk="Відколи"),
    ]  # fmt: skip


def test_extra_questions_become_form_fields_in_the_active_language(client, category, questions):
    html = client.get(step2(category)).content.decode()

    assert "Approximate size" in html
    # The value sent is the choice's key, the same in every language; the label is shown.
    assert re.search(r'type="radio"[^>]*name="q_size"\s+value="bilshe-metra"', html)
    assert "Over a metre" in html
    assert re.search(r'type="number" name="q_depth"', html)
    assert "Roughly is fine" in html
    assert re.search(r'name="q_traffic"\s+value="yes"', html)
    assert re.search(r'type="checkbox"[^>]*name="q_near"\s+value="zupynka"', html)
    assert "Bus stop" in html
    assert re.search(r'type="text" name="q_since"', html)


def test_extra_question_labels_follow_the_language(client, resident, category, questions):
    speak(resident, "uk")

    html = client.get(step2(category)).content.decode()

    assert "Приблизний розмір" in html
    assert "Більше метра" in html
    assert 'value="bilshe-metra"' in html


def test_answers_to_extra_questions_are_stored_by_key(client, category, questions, inside):
    client.post(
        step2(category),
        form_data(
            q_size="30-100-sm", q_depth="12.5", q_traffic="no", q_near=["shkola", "zupynka"],
            q_since="a week", **inside,
        ),
    )  # fmt: skip

    assert Appeal.objects.get().extra_answers == {
        "size": "30-100-sm",
        "depth": 12.5,
        "traffic": "no",
        "near": ["shkola", "zupynka"],
        "since": "a week",
    }


def test_a_form_loaded_before_keys_still_files_its_labels_as_keys(
    client, category, questions, inside
):
    # A page rendered before the change sent the label in the page's language.
    client.post(
        step2(category), form_data(q_size="30–100 cm", q_near=["Школа", "Bus stop"], **inside)
    )

    answers = Appeal.objects.get().extra_answers
    assert answers["size"] == "30-100-sm"
    assert answers["near"] == ["shkola", "zupynka"]


@pytest.mark.parametrize(("language", "shown"), [("en", "30–100 cm"), ("uk", "30–100 см")])
def test_the_authors_page_shows_the_chosen_label_in_their_language(
    client, resident, category, questions, inside, language, shown
):
    client.post(step2(category), form_data(q_size="30-100-sm", **inside))
    speak(resident, language)

    html = client.get(Appeal.objects.get().get_absolute_url()).content.decode()

    assert shown in html
    assert "30-100-sm" not in html


def test_required_extra_question_left_empty_is_refused(client, category, questions, inside):
    response = client.post(step2(category), form_data(**inside))

    assert errors_of(response, "q_size") == ["This field is required."]
    assert not Appeal.objects.exists()


def test_number_question_refuses_words(client, category, questions, inside):
    response = client.post(
        step2(category), form_data(q_size="menshe-30-sm", q_depth="deep", **inside)
    )

    assert errors_of(response, "q_depth") == ["Enter a number."]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("q_size", "Bigger than a house"),
        ("q_traffic", "maybe"),
        ("q_near", ["shkola", "<script>alert(1)</script>"]),
    ],
)
def test_tampered_choice_is_refused(client, category, questions, inside, field, value):
    data = form_data(q_size="menshe-30-sm", **inside)
    data[field] = value

    response = client.post(step2(category), data)

    assert errors_of(response, field)
    assert not Appeal.objects.exists()


# --- duplicate suggestions on the form page ------------------------------------------


def accepted_near(author, category, district, inside, title="Яма біля зупинки"):
    appeal = submit_appeal(
        author,
        category,
        district=district,
        latitude=float(inside["latitude"]) + 0.0003,
        longitude=float(inside["longitude"]),
        title=title,
    )
    return transition(appeal=appeal, action=Action.ACCEPT, actor=author, role=MODERATOR)


def test_form_page_shows_suggestions_for_a_point_in_the_query_without_js(
    client, other_resident, category, district, inside
):
    near = accepted_near(other_resident, category, district, inside)

    html = client.get(
        step2(category) + f"&latitude={inside['latitude']}&longitude={inside['longitude']}"
    ).content.decode()

    assert "Is it one of these?" in html
    assert near.title in html
    assert reverse("appeals:follow", args=[near.reference]) in html


def test_form_sent_back_with_errors_shows_suggestions_for_its_point(
    client, other_resident, category, district, inside
):
    accepted_near(other_resident, category, district, inside)

    response = client.post(step2(category), form_data(title="", **inside))

    assert "Is it one of these?" in response.content.decode()


def test_proposals_get_no_duplicate_suggestions(client, other_resident, category, district, inside):
    accepted_near(other_resident, category, district, inside)

    html = client.get(
        step2(category, "proposal")
        + f"&latitude={inside['latitude']}&longitude={inside['longitude']}"
    ).content.decode()

    assert "Is it one of these?" not in html
    assert 'data-similar-url=""' in html


def test_form_page_query_count_does_not_grow_with_suggestions_or_questions(
    client, other_resident, category, district, inside, questions, django_assert_max_num_queries
):
    for i in range(8):
        accepted_near(other_resident, category, district, inside, title=f"Яма {i}")
    url = step2(category) + f"&latitude={inside['latitude']}&longitude={inside['longitude']}"

    # session, user, category, its questions, their choices, the suggestions, the header's
    # unread count
    with django_assert_max_num_queries(7):
        response = client.get(url)

    assert response.content.decode().count("similar-item") == 5
