"""The interface language: cookie for visitors, the profile for signed-in people."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def page_language(response) -> str:
    """The language a page declares, checked to agree with Content-Language."""
    html = response.content.decode()
    start = html.index("<html lang=") + len('<html lang="')
    declared = html[start : html.index('"', start)]
    assert response["Content-Language"] == declared
    return declared


def switch(client, language, next_url="/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def test_new_visitor_gets_ukrainian(client):
    assert page_language(client.get("/")) == "uk"


def test_visitor_whose_browser_asks_for_english_gets_english(client):
    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8")) == "en"


def test_anonymous_visitor_switches_to_english(client):
    response = switch(client, "en")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.cookies[COOKIE].value == "en"
    assert page_language(client.get("/")) == "en"


def test_anonymous_visitor_switches_back_to_ukrainian(client):
    switch(client, "en")
    switch(client, "uk")

    assert page_language(client.get("/", HTTP_ACCEPT_LANGUAGE="en")) == "uk"


def test_switching_returns_to_the_page_the_visitor_was_on(client):
    response = switch(client, "en", next_url="/accounts/login/")

    assert response["Location"] == "/accounts/login/"


def test_switching_never_redirects_to_another_site(client):
    response = switch(client, "en", next_url="https://evil.example.com/")

    assert response["Location"] == "/"


def test_signed_in_person_switching_language_keeps_it_in_the_profile(client_for, resident):
    client = client_for(resident)

    switch(client, "en")

    resident.refresh_from_db()
    assert resident.preferred_language == "en"
    assert page_language(client.get(reverse("citizens:cabinet"))) == "en"


def test_signed_in_person_switching_language_gets_the_new_cookie(client_for, resident):
    client = client_for(resident)

    switch(client, "en")

    assert client.cookies[COOKIE].value == "en"


def test_unknown_language_changes_nothing(client_for, resident):
    client = client_for(resident)

    switch(client, "de")

    resident.refresh_from_db()
    assert resident.preferred_language == "uk"
    assert page_language(client.get("/")) == "uk"


def test_profile_language_wins_over_the_cookie_right_after_login(client, resident):
    resident.preferred_language = "en"
    resident.save()
    client.cookies.load({COOKIE: "uk"})

    response = client.post(
        reverse("account_login"), {"login": resident.email, "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse("citizens:cabinet")
    assert page_language(response) == "en"
    assert client.cookies[COOKIE].value == "en"


def test_language_stays_after_signing_out(client_for, resident):
    client = client_for(resident)
    switch(client, "en")

    client.post(reverse("account_logout"))

    assert "_auth_user_id" not in client.session
    assert page_language(client.get("/")) == "en"
