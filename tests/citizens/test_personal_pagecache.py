"""A resident's own pages kept for their session alone (citizens/pagecache.py)."""

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from appeals.services import appeal_redact
from citizens import pagecache
from citizens.notifications.services import notify
from tests.appeals.following_helpers import accept
from tests.factories import PASSWORD, UserFactory, submit_appeal
from tests.news.factories import make_alert

pytestmark = pytest.mark.django_db

CABINET = "/me/"
MINE = "/me/requests/"
INBOX = "/me/notifications/"


@pytest.fixture(autouse=True)
def _personal_cache_on(settings):
    settings.PERSONAL_PAGE_CACHE_SECONDS = 60


@pytest.fixture
def signed_in(resident):
    client = Client(HTTP_ACCEPT_LANGUAGE="uk")
    client.login(email=resident.email, password=PASSWORD)
    client.get("/")  # the first page after signing in sets the CSRF and language cookies
    return client


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.mark.parametrize("url", [CABINET, MINE, INBOX, "/me/services/", "/me/surveys/"])
def test_a_repeated_own_page_is_served_without_a_query(
    signed_in, url, django_assert_max_num_queries
):
    first = signed_in.get(url)
    # Only the session, when sessions live in the database (no Redis).
    with django_assert_max_num_queries(1) as queries:
        again = signed_in.get(url)
    assert all("django_session" in query["sql"] for query in queries.captured_queries)

    assert first.status_code == 200
    assert first["X-Page-Cache"] == "personal-miss"
    assert again["X-Page-Cache"] == "personal-hit"
    assert again.content == first.content
    # Still personal for every cache between the server and the phone.
    assert again["Cache-Control"] == "private, no-store"
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_the_authors_appeal_page_is_kept_and_follows_the_staff(
    signed_in, resident, moderator, on_commit
):
    with on_commit():
        appeal = accept(submit_appeal(resident, title="Яма біля школи"), moderator)
    url = appeal.get_absolute_url()
    signed_in.get(url)
    assert signed_in.get(url)["X-Page-Cache"] == "personal-hit"

    with on_commit():
        appeal_redact(appeal=appeal, moderator=moderator, title="Яма біля закладу освіти")

    page = signed_in.get(url)
    assert page["X-Page-Cache"] == "personal-miss"
    assert "Яма біля закладу освіти" in page.content.decode()


def test_another_resident_never_gets_the_page(signed_in, resident, other_resident):
    signed_in.get(CABINET)
    other = Client(HTTP_ACCEPT_LANGUAGE="uk")
    other.login(email=other_resident.email, password=PASSWORD)
    other.get("/")

    response = other.get(CABINET)

    assert response["X-Page-Cache"] == "personal-miss"
    assert resident.full_name not in response.content.decode()


def test_another_session_of_the_same_person_has_its_own_copy(signed_in, resident):
    signed_in.get(CABINET)
    phone = Client(HTTP_ACCEPT_LANGUAGE="uk")
    phone.login(email=resident.email, password=PASSWORD)
    phone.get("/")

    assert phone.get(CABINET)["X-Page-Cache"] == "personal-miss"


def test_a_signed_out_session_gets_nothing_kept(signed_in):
    signed_in.get(CABINET)
    session_cookie = signed_in.cookies["sessionid"].value
    signed_in.post(reverse("account_logout"))
    signed_in.cookies["sessionid"] = session_cookie  # an old cookie, replayed

    response = signed_in.get(CABINET)

    assert response.status_code == 302
    assert "X-Page-Cache" not in response


def test_a_new_password_elsewhere_ends_the_kept_pages(signed_in, resident, on_commit):
    signed_in.get(CABINET)
    with on_commit():
        resident.set_password("another-long-password-2026")
        resident.save()

    response = signed_in.get(CABINET)

    assert response.status_code == 302  # the session no longer matches the account
    assert "X-Page-Cache" not in response


def test_the_persons_own_write_drops_their_pages(signed_in, resident):
    notify(recipients=[resident], event="citizens.resident_verified", url=CABINET)
    signed_in.get(INBOX)
    assert signed_in.get(INBOX)["X-Page-Cache"] == "personal-hit"

    signed_in.post(reverse("notifications:read_all"))

    fresh = signed_in.get(INBOX)  # with its message: made, and not kept
    assert "X-Page-Cache" not in fresh
    assert "bell-badge" not in fresh.content.decode()
    assert signed_in.get(INBOX)["X-Page-Cache"] == "personal-miss"


