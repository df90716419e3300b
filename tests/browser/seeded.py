"""The demo city (seed_demo) for the page-wide browser checks, and the pages to check.

seed_demo gives every app real content in both languages (requests, a
proposal with supports, news, alerts, surveys, services with their forms and
centres, notifications in the resident's inbox). On top of it the demo
resident gets a request with a photo and the department's official answer,
so the author's page shows what a resident meets at the end of a case.

One Chromium serves a whole test module (`chromium`); each test opens its own
context (language, sign-in) and walks the pages with one tab.
"""

import os
import uuid
from io import StringIO

import pytest
from django.core.management import call_command

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE

RESIDENT = "resident@demo.mycity.test"
DEMO_PASSWORD = "kherson-demo-2026"

# (page, signed in?): a URL name, a path, or a {key} filled from seed_city().
ANONYMOUS_PAGES = [
    "home",
    "appeals:list",
    "appeals:map",
    "appeals:proposals",
    "appeals:statistics",
    "{appeal}",
    "{proposal}",
    "account_login",
    "account_signup",
    "offline",
    "install",
    "privacy",
    "/pages/terms/",
    "/pages/contacts/",
    "/pages/accessibility/",
    "news:list",
    "{news}",
    "news:alerts",
    "{alert}",
    "surveys:list",
    "{survey}",
    "{survey_results}",
    "services:catalogue",
    "services:centres",
    "{service}",
    "outages:points",
    "outages:points_map",
    "{point}",
    "stats:overview",
    "/stats/housing/",
    "stats:data",
    "/stats/data/appeals/",
]
SIGNED_IN_PAGES = [
    "home",
    "citizens:cabinet",
    "citizens:welcome",
    "citizens:profile",
    "notifications:inbox",
    "notifications:settings",
    "notifications:sms",
    "news:subscriptions",
    "appeals:mine",
    "appeals:claim",
    "appeals:new",
    "/requests/new/?kind=problem&category=pothole",
    "{appeal}",
    "{proposal}",
    "surveys:mine",
    "{survey_answer}",
    "{ranking_answer}",
    "{survey_results}",
    "services:mine",
    "{service}",
    "{service_apply}",
    "{service_book}",
    "{application}",
    "{appointment}",
    "citizens:data",
    "citizens:priority",
    "citizens:places",
    "citizens:delete",
    "account_email",
    "account_change_password",
    "mfa_index",
]
PAGES = [(page, False) for page in ANONYMOUS_PAGES] + [(page, True) for page in SIGNED_IN_PAGES]


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium for the whole module."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's event loop runs in this thread for the whole module, so the
    # database set-up and flush between its tests count as "async" to Django too.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def seeded(settings, tmp_path):
    """seed_demo plus an answered request with a photo; the URLs of the pages with content."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=StringIO())
    _app_phone(settings)
    return seed_urls()


def _app_phone(settings) -> None:
    """The city's app offered (pointing at nothing) and the demo resident's phone in it,
    so the notification settings page shows its section with a phone to remove."""
    from django.contrib.auth import get_user_model

    from citizens.notifications.devices import device_register
    from tests.citizens.notifications.fcm_helpers import configure

    configure(settings)
    device_register(
        user=get_user_model().objects.get(email=RESIDENT),
        token="ZGVtby1waG9uZS10b2tlbg:APA91b" + "Demo_Phone-" * 12,
        platform="android",
        name="Samsung Galaxy A14",
    )


def seed_urls() -> dict[str, str]:
    from django.contrib.auth import get_user_model

    from appeals.models import Appeal, Category
    from appeals.services import appeal_accept, appeal_answer, appeal_start, appeal_submit
    from news.models import Alert, NewsItem
    from services.models import Application, Appointment, Service
    from surveys.models import Survey
    from tests.appeals.following_helpers import photo_upload

    users = get_user_model().objects
    resident = users.get(email=RESIDENT)
    # Routed to housing, where the demo department staff work.
    category = Category.objects.get(slug="streetlight")
    appeal, _created = appeal_submit(
        author=resident,
        kind="problem",
        category=category,
        title="Не світять ліхтарі на вулиці Перекопській",
        description="Третій вечір поспіль темно від зупинки до школи, діти йдуть у темряві.",
        is_public=True,
        idempotency_key=uuid.UUID("8f0c3a52-6f0e-4d8e-9a59-5d3f2b7f0a11"),
        latitude=46.6405,
        longitude=32.6155,
        photos=[photo_upload("ліхтар.jpg", size=(640, 480))],
    )
    appeal = appeal_accept(appeal=appeal, moderator=users.get(email="moderator@demo.mycity.test"))
    staff = users.get(email="staff@demo.mycity.test")
    appeal = appeal_start(appeal=appeal, staff=staff)
    appeal = appeal_answer(
        appeal=appeal,
        staff=staff,
        text="Бригада замінила два світильники й кабель, освітлення працює з 18:00 до 6:00.",
    )
    _seed_places(resident)
    service = Service.objects.get(slug="residence-registration")
    from outages.models import HelpPoint

    return {
        "point": HelpPoint.objects.order_by("pk").first().get_absolute_url(),
        "appeal": appeal.get_absolute_url(),
        "proposal": Appeal.objects.filter(kind="proposal", is_public=True)
        .exclude(status="moderation")
        .first()
        .get_absolute_url(),
        "news": NewsItem.objects.filter(status="published").first().get_absolute_url(),
        "alert": Alert.objects.first().get_absolute_url(),
        "survey": Survey.objects.get(slug="shelters-2026").get_absolute_url(),
        "survey_answer": "/surveys/shelters-2026/answer/",
        "ranking_answer": "/surveys/korabelnyi-park/answer/",
        "survey_results": "/surveys/bus-routes-2025/results/",
        "service": service.get_absolute_url(),
        "service_apply": f"{service.get_absolute_url()}apply/",
        "service_book": f"{service.get_absolute_url()}book/",
        "application": Application.objects.filter(applicant=resident).first().get_absolute_url(),
        "appointment": Appointment.objects.filter(resident=resident).first().get_absolute_url(),
    }


def page_url(page: str, urls: dict[str, str]) -> str:
    from django.urls import reverse

    if page.startswith("{"):
        return urls[page.strip("{}")]
    if page.startswith("/"):
        return page
    return reverse(page)


def open_context(browser, live_server, language: str, **options):
    """A phone-sized context that speaks `language` (the demo resident is switched to it too)."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(email=RESIDENT).update(preferred_language=language)
    context = browser.new_context(viewport=PHONE, **options)
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    return context


