"""Announcing a survey, and what may change once people have answered."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from citizens.notifications.models import Broadcast, Notification
from surveys.models import Question
from surveys.services import (
    SurveyError,
    choice_change_check,
    question_change_check,
    question_delete_check,
    survey_announce,
    survey_respond,
)
from tests.factories import UserFactory

from .conftest import answer_for
from .factories import ChoiceFactory, SurveyFactory, question_with_choices

pytestmark = pytest.mark.django_db


def test_announcing_tells_the_audience_once(survey, django_capture_on_commit_callbacks, eager):
    people = UserFactory.create_batch(3)
    with django_capture_on_commit_callbacks(execute=True):
        broadcast = survey_announce(survey=survey)
    assert broadcast.event == "surveys.announced"
    assert broadcast.url == survey.get_absolute_url()
    assert broadcast.context["title"] == {"uk": "Укриття", "en": "Shelters"}
    recipients = set(
        Notification.objects.filter(event="surveys.announced").values_list(
            "recipient_id", flat=True
        )
    )
    assert {p.pk for p in people} <= recipients
    with pytest.raises(SurveyError):
        survey_announce(survey=survey)
    assert Broadcast.objects.count() == 1


def test_a_district_survey_is_announced_to_its_districts(district, other_district):
    survey = SurveyFactory(audience="districts", districts=[district])
    broadcast = survey_announce(survey=survey)
    assert broadcast.audience["district_ids"] == [district.pk]


def test_a_verified_only_survey_is_announced_to_verified_residents():
    broadcast = survey_announce(survey=SurveyFactory(audience="verified"))
    assert broadcast.audience["verified_only"] is True


@pytest.mark.parametrize(
    "fields",
    [
        {"is_published": False},
        {
            "opens_at": timezone.now() - dt.timedelta(days=9),
            "closes_at": timezone.now() - dt.timedelta(days=1),
        },
        {"audience": "districts"},  # no districts chosen
    ],
)
def test_announcing_is_refused_when_it_makes_no_sense(fields):
    with pytest.raises(SurveyError):
        survey_announce(survey=SurveyFactory(**fields))
    assert Broadcast.objects.count() == 0


def test_admin_action_announces(survey, survey_manager, client_for):
    client = client_for(survey_manager)
    page = client.post(
        reverse("admin:surveys_survey_changelist"),
        {"action": "announce", "_selected_action": [survey.pk]},
    )
    assert page.status_code == 302
    survey.refresh_from_db()
    assert survey.announced_at is not None


def test_city_admin_cannot_announce(survey, city_admin, client_for):
    client = client_for(city_admin)
    client.post(
        reverse("admin:surveys_survey_changelist"),
        {"action": "announce", "_selected_action": [survey.pk]},
    )
    survey.refresh_from_db()
    assert survey.announced_at is None


# --- questions locked by answers ----------------------------------------------------------


@pytest.fixture
def answered(survey, resident):
    survey_respond(survey=survey, user=resident, raw=answer_for(survey))
    return survey


def test_before_answers_anything_may_change(survey):
    question = survey.questions.get()
    question_change_check(question=question, changed=["kind", "required"])
    question_delete_check(question=question)
    choice_change_check(choice=ChoiceFactory.build(question=question))


@pytest.mark.parametrize("field", ["kind", "required", "min_choices", "scale_max", "page"])
def test_after_answers_structure_is_locked(answered, field, english):
    question = answered.questions.get()
    with pytest.raises(SurveyError, match="only the wording"):
        question_change_check(question=question, changed=[field])


def test_after_answers_wording_may_change(answered):
    question = answered.questions.get()
    question_change_check(question=question, changed=["text_uk", "text_en", "help_text_uk"])
    choice_change_check(choice=question.choices.first(), changed=["label_uk"])


def test_after_answers_only_optional_questions_may_be_added(answered):
    question_change_check(question=Question(survey=answered, kind="yes_no", required=False))
    with pytest.raises(SurveyError):
        question_change_check(question=Question(survey=answered, kind="yes_no", required=True))


def test_after_answers_options_cannot_be_added_removed_or_reordered(answered):
    question = answered.questions.get()
    with pytest.raises(SurveyError):
        choice_change_check(choice=ChoiceFactory.build(question=question))
    with pytest.raises(SurveyError):
        choice_change_check(choice=question.choices.first(), deleting=True)
    with pytest.raises(SurveyError):
        choice_change_check(choice=question.choices.first(), changed=["order"])
    with pytest.raises(SurveyError):
        question_delete_check(question=question)


def test_an_anonymous_response_keeps_no_link_to_the_person(survey, resident):
    response = survey_respond(survey=survey, user=resident, raw=answer_for(survey))
    assert response.respondent_id is None
    assert response.submitted_at.minute == 0
    assert response.submitted_at.second == 0


def test_a_named_response_keeps_the_person(resident):
    survey = SurveyFactory(is_anonymous=False)
    question_with_choices(survey)
    response = survey_respond(survey=survey, user=resident, raw=answer_for(survey))
    assert response.respondent_id == resident.pk


def test_the_second_response_is_refused_by_the_service(survey, resident, english):
    survey_respond(survey=survey, user=resident, raw=answer_for(survey))
    with pytest.raises(SurveyError, match="already answered"):
        survey_respond(survey=survey, user=resident, raw=answer_for(survey))
