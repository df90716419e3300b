"""The list of surveys, a survey's page and "My surveys"."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.services import survey_respond

from .conftest import answer_for
from .factories import SurveyFactory, question_with_choices

pytestmark = pytest.mark.django_db


def test_list_shows_open_and_closed_surveys_with_answered_marks(resident, client_for):
    now = timezone.now()
    answered = SurveyFactory(title_uk="Укриття у школах")
    question_with_choices(answered)
    survey_respond(survey=answered, user=resident, raw=answer_for(answered))
    SurveyFactory(title_uk="Нові маршрути")
    SurveyFactory(
        title_uk="Зимове опалення",
        opens_at=now - dt.timedelta(days=30),
        closes_at=now - dt.timedelta(days=1),
    )
    SurveyFactory(title_uk="Чернетка", is_published=False)
    html = client_for(resident).get(reverse("surveys:list")).content.decode()
    assert "Укриття у школах" in html
    assert "Нові маршрути" in html
    assert "Зимове опалення" in html
    assert "Чернетка" not in html
    assert html.count("✓") == 1


def test_list_hides_surveys_for_other_districts(far_resident, district, client_for):
    SurveyFactory(title_uk="Лише для Дніпровського", audience="districts", districts=[district])
    SurveyFactory(title_uk="Для всіх")
    html = client_for(far_resident).get(reverse("surveys:list")).content.decode()
    assert "Для всіх" in html
    assert "Лише для Дніпровського" not in html


def test_list_queries_do_not_grow(resident, client_for, count_survey_queries, district):
    def closed(n):
        now = timezone.now()
        return SurveyFactory(
            closes_at=now - dt.timedelta(hours=n + 1), opens_at=now - dt.timedelta(days=40)
        )

    for n in range(3):
        SurveyFactory(audience="districts" if n % 2 else "everyone").districts.set([district])
        closed(n)
    client = client_for(resident)
    with count_survey_queries() as few:
        client.get(reverse("surveys:list"))
    for n in range(30):
        SurveyFactory(
            closes_at=timezone.now() - dt.timedelta(hours=n + 1),
            opens_at=timezone.now() - dt.timedelta(days=40),
        )
    with count_survey_queries() as many:
        assert client.get(reverse("surveys:list")).status_code == 200
    assert few["count"] == many["count"] <= 5


def test_detail_page_for_everyone(survey, client_for, resident, count_survey_queries):
    url = reverse("surveys:detail", args=[survey.slug])
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 200
    assert reverse("account_login") in anonymous.content.decode()
    with count_survey_queries() as queries:
        page = client_for(resident).get(url)
    assert reverse("surveys:answer", args=[survey.slug]) in page.content.decode()
    assert queries["count"] <= 4


def test_unknown_survey_is_404(client_for):
    assert client_for(None).get(reverse("surveys:detail", args=["nope"])).status_code == 404


def test_my_surveys_lists_what_i_answered(survey, resident, other_resident, client_for):
    survey_respond(survey=survey, user=resident, raw=answer_for(survey))
    mine = client_for(resident).get(reverse("surveys:mine")).content.decode()
    assert survey.title_uk in mine
    theirs = client_for(other_resident).get(reverse("surveys:mine")).content.decode()
    assert survey.title_uk not in theirs


def test_my_surveys_needs_sign_in(client_for):
    assert client_for(None).get(reverse("surveys:mine")).status_code == 302


def test_cabinet_links_to_my_surveys(resident, client_for):
    html = client_for(resident).get(reverse("citizens:cabinet")).content.decode()
    assert reverse("surveys:mine") in html


def test_pages_in_english(survey, resident, client_for, everything_in_english):
    resident.preferred_language = "en"
    resident.save()
    html = client_for(resident).get(reverse("surveys:detail", args=[survey.slug])).content.decode()
    assert "Shelters" in html
    assert "Answer the survey" in html


def test_the_list_for_visitors_is_cached(survey, client_for, count_survey_queries):
    client = client_for(None)
    client.get(reverse("surveys:list"))
    with count_survey_queries() as queries:
        page = client.get(reverse("surveys:list"))
    assert survey.title_uk in page.content.decode()
    assert queries["count"] == 0
