"""RefuseBadInputMiddleware and the session engines: bad input is a 400 or no session, not a 500."""

import json

import pytest
from django.urls import reverse

from mycity.sessions import well_formed
from mycity.sessions.db import SessionStore

pytestmark = pytest.mark.django_db
REFUSED_UK = "недозволені символи"


def test_form_with_nul_in_a_value_is_a_400_and_nothing_is_saved(client_for, resident):
    name = resident.full_name

    response = client_for(resident).post(
        reverse("citizens:profile"), {"full_name": "Оксана\x00", "preferred_language": "uk"}
    )

    assert response.status_code == 400
    assert REFUSED_UK in response.content.decode()
    resident.refresh_from_db()
    assert resident.full_name == name


def test_form_with_nul_in_a_field_name_is_a_400(client_for, resident):
    response = client_for(resident).post(reverse("citizens:profile"), {"full\x00name": "x"})

    assert response.status_code == 400


def test_json_body_of_a_plain_view_100000_deep_is_a_400_in_json(client_for, resident):
    response = client_for(resident).post(
        reverse("notifications:push_unsubscribe"),
        "[" * 100_000 + "]" * 100_000,
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "вкладеності" in response.json()["detail"]


def test_json_body_of_a_plain_view_with_a_lone_surrogate_is_a_400(client_for, resident):
    response = client_for(resident).post(
        reverse("notifications:push_unsubscribe"),
        json.dumps({"endpoint": "https://push.example.org/\ud800"}),
        content_type="application/json",
    )

    assert response.status_code == 400


def test_malformed_json_is_left_to_the_view(client_for, resident):
    response = client_for(resident).post(
        reverse("notifications:push_unsubscribe"), "{not json", content_type="application/json"
    )

    # The view's own answer to malformed JSON, not the middleware's refusal.
    assert response.status_code == 400
    assert REFUSED_UK not in response.content.decode()


@pytest.mark.parametrize("endpoint", ["auth/login", "auth/password/request"])
def test_multipart_post_to_a_headless_endpoint_is_left_for_it_to_read(client, endpoint):
    # The middleware must not read the form: allauth then reads the raw body.
    response = client.post(f"/api/v1/auth/app/v1/{endpoint}", {"email": "a@example.com"})

    assert response.status_code == 400


def test_ordinary_input_passes(client):
    assert client.get(reverse("appeals:list") + "?q=%D1%8F%D0%BC%D0%B0").status_code == 200


@pytest.mark.parametrize(
    ("key", "ok"),
    [
        ("abcdefghijklmnop0123456789abcdef", True),
        ("abcdefgh\x00ijklmnop", False),
        ("ABCDEFGHIJKLMNOP", False),
        ("short", False),
        ("x" * 200, False),
        (None, False),
    ],
)
def test_only_keys_django_could_have_made_name_a_session(key, ok):
    assert well_formed(key) is ok


def test_session_with_a_malformed_key_is_a_new_empty_session():
    store = SessionStore("abcdefgh\x00ijklmnop")

    assert store.session_key is None
    assert not store.exists("abcdefgh\x00ijklmnop")
    assert dict(store.items()) == {}


def test_session_cookie_with_a_nul_is_a_visitor_without_a_session(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"

    assert client.get(reverse("home")).status_code == 200
