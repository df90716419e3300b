"""Answering through the pages: one screen at a time, kept in the session, once."""

import pytest
from django.urls import reverse

from surveys.models import Answer, Participation, Response

from .factories import QuestionFactory, SurveyFactory, question_with_choices

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_screens():
    survey = SurveyFactory(slug="transport", is_anonymous=True)
    bus = question_with_choices(survey, labels=("Щодня", "Інколи", "Ніколи"), page=1, required=True)
    rating = QuestionFactory(survey=survey, kind="rating", page=2, required=True)
    never = bus.choices.get(label_uk="Ніколи")
    why = QuestionFactory(
        survey=survey,
        kind="long_text",
        page=3,
        condition_question=bus,
        condition_choice=never,
    )
    return survey, bus, rating, why


def answer_url(survey, step):
    return reverse("surveys:answer", args=[survey.slug]) + f"?step={step}"


def test_a_resident_answers_screen_by_screen(three_screens, resident, client_for):
    survey, bus, rating, _why = three_screens
    client = client_for(resident)
    first = client.get(answer_url(survey, 1))
    assert first.status_code == 200
    # "Never" is not chosen, so the third screen is skipped: two steps.
    assert "1 з 2" in first.content.decode() or "1 of 2" in first.content.decode()
    daily = bus.choices.get(label_uk="Щодня")
    step = client.post(answer_url(survey, 1), {f"q{bus.pk}": daily.pk, "next": "1"})
    assert step.status_code == 302
    assert step["Location"].endswith("?step=2")
    done = client.post(answer_url(survey, 2), {f"q{rating.pk}": "4", "next": "1"})
    assert done.status_code == 302
    assert done["Location"] == reverse("surveys:thanks", args=["transport"])
    response = Response.objects.get()
    assert response.respondent is None  # anonymous
    assert set(Answer.objects.values_list("question_id", flat=True)) == {bus.pk, rating.pk}
    assert Participation.objects.filter(user=resident, survey=survey).exists()
    assert client.get(done["Location"]).status_code == 200


def test_a_condition_adds_a_screen(three_screens, resident, client_for):
    survey, bus, rating, why = three_screens
    client = client_for(resident)
    never = bus.choices.get(label_uk="Ніколи")
    client.post(answer_url(survey, 1), {f"q{bus.pk}": never.pk, "next": "1"})
    page = client.get(answer_url(survey, 2))
    assert "2 з 3" in page.content.decode() or "2 of 3" in page.content.decode()
    client.post(answer_url(survey, 2), {f"q{rating.pk}": "2", "next": "1"})
    client.post(answer_url(survey, 3), {f"q{why.pk}": "Автобус не ходить", "next": "1"})
    assert Answer.objects.filter(question=why, text="Автобус не ходить").exists()


