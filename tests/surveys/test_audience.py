"""Who may answer a survey: the audience rules as a role table, and closed surveys."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import Participation, Response
from surveys.services import SurveyError, survey_respond

from .conftest import answer_for
from .factories import SurveyFactory, question_with_choices

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "resident",  # signed in, not verified, no district
    "verified_resident",  # verified, lives in `district`
    "far_resident",  # not verified, lives in `other_district`
    "survey_manager",  # staff
]

# audience -> the roles that may answer
MAY_ANSWER = {
    "everyone": {"resident", "verified_resident", "far_resident", "survey_manager"},
    "verified": {"verified_resident"},
    "districts": {"verified_resident"},
}


@pytest.fixture
def survey_for(district):
    def make(audience):
        survey = SurveyFactory(audience=audience, slug=f"for-{audience}")
        if audience == "districts":
            survey.districts.set([district])
        question_with_choices(survey, required=True)
        return survey

    return make


@pytest.mark.parametrize("audience", sorted(MAY_ANSWER))
@pytest.mark.parametrize("role", ROLES)
def test_who_may_answer(request, survey_for, client_for, audience, role, english):
    survey = survey_for(audience)
    user = request.getfixturevalue(role)
    client = client_for(user)
    page = client.get(reverse("surveys:answer", args=[survey.slug]))
    if role in MAY_ANSWER[audience]:
        assert page.status_code == 200
        survey_respond(survey=survey, user=user, raw=answer_for(survey))
        assert Participation.objects.filter(survey=survey, user=user).exists()
    else:
        assert page.status_code == 302
        if user is not None:
            with pytest.raises(SurveyError):
                survey_respond(survey=survey, user=user, raw=answer_for(survey))
        assert not Response.objects.filter(survey=survey).exists()


def test_a_resident_outside_the_districts_is_told_why(survey_for, far_resident, client_for):
    survey = survey_for("districts")
    client = client_for(far_resident)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("surveys:detail", args=[survey.slug]), HTTP_ACCEPT_LANGUAGE="en")
    assert "only for residents of" in page.content.decode() or "лише для мешканців" in (
        page.content.decode()
    )


def test_an_unverified_resident_is_told_how_to_be_verified(survey_for, resident, english):
    survey = survey_for("verified")
    with pytest.raises(SurveyError, match="A service centre"):
        survey_respond(survey=survey, user=resident, raw=answer_for(survey))


def test_a_resident_without_a_district_is_asked_to_set_it(survey_for, resident, english):
    survey = survey_for("districts")
    with pytest.raises(SurveyError, match="Set your home district"):
        survey_respond(survey=survey, user=resident, raw=answer_for(survey))


def test_a_response_after_closing_is_refused(resident, english):
    survey = SurveyFactory(
        opens_at=timezone.now() - dt.timedelta(days=9),
        closes_at=timezone.now() - dt.timedelta(minutes=1),
    )
    question_with_choices(survey)
    with pytest.raises(SurveyError, match="closed on"):
        survey_respond(survey=survey, user=resident, raw=answer_for(survey))


def test_posting_answers_after_closing_is_refused_with_an_explanation(resident, client_for):
    survey = SurveyFactory(closes_at=timezone.now() + dt.timedelta(seconds=30))
    question = question_with_choices(survey, required=True)
    client = client_for(resident)
    client.get(reverse("surveys:answer", args=[survey.slug]))
    survey.closes_at = timezone.now() - dt.timedelta(seconds=1)
    survey.save()
    choice = question.choices.first()
    page = client.post(
        reverse("surveys:answer", args=[survey.slug]) + "?step=1",
        {f"q{question.pk}": choice.pk, "next": "1"},
        follow=True,
    )
    assert Response.objects.count() == 0
    assert "закрито" in page.content.decode() or "closed" in page.content.decode()


def test_a_draft_survey_is_hidden_from_residents(resident, survey_manager, client_for):
    survey = SurveyFactory(is_published=False)
    url = reverse("surveys:detail", args=[survey.slug])
    assert client_for(resident).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 404
    assert client_for(survey_manager).get(url).status_code == 200


def test_a_survey_not_yet_open_is_hidden(resident):
    survey = SurveyFactory(
        opens_at=timezone.now() + dt.timedelta(days=1),
        closes_at=timezone.now() + dt.timedelta(days=2),
    )
    with pytest.raises(SurveyError):
        survey_respond(survey=survey, user=resident, raw={})
