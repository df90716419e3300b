"""Who may open the admin: staff only, and only with two-factor authentication."""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.contrib import messages
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.conftest import ROLES, STAFF_WITH_MFA
from tests.factories import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(ADMIN, follow=True)

    final = urlsplit(response.redirect_chain[-1][0])
    assert final.path == reverse("account_login")
    assert parse_qs(final.query) == {"next": [ADMIN]}
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["resident", "other_resident"])
def test_resident_gets_403(as_role, role):
    response = as_role(role).get(ADMIN, follow=True)

    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]


def test_staff_without_mfa_is_sent_to_totp_activation(as_role):
    response = as_role("staff_without_mfa").get(ADMIN)

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("mfa_activate_totp")
    assert parse_qs(location.query) == {"next": [ADMIN]}


def test_staff_without_mfa_is_told_why(as_role):
    response = as_role("staff_without_mfa").get(ADMIN)

    levels = [m.level for m in get_messages(response.wsgi_request)]
    assert levels == [messages.WARNING]


def test_staff_without_mfa_is_stopped_on_every_admin_page(as_role):
    client = as_role("staff_without_mfa")

    response = client.get(reverse("admin:citizens_user_changelist"))

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", STAFF_WITH_MFA)
def test_staff_with_mfa_opens_the_admin(as_role, role):
    assert as_role(role).get(ADMIN).status_code == 200


# Status of GET /admin/ without following redirects, for every role of the table.
ADMIN_STATUS = {
    "anonymous": 302,
    "resident": 302,
    "other_resident": 302,
    "moderator": 200,
    "department_staff": 200,
    "city_admin": 200,
    "staff_without_mfa": 302,
    "staff_with_mfa": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_admin_index_status_for_every_role(as_role, role):
    assert as_role(role).get(ADMIN).status_code == ADMIN_STATUS[role]


def test_staff_who_turns_on_totp_can_open_the_admin(as_role, django_capture_on_commit_callbacks):
    client = as_role("staff_without_mfa")
    # allauth asks for the password again before a change of sign-in methods.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]

    # allauth tells that TOTP was added on commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_staff_signs_in_with_password_and_totp_code(client, staff_with_mfa):
    response = client.post(
        reverse("account_login"),
        {"login": staff_with_mfa.email, "password": PASSWORD, "next": ADMIN},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})

    assert response.status_code == 302
    assert response["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_wrong_totp_code_does_not_sign_staff_in(client, staff_with_mfa):
    client.post(reverse("account_login"), {"login": staff_with_mfa.email, "password": PASSWORD})
    wrong = f"{(int(totp_code()) + 1) % 1_000_000:06d}"

    response = client.post(reverse("mfa_authenticate"), {"code": wrong})

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_who_looks_after_delivery_sees_where_a_message_went_not_what_it_said(
    client_for, city_admin, superuser, resident
):
    from citizens.notifications.models import Notification
    from citizens.notifications.services import notify

    notify(
        recipients=[resident],
        event="appeals.status_changed",
        context={"reference": "KH-2026-000001", "title": "Приватна скарга про сусіда"},
    )
    url = reverse("admin:citizens_notification_change", args=[Notification.objects.get().pk])

    assert "Приватна скарга" not in client_for(city_admin).get(url).content.decode()
    assert "Приватна скарга" in client_for(superuser).get(url).content.decode()
