"""A survey screen answered while the connection is gone is kept on the phone
and reaches the server when the connection returns."""

import re

import pytest
from playwright.sync_api import expect

from surveys.models import Response
from tests.browser.test_offline import sign_in, wait_for_worker
from tests.factories import UserFactory, verify_email
from tests.surveys.factories import QuestionFactory, SurveyFactory, question_with_choices

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_answers_written_offline_are_sent_when_back_online(phone_page, live_server, screenshot):
    survey = SurveyFactory(slug="water", title_uk="Вода у вашому будинку", is_anonymous=True)
    supply = question_with_choices(
        survey,
        labels=("Щодня", "За графіком", "Немає"),
        text_uk="Як часто у вас є вода?",
        required=True,
        page=1,
    )
    QuestionFactory(survey=survey, kind="rating", page=2, required=True)
    resident = UserFactory(email="water@example.com", preferred_language="uk")
    verify_email(resident)
    page = phone_page
    sign_in(page, live_server, resident, f"/surveys/{survey.slug}/answer/%3Fstep%3D1")
    expect(page).to_have_url(re.compile(r"step=1"))
    wait_for_worker(page)

    page.context.set_offline(True)
    page.get_by_label("За графіком").check()
    page.locator('button[name="next"]').click()
    status = page.locator("#outbox-status")
    expect(status).to_contain_text("Вода у вашому будинку")
    screenshot(page, "1-kept")

    page.context.set_offline(False)
    expect(status.get_by_role("link", name="Продовжити опитування")).to_be_visible(timeout=30_000)
    screenshot(page, "2-saved")
    status.get_by_role("link", name="Продовжити опитування").click()
    expect(page).to_have_url(re.compile(r"step=2"))

    # What was answered offline is in the draft: the last screen completes it.
    page.locator("label.btn", has_text=re.compile(r"^4$")).click()
    page.locator('button[name="next"]').click()
    expect(page).to_have_url(re.compile(r"/thanks/"))
    response = Response.objects.get(survey=survey)
    assert response.answers.filter(question=supply).count() == 1