def walk(page, live_server, urls: dict[str, str], check) -> list[str]:
    """Open every page (anonymous ones first, then signed in as the demo resident) and
    call check(page, url, signed_in) on each; returns the URLs checked. A page that does not
    answer 200 fails the walk: the check would be looking at an error page."""
    checked = []
    signed_in = False
    for name, needs_sign_in in PAGES:
        url = page_url(name, urls)
        if needs_sign_in and not signed_in:
            sign_in(page, live_server.url, RESIDENT)
            signed_in = True
        response = page.goto(live_server.url + url)
        assert response.status == 200, f"{url} answered {response.status}"
        check(page, url, signed_in)
        checked.append(url)
    return checked


def _seed_places(resident) -> None:
    """The demo resident's home and work, a power outage at home and one restored."""
    from django.utils import timezone

    from citizens.places import place_save
    from mycity.models import Incident

    home = place_save(
        user=resident,
        label="Дім",
        latitude=46.6405,
        longitude=32.6155,
        address="вул. Перекопська 17",
    )
    place_save(user=resident, label="Батьки", latitude=46.6354, longitude=32.6169)
    now = timezone.now()
    outage = Incident.objects.create(
        kind="power",
        title_uk="Аварійне відключення світла",
        title_en="Emergency power outage",
        started_at=now - timezone.timedelta(hours=3),
        expected_at=now + timezone.timedelta(hours=5),
    )
    outage.districts.set([home.district])
    Incident.objects.create(
        kind="water",
        title_uk="Ремонт водогону",
        title_en="Water main repair",
        whole_city=True,
        status="resolved",
        started_at=now - timezone.timedelta(days=2),
        resolved_at=now - timezone.timedelta(days=1),
    )


def sign_in(page, base: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.locator('form[action^="/accounts/login/"] button[type="submit"]').click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
