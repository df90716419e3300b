"""A moderator accepts and routes an appeal in the admin, the department answers it,
and the author reads the answer on the request's page."""

import re

import pytest
from playwright.sync_api import expect

from appeals.models import Appeal
from appeals.workflow import Status
from citizens.roles import roles_sync
from tests.factories import (
    PASSWORD,
    CategoryFactory,
    DepartmentFactory,
    UserFactory,
    enable_mfa,
    give_role,
    submit_appeal,
    totp_code,
    verify_email,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWER = "Яму засипано щебенем, асфальтування — у травні."


def staff_user(email, role=None):
    user = UserFactory(email=email, is_staff=True)
    verify_email(user)
    enable_mfa(user)
    if role:
        give_role(user, role)
    return user


def sign_in(page, base, user, next_path, *, mfa=True):
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


def test_moderator_routes_department_answers_author_reads_the_answer(
    phone_page, live_server, screenshot
):
    roles_sync()  # a transactional test starts from a flushed database
    page = phone_page
    # The admin's pages link no favicon; Chromium asks for /favicon.ico anyway.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page.set_viewport_size({"width": 1280, "height": 900})
    base = live_server.url
    resident = UserFactory(email="author@example.com", full_name="Оксана Коваленко")
    verify_email(resident)
    moderator = staff_user("moderator@example.com", "moderator")
    roads = DepartmentFactory(slug="roads", name_uk="Управління доріг", name_en="Roads")
    clerk = staff_user("clerk@example.com", "department_staff")
    roads.members.add(clerk)
    appeal = submit_appeal(resident, CategoryFactory(department=roads))
    change_page = f"/admin/appeals/appeal/{appeal.pk}/change/"

    # The moderator finds it in the queue and accepts it, routed to roads.
    sign_in(page, base, moderator, "/admin/appeals/moderationqueue/")
    expect(page.locator("#result_list")).to_contain_text(appeal.reference)
    screenshot(page, "1-queue")
    page.locator(f'#result_list a[href="{change_page}"]').click()
    page.locator("#action-accept summary").click()
    page.select_option("#id_accept-department", str(roads.pk))
    screenshot(page, "2-accept")
    page.locator('#action-accept button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(change_page) + "$"))
    expect(page.locator(".messagelist")).to_be_visible()
    screenshot(page, "3-accepted")
    appeal.refresh_from_db()
    assert appeal.status == Status.ACCEPTED

    # The department's clerk answers it.
    sign_in(page, base, clerk, change_page)
    page.locator("#action-answer summary").click()
    page.fill("#id_answer-text", ANSWER)
    screenshot(page, "4-answer")
    page.locator('#action-answer button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(change_page) + "$"))
    screenshot(page, "5-answered")
    assert Appeal.objects.get(pk=appeal.pk).status == Status.ANSWERED

    # The author reads the answer on the request's page.
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, resident, "/me/", mfa=False)
    page.goto(f"{base}/requests/{appeal.reference}/")
    expect(page.locator("main")).to_contain_text(ANSWER)
    screenshot(page, "6-author-sees-answer")
    # Offline, the admin map's tiles cannot load: that is expected, anything else is not.
    assert [e for e in page.errors if "Failed to load resource" not in e] == []