def test_a_new_notification_updates_the_bell(signed_in, resident, on_commit):
    before = signed_in.get(CABINET).content.decode()
    assert "bell-badge" not in before

    with on_commit():
        notify(recipients=[resident], event="citizens.resident_verified", url=CABINET)

    response = signed_in.get(CABINET)
    assert response["X-Page-Cache"] == "personal-miss"
    assert "bell-badge" in response.content.decode()


def test_a_status_change_by_staff_drops_my_requests(signed_in, resident, moderator, on_commit):
    with on_commit():
        waiting = submit_appeal(resident, title="Ліхтар не світить")
    signed_in.get(MINE)
    assert signed_in.get(MINE)["X-Page-Cache"] == "personal-hit"

    with on_commit():
        accept(waiting, moderator)

    assert signed_in.get(MINE)["X-Page-Cache"] == "personal-miss"


def test_another_residents_change_keeps_my_pages(signed_in, resident, other_resident, on_commit):
    with on_commit():
        mine = submit_appeal(resident, title="Моє звернення")
    signed_in.get(MINE)
    with on_commit():
        submit_appeal(other_resident, mine.category, district=mine.district)

    assert signed_in.get(MINE)["X-Page-Cache"] == "personal-hit"


def test_a_new_alert_drops_the_kept_pages(signed_in, on_commit):
    signed_in.get(CABINET)
    with on_commit():
        make_alert(whole_city=True)

    assert signed_in.get(CABINET)["X-Page-Cache"] == "personal-miss"


def test_staff_pages_are_never_kept(client, moderator):
    client.force_login(moderator)
    client.get(CABINET)

    assert "X-Page-Cache" not in client.get(CABINET)


@pytest.mark.parametrize("url", ["/me/profile/", "/me/data/", "/requests/new/", "/"])
def test_pages_not_marked_are_never_kept(signed_in, url):
    signed_in.get(url)
    assert "X-Page-Cache" not in signed_in.get(url)


def test_a_new_language_and_a_fragment_have_their_own_copies(signed_in):
    signed_in.get(INBOX)
    signed_in.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = signed_in.get(INBOX)
    fragment = signed_in.get(INBOX, HTTP_HX_REQUEST="true")

    assert english["X-Page-Cache"] == "personal-miss"
    assert english["Content-Language"] == "en"
    assert fragment["X-Page-Cache"] == "personal-miss"
    assert "<html" not in fragment.content.decode()


def test_a_lost_version_never_brings_back_an_older_copy(signed_in, resident):
    cache.delete(pagecache.PERSON_KEY.format(resident.pk))
    signed_in.get(CABINET)
    cache.delete(pagecache.PERSON_KEY.format(resident.pk))  # evicted

    assert signed_in.get(CABINET)["X-Page-Cache"] == "personal-miss"


def test_a_form_on_a_kept_page_still_posts(resident):
    browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="uk")
    browser.login(email=resident.email, password=PASSWORD)
    browser.get("/")
    browser.get(INBOX)
    kept = browser.get(INBOX)
    assert kept["X-Page-Cache"] == "personal-hit"
    token = kept.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]

    response = browser.post(reverse("notifications:read_all"), {"csrfmiddlewaretoken": token})

    assert response.status_code == 302


def test_off_when_set_to_zero(settings, signed_in):
    settings.PERSONAL_PAGE_CACHE_SECONDS = 0
    signed_in.get(CABINET)
    assert "X-Page-Cache" not in signed_in.get(CABINET)


def test_every_declared_row_leads_to_a_user():
    user_model = apps.get_model("citizens", "User")
    for model, paths in pagecache.personal_rows().items():
        for path in paths:
            current = model
            *steps, last = path.split(".")
            for step in steps:
                current = current._meta.get_field(step).related_model
            if last == "pk":
                assert current is user_model
            else:
                field = current._meta.get_field(last.removesuffix("_id"))
                assert field.related_model is user_model, (model, path)


def test_the_pages_kept_are_the_marked_views():
    assert pagecache._kept_view(CABINET)
    assert pagecache._kept_view("/requests/KH-2026-000001/")
    assert not pagecache._kept_view("/me/profile/")
    assert not pagecache._kept_view("/no/such/page/")
    assert UserFactory
