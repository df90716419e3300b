"""Clerks on a 1366×768 laptop (issue 19, points 12–15): the moderator starts from the
admin's front page, routes an appeal from the queue, and the department's clerk
answers it from a template; the lists never scroll sideways."""

import re

import pytest
from playwright.sync_api import expect

from appeals.models import AnswerTemplate, Appeal, CategoryQuestion
from appeals.workflow import Status
from citizens.models import PriorityCategory
from citizens.roles import roles_sync
from tests.browser.test_staff_journey import sign_in, staff_user
from tests.factories import (
    CategoryFactory,
    DepartmentFactory,
    UserFactory,
    submit_appeal,
    verify_email,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
LONG_TITLE = (
    "Глибока яма на проїжджій частині вулиці Перекопської біля зупинки громадського "
    "транспорту «Площа Свободи», машини об'їжджають її по тротуару"
)
TEMPLATE_TEXT = "Шановний заявнику! Ділянку дороги включено до графіка ямкового ремонту."
WORDS = {
    "uk": {"queue": "Очікує модерації", "answer": "Приблизний розмір ями: 30–100 см"},
    "en": {"queue": "Awaiting moderation", "answer": "Approximate size of the pothole: 30–100 cm"},
}

PAGE_FITS = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
FITS = """() => {
    const page = document.documentElement;
    const results = document.querySelector('#changelist .results');
    const table = document.querySelector('#result_list');
    return {
        page: page.scrollWidth <= page.clientWidth,
        results: results.scrollWidth <= results.clientWidth,
        table: table.getBoundingClientRect().right <= results.getBoundingClientRect().right + 1,
    };
}"""


def assert_fits(page):
    assert page.evaluate(FITS) == {"page": True, "results": True, "table": True}


def the_city(language):
    roles_sync()  # a transactional test starts from a flushed database
    roads = DepartmentFactory(slug="roads", name_uk="Управління доріг", name_en="Roads")
    pothole = CategoryFactory(
        department=roads,
        slug="pothole",
        # Long names are the ones that would push a list sideways.
        name_uk="Пошкодження дорожнього покриття та узбіч після обстрілу",
        name_en="Road surface and shoulders damaged by shelling",
        icon="🕳️",
    )
    size = CategoryQuestion.objects.create(
        category=pothole,
        code="size",
        label_uk="Приблизний розмір ями",
        label_en="Approximate size of the pothole",
        type=CategoryQuestion.Type.SINGLE,
    )
    for order, (key, uk, en) in enumerate(
        [("menshe-30-sm", "Менше 30 см", "Under 30 cm"), ("30-100-sm", "30–100 см", "30–100 cm")]
    ):
        size.choices.create(key=key, label_uk=uk, label_en=en, ordering=order)
    AnswerTemplate.objects.create(department=roads, title="Ямковий ремонт", text=TEMPLATE_TEXT)
    resident = UserFactory(email="author@example.com", full_name="Оксана Коваленко")
    verify_email(resident)
    moderator = staff_user("moderator@example.com", "moderator")
    clerk = staff_user("clerk@example.com", "department_staff")
    clerk.full_name = "Олександра-Вікторія Костянтинівна Чорноморченко-Задніпровська"
    clerk.save(update_fields=["full_name"])
    roads.members.add(clerk)
    for person in (moderator, clerk):
        person.preferred_language = language
        person.save(update_fields=["preferred_language"])
    others = [submit_appeal(resident, pothole, title=f"Яма №{n} біля школи") for n in range(3)]
    appeal = submit_appeal(resident, pothole, title=LONG_TITLE, extra_answers={"size": "30-100-sm"})
    # A priority appeal (Art. 20) carries a mark in the reference column.
    Appeal.objects.filter(pk=others[0].pk).update(
        priority=True, priority_category=PriorityCategory.COMBATANT
    )
    return roads, moderator, clerk, appeal, others


@pytest.mark.parametrize("language", ["uk", "en"])
def test_clerks_route_and_answer_at_1366_without_sideways_scrolling(
    phone_page, live_server, screenshot, language
):
    page = phone_page
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.set_viewport_size(LAPTOP)
    base = live_server.url
    roads, moderator, clerk, appeal, others = the_city(language)
    change_page = f"/admin/appeals/appeal/{appeal.pk}/change/"
    words = WORDS[language]

    # The front page starts with the moderator's work: the queue and its count.
    sign_in(page, base, moderator, "/admin/")
    overview = page.locator("#staff-overview")
    expect(overview).to_contain_text(words["queue"])
    expect(overview.locator("tr").first.locator("td.staff-overview-count")).to_have_text("4")
    box = overview.bounding_box()
    assert box["y"] < page.locator("#content-main").bounding_box()["y"]
    screenshot(page, "1-admin-home")
    # The department dashboard, linked from the front page, fits as well.
    overview.locator('th a[href$="/dashboard/"]').click()
    expect(page.locator("#appeal-dashboard")).to_contain_text(getattr(roads, f"name_{language}"))
    assert page.evaluate(PAGE_FITS)
    screenshot(page, "1b-dashboard")
    page.go_back()
    overview = page.locator("#staff-overview")

    # The queue, from its count: every column in view, the long title cut.
    overview.locator("tr").first.locator("th a").click()
    expect(page).to_have_url(re.compile(r"/admin/appeals/moderationqueue/$"))
    expect(page.locator("#result_list")).to_contain_text(appeal.reference)
    expect(page.locator(f'#result_list [title="{LONG_TITLE}"]')).to_have_count(1)
    assert_fits(page)
    screenshot(page, "2-queue")

    # The case page: the category's answers as "question: answer"; accept and route.
    page.locator(f'#result_list a[href="{change_page}"]').click()
    expect(page.locator(".appeal-answer")).to_have_text(words["answer"])
    screenshot(page, "3-case-page")
    page.locator("#action-accept summary").click()
    page.select_option("#id_accept-department", str(roads.pk))
    page.locator('#action-accept button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(change_page) + "$"))
    expect(page.locator(".messagelist")).to_be_visible()
    assert Appeal.objects.get(pk=appeal.pk).status == Status.ACCEPTED

    # The department's clerk: the list fits, the answer starts from a template.
    sign_in(page, base, clerk, "/admin/appeals/appeal/")
    expect(page.locator("#result_list")).to_contain_text(appeal.reference)
    assert_fits(page)
    screenshot(page, "4-changelist")
    page.locator(f'#result_list a[href="{change_page}"]').click()
    page.locator("#action-answer summary").click()
    page.locator("#action-answer .appeal-templates a").first.click()
    expect(page.locator("#id_answer-text")).to_have_value(TEMPLATE_TEXT)
    page.locator('#content-main button[type="submit"].default').click()
    expect(page).to_have_url(re.compile(re.escape(change_page) + "$"))
    assert Appeal.objects.get(pk=appeal.pk).status == Status.ANSWERED
    # Answered and assigned (the long name of the clerk): the list still fits.
    Appeal.objects.filter(pk__in=[a.pk for a in others]).update(assignee=clerk)
    page.goto(f"{base}/admin/appeals/appeal/")
    assert_fits(page)
    screenshot(page, "4b-changelist-assigned")
    page.goto(f"{base}{change_page}")
    screenshot(page, "5-answered")
    # The case's records in words: the timeline and the audit log, after the answer.
    records = page.locator("fieldset.appeal-records")
    records.last.scroll_into_view_if_needed()
    expect(records.last).not_to_contain_text("appeals.")
    screenshot(page, "6-records")
    # Offline, the admin map's tiles cannot load: that is expected, anything else is not.
    assert [e for e in page.errors if "Failed to load resource" not in e] == []
