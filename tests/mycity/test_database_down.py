"""With the database down, pages that need it answer 503 with Retry-After, not the 500 page.

The outage is simulated by making every new cursor fail as a lost
connection does; the page must render without the database (no context
processor, no session lookup), in the visitor's language, and keep what a
form post carried.
"""

import html

import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from django.urls import reverse

from mycity.errors import DATABASE_RETRY_AFTER

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_down(monkeypatch):
    def refuse(self):
        raise OperationalError('connection to server at "db" failed: Connection refused')

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)


@pytest.fixture
def web():
    # As in production: the exception becomes the error page, not a test failure.
    return Client(raise_request_exception=False)


@pytest.fixture
def signed_in(resident, web):
    web.force_login(resident)
    return web


def test_a_page_that_needs_the_database_answers_503_with_retry_after(web, database_down):
    response = web.get(reverse("appeals:list"))

    assert response.status_code == 503
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER)
    assert "503" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "title"),
    [("uk", "Сайт тимчасово недоступний"), ("en", "The site is temporarily unavailable")],
)
def test_the_page_is_in_the_visitors_language(web, database_down, language, title):
    response = web.get(reverse("appeals:list"), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 503
    assert title in response.content.decode()
    assert f'<html lang="{language}">' in response.content.decode()


def test_a_signed_in_resident_gets_the_page_too(signed_in, database_down):
    # The session and the person are read from the database before any view runs.
    response = signed_in.get(reverse("citizens:cabinet"))

    assert response.status_code == 503
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER)


def test_a_form_post_keeps_what_was_typed_to_send_again(signed_in, database_down):
    url = f"{reverse('appeals:new')}?kind=problem&category=pothole"
    description = "Велика яма на проїжджій частині, машини об'їжджають по тротуару."

    response = signed_in.post(
        url,
        {"title": "Яма біля зупинки", "description": description},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    page = response.content.decode()
    assert response.status_code == 503
    assert "Your form is kept" in page
    assert f'action="{url}"' in page.replace("&amp;", "&")
    assert 'name="title" value="Яма біля зупинки"' in page
    assert html.escape(description) in page
    assert 'name="csrfmiddlewaretoken"' in page


@pytest.mark.parametrize("url", ["/", "/news/", "/alerts/", "/surveys/", "/services/"])
def test_anonymous_pages_already_in_the_cache_are_still_served(web, monkeypatch, url):
    assert web.get(url).status_code == 200  # now in the cache

    def refuse(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)

    assert web.get(url).status_code == 200


def test_a_lost_connection_mid_request_is_also_503(web, monkeypatch):
    def dropped(self):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", dropped)

    assert web.get(reverse("appeals:list")).status_code == 503


@pytest.mark.parametrize(
    "extra",
    [{"HTTP_ACCEPT": "application/json"}, {}],
    ids=["offline-outbox", "api"],
)
def test_json_callers_get_a_short_503_body(signed_in, database_down, extra):
    url = reverse("appeals:new") if extra else "/api/v1/appeals/"

    response = signed_in.post(url, {"title": "x"}, **extra) if extra else signed_in.get(url)

    assert response.status_code == 503
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER)
    body = response.json()
    assert body["retry_after"] == DATABASE_RETRY_AFTER
    if extra:
        assert body["detail"] == body["message"]
    else:  # the API's problem details (mycity/api_errors.py)
        assert response["Content-Type"] == "application/problem+json"
        assert (body["status"], body["code"]) == (503, "unavailable")


def test_other_errors_still_get_the_500_page(web, monkeypatch):
    def broken(self):
        raise RuntimeError("a bug, not an outage")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", broken)

    response = web.get(reverse("appeals:list"))

    assert response.status_code == 500
    assert "Retry-After" not in response


def test_pages_work_again_once_the_database_is_back(web, monkeypatch):
    real = BaseDatabaseWrapper.ensure_connection

    def refuse(self):
        raise OperationalError("the server closed the connection unexpectedly")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    assert web.get(reverse("appeals:list")).status_code == 503

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", real)
    assert web.get(reverse("appeals:list")).status_code == 200
