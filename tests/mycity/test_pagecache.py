"""Anonymous visitors' copies of public pages (mycity/pagecache.py): kept, shared, dropped."""

import gzip

import pytest
from django.urls import reverse

from appeals.services import appeal_redact
from mycity import pagecache
from tests.appeals.following_helpers import accept
from tests.factories import PASSWORD, UserFactory, submit_appeal
from tests.news.factories import make_alert

pytestmark = pytest.mark.django_db

REQUESTS = "/requests/"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def appeal(resident, moderator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return accept(submit_appeal(resident, title="Яма біля школи"), moderator)


def get(client, url, **headers):
    return client.get(url, HTTP_ACCEPT_LANGUAGE="uk", **headers)


def test_a_repeated_anonymous_page_is_served_without_a_query(
    client, appeal, django_assert_num_queries
):
    first = get(client, REQUESTS)
    with django_assert_num_queries(0):
        again = get(client, REQUESTS)

    assert first["X-Page-Cache"] == "miss"
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content
    assert "Яма біля школи" in again.content.decode()
    # The headers the view and the inner middleware set come back with it.
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert again["Content-Type"] == first["Content-Type"]


def test_signed_in_people_always_get_their_own_page(client, resident, appeal):
    get(client, REQUESTS)
    client.login(email=resident.email, password=PASSWORD)
    response = get(client, REQUESTS)

    assert "X-Page-Cache" not in response
    assert reverse("account_logout") in response.content.decode()


def test_a_signed_in_persons_page_is_never_kept_for_others(client, resident, appeal):
    signed_in = client
    signed_in.login(email=resident.email, password=PASSWORD)
    get(signed_in, REQUESTS)
    signed_in.logout()

    response = get(signed_in, REQUESTS)
    assert response["X-Page-Cache"] == "miss"


def test_each_language_has_its_own_copy(client, appeal):
    uk = client.get(REQUESTS, HTTP_ACCEPT_LANGUAGE="uk")
    en = client.get(REQUESTS, HTTP_ACCEPT_LANGUAGE="en")
    en_again = client.get(REQUESTS, HTTP_ACCEPT_LANGUAGE="en")

    assert (uk["X-Page-Cache"], en["X-Page-Cache"], en_again["X-Page-Cache"]) == (
        "miss",
        "miss",
        "hit",
    )
    assert uk["Content-Language"] == "uk"
    assert en_again["Content-Language"] == "en"


def test_compressed_and_plain_copies_are_kept_apart(client, appeal):
    get(client, REQUESTS, HTTP_ACCEPT_ENCODING="gzip")
    zipped = get(client, REQUESTS, HTTP_ACCEPT_ENCODING="gzip")
    plain = get(client, REQUESTS)

    assert zipped["X-Page-Cache"] == "hit"
    assert zipped["Content-Encoding"] == "gzip"
    assert "Яма" in gzip.decompress(zipped.content).decode()
    assert plain["X-Page-Cache"] == "miss"
    assert "Content-Encoding" not in plain


def test_a_query_string_is_its_own_page(client, appeal):
    get(client, REQUESTS)
    response = client.get(REQUESTS, {"q": "школа"}, HTTP_ACCEPT_LANGUAGE="uk")
    assert response["X-Page-Cache"] == "miss"


def test_a_moderated_appeal_is_never_served_stale(
    client, appeal, moderator, django_capture_on_commit_callbacks
):
    url = appeal.get_absolute_url()
    assert "Яма біля школи" in get(client, url).content.decode()
    assert get(client, url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        appeal_redact(appeal=appeal, moderator=moderator, title="Яма біля закладу освіти")
    page = get(client, url)

    assert page["X-Page-Cache"] == "miss"
    assert "Яма біля школи" not in page.content.decode()
    assert "Яма біля школи" not in get(client, REQUESTS).content.decode()


def test_a_private_appeal_page_is_not_kept(client, resident):
    hidden = submit_appeal(resident)  # still in moderation: not public
    assert get(client, hidden.get_absolute_url()).status_code == 404
    assert "X-Page-Cache" not in get(client, hidden.get_absolute_url())


def test_a_new_alert_drops_every_page(client, appeal, django_capture_on_commit_callbacks):
    get(client, REQUESTS)
    with django_capture_on_commit_callbacks(execute=True):
        make_alert(whole_city=True)

    response = get(client, REQUESTS)
    assert response["X-Page-Cache"] == "miss"
    assert "The shelter" in response.content.decode() or "Укриття" in response.content.decode()


def test_a_change_elsewhere_keeps_the_page(client, appeal):
    get(client, REQUESTS)
    pagecache.bump("surveys")
    assert get(client, REQUESTS)["X-Page-Cache"] == "hit"


@pytest.mark.parametrize(
    "url", ["/me/", "/accounts/login/", "/requests/new/", "/alerts/live/", "/api/v1/appeals/"]
)
def test_pages_no_app_declared_are_never_kept(client, url):
    client.get(url)
    assert "X-Page-Cache" not in client.get(url)


def test_a_visitor_with_messages_waiting_gets_a_fresh_page(client, appeal):
    get(client, REQUESTS)
    client.cookies["messages"] = "anything"
    assert "X-Page-Cache" not in get(client, REQUESTS)


def test_an_anonymous_page_carries_no_csrf_token(client, appeal):
    response = get(client, reverse("home"))
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert not response.cookies


def test_the_language_switch_works_without_a_token_for_visitors(client):
    client = client.__class__(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"


def test_a_signed_in_persons_language_switch_still_needs_the_token(client, resident):
    client = client.__class__(enforce_csrf_checks=True)
    client.force_login(resident)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 403
    resident.refresh_from_db()
    assert resident.preferred_language != "en"


def test_routes_come_from_the_apps():
    assert pagecache.scopes_for("/requests/KH-2026-000001/") == sorted(
        {"mycity", "news", "appeals"}
    )
    assert pagecache.scopes_for("/requests/new/") is None
    assert pagecache.scopes_for("/services/applications/KHS-2026-000001/") is None
    assert "surveys" in pagecache.scopes_for("/")
    assert pagecache.scopes_for("/me/") is None
    assert UserFactory  # the factories module loads the apps' configs


def test_an_alert_whose_start_comes_drops_the_pages_at_the_next_sweep(
    client, appeal, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    from news.models import Alert
    from news.tasks import notify_due_alerts

    with django_capture_on_commit_callbacks(execute=True):
        alert = make_alert(whole_city=True, starts_at=timezone.now() + dt.timedelta(hours=1))
    notify_due_alerts()
    get(client, REQUESTS)
    notify_due_alerts()  # nothing changed on the clock: the copy stays
    assert get(client, REQUESTS)["X-Page-Cache"] == "hit"

    # The start comes without a row being saved (as time passes).
    Alert.objects.filter(pk=alert.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=1))
    notify_due_alerts()

    response = get(client, REQUESTS)
    assert response["X-Page-Cache"] == "miss"
    assert alert.title_uk in response.content.decode()


def test_a_new_appeal_awaiting_moderation_keeps_the_pages(
    client, appeal, resident, django_capture_on_commit_callbacks
):
    get(client, REQUESTS)
    with django_capture_on_commit_callbacks(execute=True):
        # In moderation: on no public page yet.
        submit_appeal(resident, appeal.category, district=appeal.district)

    assert get(client, REQUESTS)["X-Page-Cache"] == "hit"


def test_staff_only_rows_keep_the_pages(
    client, appeal, moderator, django_capture_on_commit_callbacks
):
    from appeals.models import AppealNote

    get(client, REQUESTS)
    with django_capture_on_commit_callbacks(execute=True):
        AppealNote.objects.create(appeal=appeal, author=moderator, text="Перевірити на місці")

    assert get(client, REQUESTS)["X-Page-Cache"] == "hit"


def test_accepting_an_appeal_drops_the_pages(
    client, resident, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        waiting = submit_appeal(resident, title="Нове звернення про ліхтар")
    get(client, REQUESTS)
    with django_capture_on_commit_callbacks(execute=True):
        accept(waiting, moderator)

    response = get(client, REQUESTS)
    assert response["X-Page-Cache"] == "miss"
    assert "Нове звернення про ліхтар" in response.content.decode()
