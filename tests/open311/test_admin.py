"""API clients in the admin: the key is shown once, revoked and rotated by actions."""

import re

import pytest

from appeals.models import ApiClient, Open311Submission
from appeals.open311.keys import client_for_key

from .factories import api_client

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/appeals/apiclient/"


@pytest.fixture
def admin_client(client_for, city_admin):
    return client_for(city_admin)


def test_issuing_a_key_shows_it_once_and_stores_its_digest(admin_client, city_admin):
    response = admin_client.post(
        f"{CHANGELIST}add/",
        {"name": "Гаряча лінія 15-80", "contact_email": "hotline@example.org", "notes": ""},
    )
    assert response.status_code == 200
    key = re.search(r'value="(mc311_[^"]+)"', response.content.decode()).group(1)
    client = ApiClient.objects.get()
    assert client.created_by == city_admin
    assert client.user.is_active is False
    assert client_for_key(key) == client
    assert key not in admin_client.get(f"{CHANGELIST}{client.pk}/change/").content.decode()


def test_revoke_action(admin_client):
    client, key = api_client()
    admin_client.post(CHANGELIST, {"action": "revoke", "_selected_action": [client.pk]})
    client.refresh_from_db()
    assert client.is_active is False
    assert client.revoked_at is not None
    assert client_for_key(key) is None


def test_rotate_action_shows_the_new_key(admin_client):
    client, old = api_client()
    response = admin_client.post(CHANGELIST, {"action": "rotate", "_selected_action": [client.pk]})
    new = re.search(r'value="(mc311_[^"]+)"', response.content.decode()).group(1)
    assert new != old
    assert client_for_key(old) is None
    assert client_for_key(new) == client


@pytest.mark.parametrize(
    "url",
    [
        CHANGELIST,
        f"{CHANGELIST}?q=311",
        f"{CHANGELIST}add/",
        "/admin/appeals/open311submission/",
        "/admin/appeals/open311submission/?q=KH",
    ],
)
def test_admin_pages_open_for_the_city_admin(admin_client, url):
    api_client()
    assert admin_client.get(url).status_code == 200


def test_submission_admin_shows_a_submission(client_for, moderator, city):
    from django.test import Client  # noqa: F401

    from appeals.open311.services import open311_request_submit

    client, _key = api_client()
    appeal, submission = open311_request_submit(
        client=client,
        category=city["public"].category,
        title="Яма",
        description="Глибока яма на дорозі.",
        address="вул. Ушакова, 1",
        extra_answers={"size": 3},
        contacts={"email": "r@example.org"},
    )
    response = client_for(moderator).get(
        f"/admin/appeals/open311submission/{submission.pk}/change/"
    )
    assert response.status_code == 200
    assert "r@example.org" in response.content.decode()
    assert Open311Submission.objects.get().appeal == appeal


@pytest.mark.parametrize("role", ["resident", "department_staff", "moderator"])
def test_only_the_city_admin_issues_keys(as_role, role):
    assert as_role(role).get(f"{CHANGELIST}add/").status_code in (302, 403)
