"""The inbox (/me/notifications/), opening and marking notifications, the bell."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from citizens.context_processors import notifications as bell_context
from citizens.notifications.models import Notification
from citizens.notifications.views.inbox import PER_PAGE
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

INBOX = reverse("notifications:inbox")
READ_ALL = reverse("notifications:read_all")
HTMX = {"HTTP_HX_REQUEST": "true"}


def make(user, *, event="citizens.test", url="", read=False, minutes_ago=0, **fields):
    created = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return Notification.objects.create(
        recipient=user,
        event=event,
        url=url,
        created_at=created,
        read_at=created if read else None,
        **fields,
    )


def make_many(user, count, *, read=False):
    now = timezone.now()
    return Notification.objects.bulk_create(
        Notification(
            recipient=user,
            event="citizens.test",
            created_at=now - dt.timedelta(minutes=i),
            read_at=now if read else None,
        )
        for i in range(count)
    )


def open_url(notification):
    return reverse("notifications:open", args=[notification.pk])


# --- Who may see it ----------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(INBOX)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_login")
    assert parse_qs(location.query) == {"next": [INBOX]}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_every_signed_in_role_opens_its_inbox(as_role, role):
    assert as_role(role).get(INBOX).status_code == 200


@pytest.mark.parametrize("path", [READ_ALL, reverse("notifications:open", args=[1])])
def test_anonymous_visitor_cannot_post_inbox_actions(client, path):
    response = client.post(path)

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")


# --- The list ------------------------------------------------------------------


@pytest.mark.parametrize("language", ["uk", "en"])
def test_inbox_lists_only_own_notifications_in_the_persons_language(
    client_for, resident, other_resident, language
):
    resident.preferred_language = language
    resident.save(update_fields=["preferred_language"])
    own = make(resident, event="citizens.test")
    others = make(other_resident, event="citizens.resident_verified")

    html = client_for(resident).get(INBOX).content.decode()

    with translation.override(language):
        own_title, own_text = own.rendered()
        others_title, _text = others.rendered()
    assert escape(own_title) in html
    assert escape(own_text) in html
    assert escape(others_title) not in html
    assert open_url(others) not in html


def test_inbox_is_newest_first(client_for, resident):
    older = make(resident, minutes_ago=30)
    newer = make(resident, minutes_ago=1)

    page = client_for(resident).get(INBOX).context["page"]

    assert list(page.object_list) == [newer, older]


def test_unread_notifications_are_marked_for_eyes_and_screen_readers(client_for, resident):
    resident.preferred_language = "en"
    resident.save(update_fields=["preferred_language"])
    make(resident)
    make(resident)
    make(resident, read=True)

    html = client_for(resident).get(INBOX).content.decode()

    assert html.count("notification is-unread") == 2
    assert html.count('<span class="visually-hidden">Unread: </span>') == 2


def test_empty_inbox_says_so(client_for, resident):
    resident.preferred_language = "en"
    resident.save(update_fields=["preferred_language"])

    html = client_for(resident).get(INBOX).content.decode()

    assert "No notifications yet" in html
    assert "Mark all as read" not in html


def test_inbox_is_paginated(client_for, resident):
    make_many(resident, PER_PAGE + 5)
    client = client_for(resident)

    first = client.get(INBOX).context["page"]
    second = client.get(INBOX, {"page": 2}).context["page"]

    assert len(first.object_list) == PER_PAGE
    assert len(second.object_list) == 5
    assert first.object_list[0].created_at > second.object_list[0].created_at


def test_a_page_past_the_end_shows_the_last_page(client_for, resident):
    make_many(resident, PER_PAGE + 1)

    response = client_for(resident).get(INBOX, {"page": "99"})

    assert response.status_code == 200
    assert response.context["page"].number == 2


def test_htmx_pagination_gets_only_the_rows(client_for, resident):
    make_many(resident, PER_PAGE + 1)

    response = client_for(resident).get(INBOX, {"page": 2}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="inbox-rows"' in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(client_for, resident):
    response = client_for(resident).get(
        INBOX, {"page": 1}, **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert "<html" in response.content.decode()


def test_inbox_query_count_does_not_grow_with_notifications(
    client_for, resident, django_assert_max_num_queries
):
    make_many(resident, 15)
    make_many(resident, 15, read=True)
    client = client_for(resident)

    # Session, user, the bell's unread count, the paginator's count, one page of rows.
    with django_assert_max_num_queries(5):
        response = client.get(INBOX)
    assert len(response.context["page"].object_list) == PER_PAGE


# --- Opening one ----------------------------------------------------------------


def test_opening_a_notification_marks_it_read_and_follows_its_link(client_for, resident):
    notification = make(resident, url="/me/profile/")

    response = client_for(resident).post(open_url(notification))

    assert response.status_code == 302
    assert response["Location"] == "/me/profile/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_a_notification_without_a_link_returns_to_the_inbox(client_for, resident):
    notification = make(resident)

    response = client_for(resident).post(open_url(notification))

    assert response["Location"] == INBOX


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/phish",
        "//evil.example/phish",
        "/\\evil.example/phish",
        "javascript:alert(1)",
        "http://testserver/me/",
        "me/profile/",
    ],
)
def test_opening_never_redirects_off_the_site(client_for, resident, url):
    notification = make(resident, url=url)

    response = client_for(resident).post(open_url(notification))

    assert response.status_code == 302
    assert response["Location"] == INBOX


def test_another_persons_notification_cannot_be_opened(client_for, resident, other_resident):
    theirs = make(other_resident, url="/me/")

    response = client_for(resident).post(open_url(theirs))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_needs_a_post(client_for, resident):
    notification = make(resident)

    assert client_for(resident).get(open_url(notification)).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


# --- Mark all as read -----------------------------------------------------------


def test_mark_all_as_read_marks_only_own_notifications(client_for, resident, other_resident):
    make_many(resident, 3)
    theirs = make(other_resident)

    response = client_for(resident).post(READ_ALL)

    assert response.status_code == 302
    assert response["Location"] == INBOX
    assert not Notification.objects.filter(recipient=resident, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_as_read_returns_to_the_same_page(client_for, resident):
    make_many(resident, PER_PAGE + 1)

    response = client_for(resident).post(READ_ALL, {"page": "2"})

    assert response["Location"] == f"{INBOX}?page=2"


def test_mark_all_as_read_with_htmx_returns_the_rows_and_clears_the_bell(client_for, resident):
    make_many(resident, 3)

    response = client_for(resident).post(READ_ALL, {"page": "1"}, **HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="inbox-rows"' in html
    assert "is-unread" not in html
    assert '<span id="bell-unread" hx-swap-oob="true"></span>' in html


# --- The bell ---------------------------------------------------------------------


def test_bell_shows_the_number_of_own_unread_notifications(client_for, resident, other_resident):
    resident.preferred_language = "en"
    resident.save(update_fields=["preferred_language"])
    make_many(resident, 3)
    make(resident, read=True)
    make_many(other_resident, 2)

    html = client_for(resident).get(reverse("home")).content.decode()

    assert '<span class="bell-badge" aria-hidden="true">3</span>' in html
    assert "3 unread notifications" in html
    assert f'href="{INBOX}"' in html


def test_bell_caps_the_number_it_shows(client_for, resident):
    resident.preferred_language = "en"
    resident.save(update_fields=["preferred_language"])
    make_many(resident, 120)

    html = client_for(resident).get(reverse("home")).content.decode()

    assert '<span class="bell-badge" aria-hidden="true">99+</span>' in html
    assert "120 unread notifications" in html


def test_bell_has_no_badge_when_everything_is_read(client_for, resident):
    make(resident, read=True)

    html = client_for(resident).get(reverse("home")).content.decode()

    assert f'href="{INBOX}"' in html
    assert "bell-badge" not in html


def test_anonymous_visitor_has_no_bell(client):
    assert f'href="{INBOX}"' not in client.get(reverse("home")).content.decode()


def test_bell_costs_no_query_for_an_anonymous_visitor(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    with django_assert_num_queries(0):
        assert bell_context(request) == {}


def test_bell_costs_one_count_query_for_a_signed_in_person(resident, django_assert_num_queries):
    make_many(resident, 2)
    request = RequestFactory().get("/")
    request.user = resident

    with django_assert_num_queries(1) as captured:
        unread = bell_context(request)["notifications_unread"]
        assert unread
        assert unread.count == 2
        assert unread.label == "2"
    assert "COUNT(" in captured.captured_queries[0]["sql"].upper()