def test_errors_keep_what_was_typed_and_point_at_the_question(three_screens, resident, client_for):
    survey, bus, rating, _why = three_screens
    client = client_for(resident)
    daily = bus.choices.get(label_uk="Щодня")
    client.post(answer_url(survey, 1), {f"q{bus.pk}": daily.pk, "next": "1"})
    page = client.post(answer_url(survey, 2), {f"q{rating.pk}": "9", "next": "1"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="q{rating.pk}-error"' in html
    assert "aria-invalid" in html
    assert Response.objects.count() == 0
    # Back to the first screen: the choice made there is still checked.
    back = client.get(answer_url(survey, 1)).content.decode()
    assert f'value="{daily.pk}" checked' in back


def test_partial_answers_survive_a_lost_connection(three_screens, resident, client_for):
    survey, bus, _rating, _why = three_screens
    client = client_for(resident)
    daily = bus.choices.get(label_uk="Щодня")
    saved = client.post(answer_url(survey, 1), {f"q{bus.pk}": daily.pk, "autosave": "1"})
    assert saved.status_code == 204
    # A new visit to the survey offers to continue, with the answer kept.
    detail = client.get(reverse("surveys:detail", args=[survey.slug])).content.decode()
    assert "Продовжити" in detail or "Continue" in detail
    assert f'value="{daily.pk}" checked' in client.get(answer_url(survey, 1)).content.decode()


def test_back_keeps_the_screen_without_checking_it(three_screens, resident, client_for):
    survey, bus, rating, _why = three_screens
    client = client_for(resident)
    daily = bus.choices.get(label_uk="Щодня")
    client.post(answer_url(survey, 1), {f"q{bus.pk}": daily.pk, "next": "1"})
    back = client.post(answer_url(survey, 2), {f"q{rating.pk}": "", "back": "1"})
    assert back.status_code == 302
    assert back["Location"].endswith("?step=1")


def test_a_tampered_choice_id_in_the_form_is_refused(three_screens, resident, client_for):
    survey, bus, _rating, _why = three_screens
    other = question_with_choices(SurveyFactory())
    client = client_for(resident)
    page = client.post(answer_url(survey, 1), {f"q{bus.pk}": other.choices.first().pk, "next": "1"})
    assert page.status_code == 200
    assert f'id="q{bus.pk}-error"' in page.content.decode()
    assert Response.objects.count() == 0


def test_a_second_response_is_refused(three_screens, resident, client_for):
    survey, bus, rating, _why = three_screens
    client = client_for(resident)
    daily = bus.choices.get(label_uk="Щодня")
    for _ in range(2):
        client.post(answer_url(survey, 1), {f"q{bus.pk}": daily.pk, "next": "1"})
        client.post(answer_url(survey, 2), {f"q{rating.pk}": "5", "next": "1"})
    assert Response.objects.count() == 1
    again = client.get(answer_url(survey, 1))
    assert again.status_code == 302
    assert again["Location"] == survey.get_absolute_url()


def test_step_out_of_range_shows_a_real_step(three_screens, resident, client_for):
    survey, *_ = three_screens
    client = client_for(resident)
    assert client.get(answer_url(survey, 99)).status_code == 200
    assert client.get(reverse("surveys:answer", args=[survey.slug]) + "?step=x").status_code == 200


def test_anonymous_visitors_are_sent_to_sign_in(three_screens, client_for):
    survey, *_ = three_screens
    page = client_for(None).get(answer_url(survey, 1))
    assert page.status_code == 302
    assert "/accounts/login/" in page["Location"]


def test_every_question_type_renders_with_labels(resident, client_for):
    survey = SurveyFactory(slug="all-kinds")
    question_with_choices(survey, kind="single", allow_other=True)
    question_with_choices(survey, kind="multiple", min_choices=1, max_choices=2)
    question_with_choices(survey, kind="ranking")
    for kind in ("rating", "yes_no", "short_text", "long_text", "number"):
        QuestionFactory(survey=survey, kind=kind, number_min=0 if kind == "number" else None)
    page = client_for(resident).get(answer_url(survey, 1))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<fieldset") == 8
    assert html.count("<legend") == 8
    for question in survey.questions.all():
        assert f'name="q{question.pk}' in html


# --- Screens kept on the device offline and sent later (static/js/outbox.js) -

JSON = {"HTTP_ACCEPT": "application/json"}


def test_a_screen_sent_later_is_kept_and_points_at_the_next_one(
    three_screens, resident, client_for
):
    survey, bus, _rating, _why = three_screens
    client = client_for(resident)
    daily = bus.choices.get(label_uk="Щодня")

    sent = client.post(answer_url(survey, 1), {f"q{bus.pk}": daily.pk}, **JSON)

    assert sent.status_code == 200
    assert sent.json()["url"].endswith("?step=2")
    assert sent.json()["message"]
    # The session holds it: the next screen opens where the person left off.
    assert client.get(answer_url(survey, 2)).status_code == 200
    assert Response.objects.count() == 0


def test_the_last_screen_sent_later_records_the_response_once(three_screens, resident, client_for):
    survey, bus, rating, _why = three_screens
    client = client_for(resident)
    daily = bus.choices.get(label_uk="Щодня")
    client.post(answer_url(survey, 1), {f"q{bus.pk}": daily.pk}, **JSON)

    done = client.post(answer_url(survey, 2), {f"q{rating.pk}": "4"}, **JSON)
    again = client.post(answer_url(survey, 2), {f"q{rating.pk}": "4"}, **JSON)

    assert done.status_code == 201
    assert done.json()["url"] == reverse("surveys:thanks", args=[survey.slug])
    assert again.status_code == 400  # answered already, with the reason
    assert again.json()["message"]
    assert Response.objects.count() == 1


def test_a_screen_sent_later_with_errors_is_refused_with_where_to_fix_it(
    three_screens, resident, client_for
):
    survey, bus, _rating, _why = three_screens
    client = client_for(resident)

    refused = client.post(answer_url(survey, 1), {f"q{bus.pk}": ""}, **JSON)

    assert refused.status_code == 400
    assert refused.json()["message"]
    assert "step=1" in refused.json()["url"]


def test_answer_screens_are_kept_for_offline_reading(three_screens, resident, client_for):
    survey, *_rest = three_screens

    html = client_for(resident).get(answer_url(survey, 1)).content.decode()

    assert "data-offline-keep" in html
    assert "data-outbox" in html


def test_screens_past_the_limit_get_429_but_autosaves_are_not_counted(
    three_screens, resident, client_for, settings
):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "survey_answer": {"account": "1/minute", "address": "10/minute"},
    }
    survey, bus, _rating, _why = three_screens
    client = client_for(resident)
    daily = bus.choices.get(label_uk="Щодня")
    for _ in range(3):
        autosaved = client.post(answer_url(survey, 1), {f"q{bus.pk}": daily.pk, "autosave": "1"})
        assert autosaved.status_code == 204
    assert client.post(answer_url(survey, 1), {f"q{bus.pk}": daily.pk}).status_code == 302
    refused = client.post(answer_url(survey, 2), {f"q{bus.pk}": daily.pk})
    assert refused.status_code == 429
