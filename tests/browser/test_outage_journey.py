"""The outage journey (issue 22): a clerk declares an outage in the admin; a resident
starting a "no power" report at a point inside it is offered to follow it and does;
another files anyway and the report is linked; the clerk resolves the outage with one
official answer; every linked author is told once, on their request."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appeals.models import Appeal
from citizens.notifications.models import Notification
from mycity.models import Incident
from tests.browser.test_staff_journey import sign_in, staff_user
from tests.factories import PASSWORD, CategoryFactory, DepartmentFactory, UserFactory, verify_email

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWER_UK = "Пошкоджену лінію відремонтовано, живлення відновлено о 17:30."
ANSWER_EN = "The damaged line was repaired and power restored at 17:30."


def resident_signs_in(page, base, person, next_path):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/?next={next_path}")
    page.fill("#id_login", person.email)
    page.fill("#id_password", PASSWORD)
    page.locator('form[action^="/accounts/login/"] button[type="submit"]').click()
    expect(page).to_have_url(re.compile(re.escape(next_path.split("?")[0])))


def start_report(page, base, person):
    resident_signs_in(page, base, person, "/requests/new/?kind=problem")
    page.locator('button[name="category"][value="no-power"]').click()
    expect(page).to_have_url(re.compile(r"category=no-power"))
    map_box = page.locator("#appeal-map")
    map_box.scroll_into_view_if_needed()
    map_box.click()  # no tiles offline, but the map still takes the tap
    expect(page.locator("#id_latitude")).not_to_have_value("")
    return page.locator("#known-outage")


def test_declare_follow_file_resolve_and_every_author_told_once(
    phone_page, live_server, screenshot, city, eager
):
    page = phone_page
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    base = live_server.url
    _pothole, follower = city
    housing = DepartmentFactory(slug="housing", name_uk="ЖКГ", name_en="Housing")
    CategoryFactory(
        slug="no-power", name_uk="Немає світла", name_en="No power", icon="⚡",
        kinds=["problem"], location_required=True, department=housing, incident_kind="power",
    )  # fmt: skip
    author = UserFactory(email="author@example.com", preferred_language="uk")
    verify_email(author)
    clerk = staff_user("clerk@example.com", "department_staff")
    housing.members.add(clerk)

    # 1. The clerk declares the outage for the whole city, on a laptop of their own
    # (one sign-in: a second one within the same half-minute reuses the TOTP code).
    desk = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    office = desk.new_page()
    office.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    sign_in(office, base, clerk, "/admin/mycity/incident/add/")
    now = timezone.localtime()
    office.select_option("#id_kind", "power")
    office.fill("#id_title_uk", "Аварійне відключення світла")
    office.fill("#id_title_en", "Emergency power outage")
    office.check("#id_whole_city")
    # The date and the time come from one moment, so a run just after midnight
    # does not declare an outage that starts in the evening of the same day.
    started = now - timezone.timedelta(minutes=20)
    office.fill("#id_started_at_0", started.strftime("%Y-%m-%d"))
    office.fill("#id_started_at_1", started.strftime("%H:%M:%S"))
    later = now + timezone.timedelta(hours=6)
    office.fill("#id_expected_at_0", later.strftime("%Y-%m-%d"))
    office.fill("#id_expected_at_1", later.strftime("%H:%M:%S"))
    office.locator('input[name="_save"]').click()
    expect(office).to_have_url(re.compile(r"/admin/mycity/incident/$"))
    incident = Incident.objects.get()
    assert incident.status == "active"

    # 2. A resident starts a report at a point inside it: offered to follow, follows.
    outage = start_report(page, base, follower)
    expect(outage).to_contain_text("Аварійне відключення світла")
    screenshot(page, "1-offered")
    outage.locator("button").click()
    expect(page.locator("#known-outage")).to_contain_text("Ви стежите")
    assert incident.follows.filter(user=follower).exists()

    # 3. Another files anyway: the report is linked to the outage.
    start_report(page, base, author)
    page.fill("#id_title", "Немає світла на Перекопській")
    page.fill("#id_description", "З ранку немає світла в усьому будинку, під'їзд темний.")
    page.locator('input[name="visibility"][value="public"]').check()
    page.locator('#appeal-form button[type="submit"]:not([formaction])').click()
    page.wait_for_url(re.compile(r"/requests/KH-\d{4}-\d{6}/$"))
    appeal = Appeal.objects.get(author=author)
    assert appeal.incident_id == incident.pk
    screenshot(page, "2-filed-linked")

    # 4. The clerk resolves it with one official answer.
    office.goto(f"{base}/admin/mycity/incident/{incident.pk}/change/")
    office.select_option("#id_action", "resolve")
    office.fill("#id_official_answer_uk", ANSWER_UK)
    office.fill("#id_official_answer_en", ANSWER_EN)
    office.locator('input[name="_save"]').click()
    expect(office).to_have_url(re.compile(r"/admin/mycity/incident/$"))
    screenshot(office, "3-admin-resolved")
    desk.close()
    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert incident.answer_delivered_at is not None

    # 5. The author is told once, on the request; the follower hears it is restored.
    appeal.refresh_from_db()
    assert appeal.status == "answered"
    about_it = Notification.objects.filter(recipient=author).exclude(event="appeals.submitted")
    assert about_it.filter(event="appeals.answered").count() == 1
    # Told of the outage when it was declared (the whole city was), of its end
    # only by the answer on the request.
    assert about_it.filter(event="outages.incident").count() == 1
    assert not about_it.filter(event="outages.incident_update").exists()
    assert (
        Notification.objects.filter(recipient=follower, event="outages.incident_update").count()
        == 1
    )
    page.set_viewport_size({"width": 390, "height": 844})
    resident_signs_in(page, base, author, appeal.get_absolute_url())
    expect(page.get_by_text(ANSWER_UK)).to_be_visible()
    screenshot(page, "4-answered")
    page.goto(f"{base}{incident.get_absolute_url()}")
    expect(page.locator("main")).to_contain_text(ANSWER_UK)
    screenshot(page, "5-incident-resolved")


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("uk", ("Відключення світла", "очікуване відновлення", "Увійдіть, щоб стежити")),
        ("en", ("Power outage", "Emergency power outage", "Sign in to follow this outage")),
    ],
)
def test_the_outage_page_on_a_phone_in_both_languages(
    phone_page, live_server, screenshot, city, language, words
):
    """An anonymous visitor reads a live outage, with its area and updates, in either language."""
    from mycity.models import District, IncidentUpdate
    from tests.factories import IncidentFactory

    page = phone_page
    incident = IncidentFactory(
        title_uk="Аварійне відключення світла", title_en="Emergency power outage",
        districts=list(District.objects.all()),
    )  # fmt: skip
    IncidentUpdate.objects.create(
        incident=incident, text_uk="Бригада на місці.", text_en="The crew is on site."
    )
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    if language == "en":
        page.locator(".navbar-toggler").click()  # on a phone the switch is in the menu
        page.locator('.lang-switch button[value="en"]').first.click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
    main = page.locator("main")
    for word in words:
        expect(main).to_contain_text(word)
    assert page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    page.locator("#incident-map-open").click()
    expect(page.locator("#incident-map")).to_be_visible()
    screenshot(page, f"incident-{language}")
    page.goto(f"{live_server.url}/outages/")
    expect(page.locator("main")).to_contain_text(words[1] if language == "en" else "Зараз")
    screenshot(page, f"outages-{language}")
