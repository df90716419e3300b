"""Keys of category question choices: made in the admin, fixed once saved, and the
migration (0024) that turned the old label lines and stored labels into keys."""

import pytest
from django.urls import reverse

from appeals.choice_keys import answers_with_keys, answers_with_labels, choices_from_lines
from appeals.models import QuestionChoice
from tests.factories import CategoryFactory, category_question

# --- the migration's logic -----------------------------------------------------------


def test_lines_become_choices_keyed_by_the_ukrainian_label_paired_with_english():
    choices = choices_from_lines("Менше 30 см\n 30–100  см\n\nБільше метра\n", "Small\nMid\nBig")

    assert choices == [
        {"key": "menshe-30-sm", "label_uk": "Менше 30 см", "label_en": "Small"},
        {"key": "30-100-sm", "label_uk": "30–100 см", "label_en": "Mid"},
        {"key": "bilshe-metra", "label_uk": "Більше метра", "label_en": "Big"},
    ]


def test_english_lines_that_do_not_pair_are_left_empty_to_fall_back_to_ukrainian():
    choices = choices_from_lines("Вода\nСкло", "Water")

    assert [(c["key"], c["label_en"]) for c in choices] == [("voda", ""), ("sklo", "")]


def test_only_english_lines_give_both_labels():
    assert choices_from_lines("", "Left\nRight") == [
        {"key": "left", "label_uk": "Left", "label_en": "Left"},
        {"key": "right", "label_uk": "Right", "label_en": "Right"},
    ]


def test_keys_stay_unique_within_a_question_and_repeated_lines_are_one_choice():
    choices = choices_from_lines("Так!\nТак?\nТак!\n???", "")

    assert [c["key"] for c in choices] == ["tak", "tak-2", "item"]


QUESTIONS = {
    "size": choices_from_lines("Менше 30 см\n30–100 см", "Under 30 cm\n30–100 cm"),
    "near": choices_from_lines("Школа\nЗупинка", "School\nBus stop"),
}


@pytest.mark.parametrize(
    ("stored", "migrated"),
    [
        ({"size": "30–100 см"}, {"size": "30-100-sm"}),
        ({"size": "Under 30 cm", "depth": 12}, {"size": "menshe-30-sm", "depth": 12}),
        (
            {"near": ["School", "Зупинка"], "since": "Школа"},
            {"near": ["shkola", "zupynka"], "since": "Школа"},
        ),
        ({"size": " under 30  CM "}, {"size": "menshe-30-sm"}),
    ],
)
def test_stored_labels_in_either_language_become_keys_other_answers_untouched(stored, migrated):
    assert answers_with_keys(stored, QUESTIONS) == migrated


@pytest.mark.parametrize(
    "stored",
    [
        {"size": "30-100-sm"},  # already a key
        {"depth": 12, "since": "вчора"},  # no choice question answered
        {"size": "Бульбашка"},  # names no choice: kept, never lost
        {},
    ],
)
def test_answers_with_nothing_to_rewrite_are_not_written(stored):
    assert answers_with_keys(stored, QUESTIONS) is None


def test_going_back_turns_keys_into_ukrainian_labels():
    answers = {"size": "30-100-sm", "near": ["shkola", "gone"], "depth": 3}

    assert answers_with_labels(answers, QUESTIONS) == {
        "size": "30–100 см",
        "near": ["Школа", "gone"],
        "depth": 3,
    }


# --- the admin: keys made from the label, fixed once saved ----------------------------


@pytest.fixture
def question(db):
    return category_question(
        CategoryFactory(),
        code="lane",
        type="single",
        label_uk="Смуга",
        label_en="Lane",
        choices=[("liva", "Ліва", "Left")],
    )


def change_data(question, rows):
    """The question's change form as the admin page posts it, with choice rows."""
    data = {
        "category": question.category_id,
        "ordering": 0,
        "code": question.code,
        "label_uk": question.label_uk,
        "label_en": question.label_en,
        "type": question.type,
        "help_text_uk": "",
        "help_text_en": "",
        "choices-TOTAL_FORMS": len(rows),
        "choices-INITIAL_FORMS": sum(1 for row in rows if row.get("id")),
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        data |= {f"choices-{i}-question": question.pk, f"choices-{i}-ordering": i}
        data |= {f"choices-{i}-{name}": value for name, value in row.items()}
    return data


def save(client, question, rows):
    url = reverse("admin:appeals_categoryquestion_change", args=[question.pk])
    return client.post(url, change_data(question, rows))


def test_a_choice_added_without_a_key_gets_one_from_its_ukrainian_label(
    client_for, superuser, question
):
    old = question.choices.get()
    rows = [
        {"id": old.pk, "key": "liva", "label_uk": "Ліва", "label_en": "Left"},
        {"key": "", "label_uk": "Права смуга", "label_en": "Right lane"},
        {"key": "", "label_uk": "Ліва", "label_en": "Left again"},
    ]

    response = save(client_for(superuser), question, rows)

    assert response.status_code == 302, response.content.decode()[-3000:]
    assert list(question.choices.values_list("key", "label_en")) == [
        ("liva", "Left"),
        ("prava-smuha", "Right lane"),
        ("liva-2", "Left again"),
    ]


def test_a_saved_key_never_changes_while_its_label_may(client_for, superuser, question):
    old = question.choices.get()
    rows = [{"id": old.pk, "key": "left-lane", "label_uk": "Ліва смуга", "label_en": "Left lane"}]

    response = save(client_for(superuser), question, rows)

    assert response.status_code == 302
    old.refresh_from_db()
    assert (old.key, old.label_uk, old.label_en) == ("liva", "Ліва смуга", "Left lane")


def test_a_key_typed_by_hand_that_is_no_slug_is_refused(client_for, superuser, question):
    rows = [{"key": "права смуга", "label_uk": "Права", "label_en": "Right"}]

    response = save(client_for(superuser), question, rows)

    assert response.status_code == 200  # the form again, with the error
    assert not QuestionChoice.objects.filter(label_en="Right").exists()
