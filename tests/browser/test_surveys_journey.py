"""A resident answers a survey on a phone, sees the results; a survey manager builds one."""

import re

import pytest
from playwright.sync_api import expect

from citizens.roles import roles_sync
from surveys.models import Answer, Response
from tests.factories import (
    PASSWORD,
    UserFactory,
    enable_mfa,
    give_role,
    totp_code,
    verify_email,
)
from tests.surveys.factories import QuestionFactory, SurveyFactory, question_with_choices

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shelters():
    roles_sync()
    survey = SurveyFactory(
        slug="shelters",
        title_uk="Укриття у вашому районі",
        title_en="Shelters in your neighbourhood",
        description_uk="Розкажіть, наскільки далеко найближче укриття і чого в ньому бракує.",
        description_en="Tell us how far the nearest shelter is and what it lacks.",
        results_visibility="live",
    )
    walk = question_with_choices(
        survey,
        labels=("До 5 хвилин", "5–15 хвилин", "Понад 15 хвилин"),
        text_uk="Скільки часу йти до найближчого укриття?",
        text_en="How long is the walk to the nearest shelter?",
        required=True,
        allow_other=True,
        page=1,
    )
    lacks = question_with_choices(
        survey,
        kind="multiple",
        labels=("Питної води", "Освітлення", "Туалету"),
        text_uk="Чого бракує в укритті?",
        text_en="What does the shelter lack?",
        max_choices=2,
        page=1,
    )
    rating = QuestionFactory(
        survey=survey,
        kind="rating",
        page=2,
        required=True,
        text_uk="Оцініть стан укриття",
        text_en="Rate the shelter's condition",
    )
    goes = QuestionFactory(
        survey=survey,
        kind="yes_no",
        page=2,
        required=True,
        text_uk="Чи ходите ви в укриття під час тривоги?",
        text_en="Do you go to the shelter during alerts?",
    )
    why = QuestionFactory(
        survey=survey,
        kind="short_text",
        page=3,
        condition_question=goes,
        condition_yes=False,
        text_uk="Чому ні?",
        text_en="Why not?",
    )
    return survey, walk, lacks, rating, goes, why


def sign_in(page, base, user, next_path, *, mfa=False):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.fill("#id_login", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator("#id_password").press("Enter")
    if mfa:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.fill("#id_code", totp_code(margin=6))
        page.locator("#id_code").press("Enter")
    expect(page).to_have_url(re.compile(re.escape(next_path) + "$"))


@pytest.mark.parametrize("language", ["uk", "en"])
def test_resident_answers_a_survey_on_a_phone(
    phone_page, live_server, screenshot, shelters, language
):
    survey, walk, _lacks, rating, goes, why = shelters
    resident = UserFactory(email=f"resident-{language}@example.com", preferred_language=language)
    verify_email(resident)
    page = phone_page
    base = live_server.url

    sign_in(page, base, resident, "/surveys/")
    expect(
        page.get_by_role("link", name=survey.title_uk if language == "uk" else survey.title_en)
    ).to_be_visible()
    screenshot(page, f"{language}-1-list")
    page.goto(f"{base}/surveys/shelters/")
    screenshot(page, f"{language}-2-survey")
    page.locator('a[href="/surveys/shelters/answer/"]').click()

    # Screen 1: "Next" without the required answer shows the error by the question.
    page.locator('button[name="next"]').click()
    expect(page.locator(f"#q{walk.pk}-error")).to_be_visible()
    # "Other" reveals its text field (JavaScript); the answer is refused without it.
    other_text = page.locator(f"#q{walk.pk}_other")
    expect(other_text).to_be_hidden()
    page.locator(f"#q{walk.pk}-other").check()
    expect(other_text).to_be_visible()
    other_text.fill("Укриття зачинене вночі")
    page.get_by_label("Освітлення").check()
    screenshot(page, f"{language}-3-screen-one")
    page.locator('button[name="next"]').click()

    # Screen 2 of 2 so far: "No" adds the "Why not?" screen.
    expect(page.locator("progress")).to_have_attribute("value", "2")
    page.locator(f'label[for="q{rating.pk}-2"]').click()
    page.locator(f"#q{goes.pk}-no").check()
    screenshot(page, f"{language}-4-screen-two")
    page.locator('button[name="next"]').click()
    expect(page.locator("progress")).to_have_attribute("max", "3")
    page.fill(f"#q{why.pk}", "Далеко і темно")
    page.locator('button[name="next"]').click()

    expect(page).to_have_url(re.compile(r"/surveys/shelters/thanks/$"))
    screenshot(page, f"{language}-5-thanks")
    page.locator('a[href="/surveys/shelters/results/"]').click()
    expect(page.locator("svg.survey-bar").first).to_be_visible()
    screenshot(page, f"{language}-6-results")

    response = Response.objects.get()
    assert response.respondent is None
    assert Answer.objects.filter(question=walk, text="Укриття зачинене вночі").exists()
    assert Answer.objects.filter(question=why, text="Далеко і темно").exists()
    assert page.errors == []


def test_survey_manager_builds_a_survey_in_the_admin(phone_page, live_server, screenshot, shelters):
    from surveys.services import survey_respond
    from tests.surveys.conftest import answer_for

    survey, *_ = shelters
    for _n in range(3):
        survey_respond(survey=survey, user=UserFactory(), raw=answer_for(survey))
    manager = UserFactory(email="surveys@example.com", is_staff=True)
    verify_email(manager)
    enable_mfa(manager)
    give_role(manager, "survey_manager")
    page = phone_page
    page.set_viewport_size({"width": 1280, "height": 900})
    base = live_server.url
    sign_in(page, base, manager, f"/admin/surveys/survey/{survey.pk}/change/", mfa=True)
    expect(page.locator("#questions-group")).to_be_visible()
    screenshot(page, "1-builder")
    page.goto(f"{base}/admin/surveys/survey/{survey.pk}/results/")
    expect(page.get_by_role("link", name=re.compile("CSV"))).to_be_visible()
    screenshot(page, "2-admin-results")
