import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse

from citizens.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# The e-mail's code on a line of its own (ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED).
CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.MULTILINE)
CODE_PAGE = reverse("account_email_verification_sent")


def signup_data(**overrides):
    data = {
        "full_name": "Іван Франко",
        "email": "ivan@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "accept_privacy": "on",
    }
    data.update(overrides)
    return data


def verification_code(message) -> str:
    match = CODE.search(message.body)
    assert match, message.body
    return match.group(1)


def test_signup_sends_a_verification_email_with_a_code(client):
    response = client.post(reverse("account_signup"), signup_data())

    assert response.status_code == 302
    assert response["Location"] == CODE_PAGE
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ivan@example.com"]
    assert verification_code(mail.outbox[0])
    assert "confirm-email/" not in mail.outbox[0].body  # no link to open elsewhere


def test_signup_does_not_sign_the_person_in_before_verification(client):
    client.post(reverse("account_signup"), signup_data())

    assert "_auth_user_id" not in client.session
    assert client.get(reverse("citizens:cabinet")).status_code == 302


def test_the_code_page_asks_for_the_code_and_does_not_confirm_on_get(client):
    client.post(reverse("account_signup"), signup_data())

    response = client.get(CODE_PAGE)

    assert response.status_code == 200
    assert b'name="code"' in response.content
    assert not EmailAddress.objects.get(email="ivan@example.com").verified


def test_a_wrong_code_confirms_nothing(client):
    client.post(reverse("account_signup"), signup_data())

    response = client.post(CODE_PAGE, {"code": "AAAA-AAAA"})

    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert not EmailAddress.objects.get(email="ivan@example.com").verified


def test_confirmed_person_can_sign_in_and_after_the_welcome_step_lands_in_the_cabinet(
    client, client_for
):
    client.post(reverse("account_signup"), signup_data())

    assert client.post(CODE_PAGE, {"code": verification_code(mail.outbox[0])}).status_code == 302
    assert EmailAddress.objects.get(email="ivan@example.com").verified

    browser = client_for(None)
    response = browser.post(
        reverse("account_login"), {"login": "ivan@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    # Until the welcome step is saved or skipped, a sign-in passes through it.
    assert response["Location"] == f"{reverse('citizens:welcome')}?next=%2Fme%2F"
    response = browser.post(reverse("citizens:welcome"), {"skip": "1", "next": "/me/"})
    assert response["Location"] == reverse("citizens:cabinet")
    cabinet = browser.get(response["Location"])
    assert cabinet.status_code == 200
    assert "Іван Франко" in cabinet.content.decode()


@pytest.fixture
def unverified():
    user = UserFactory(email="ivan@example.com", full_name="Іван Франко")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    return user


def test_unverified_person_cannot_sign_in(client, unverified):
    response = client.post(
        reverse("account_login"), {"login": "ivan@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("citizens:cabinet")).status_code == 302


def test_unverified_person_signing_in_gets_a_new_verification_email(client, unverified):
    client.post(reverse("account_login"), {"login": "ivan@example.com", "password": PASSWORD})

    assert [m.to for m in mail.outbox] == [["ivan@example.com"]]
    assert verification_code(mail.outbox[0])


@pytest.mark.parametrize("typed", ["resident@example.com", "Resident@Example.com"])
def test_signup_with_a_registered_email_creates_no_second_account(client, resident, typed):
    client.post(reverse("account_signup"), signup_data(email=typed))

    assert User.objects.filter(email__iexact="resident@example.com").count() == 1
    assert "_auth_user_id" not in client.session
    assert mail.outbox == []


@pytest.mark.parametrize("typed", ["resident@example.com", "Resident@Example.com"])
def test_signup_with_a_registered_email_gives_a_form_error_and_keeps_the_form(
    client, resident, typed
):
    response = client.post(reverse("account_signup"), signup_data(email=typed))

    assert response.status_code == 200
    form = response.context["form"]
    assert "email" in form.errors
    assert form["email"].value() == typed
    assert form["full_name"].value() == signup_data()["full_name"]


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Kx7#qLp", "password_too_short"),
        ("qwertyuiop", "password_too_common"),
        ("4829175036", "password_entirely_numeric"),
    ],
)
def test_weak_password_is_refused_with_a_form_error(client, password, code):
    response = client.post(
        reverse("account_signup"), signup_data(password1=password, password2=password)
    )

    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["password1"]
    assert code in {e.code for e in errors}
    assert not User.objects.filter(email="ivan@example.com").exists()
    assert mail.outbox == []


def test_refused_signup_keeps_the_typed_email_and_name(client):
    response = client.post(
        reverse("account_signup"), signup_data(password1="qwertyuiop", password2="qwertyuiop")
    )

    html = response.content.decode()
    assert 'value="ivan@example.com"' in html
    assert 'value="Іван Франко"' in html
    assert 'value="qwertyuiop"' not in html


def test_signup_stores_the_full_name(client):
    client.post(reverse("account_signup"), signup_data(full_name="  Леся Українка "))

    assert User.objects.get(email="ivan@example.com").full_name == "Леся Українка"


@pytest.mark.parametrize(
    ("request_kwargs", "cookies", "language"),
    [
        ({}, {}, "uk"),
        ({"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}, {}, "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "uk"}, {}, "uk"),
        ({"HTTP_ACCEPT_LANGUAGE": "uk"}, {settings.LANGUAGE_COOKIE_NAME: "en"}, "en"),
        ({"HTTP_ACCEPT_LANGUAGE": "en"}, {settings.LANGUAGE_COOKIE_NAME: "uk"}, "uk"),
    ],
)
def test_signup_stores_the_language_active_at_signup(client, request_kwargs, cookies, language):
    client.cookies.load(cookies)

    client.post(reverse("account_signup"), signup_data(), **request_kwargs)

    assert User.objects.get(email="ivan@example.com").preferred_language == language


def test_signup_is_closed_when_signup_open_is_off(client, settings):
    settings.SIGNUP_OPEN = False

    response = client.post(reverse("account_signup"), signup_data())

    assert not User.objects.filter(email="ivan@example.com").exists()
    assert response.status_code == 200
    assert "account/signup_closed" in " ".join(t.name for t in response.templates if t.name)


def test_a_forgotten_password_is_reset_on_the_web_with_the_code_from_the_e_mail(client, resident):
    response = client.post(reverse("account_reset_password"), {"email": resident.email})
    assert response["Location"] == reverse("account_confirm_password_reset_code")
    response = client.post(response["Location"], {"code": verification_code(mail.outbox[0])})
    new = "a-new-kherson-pass-1"

    response = client.post(response["Location"], {"password1": new, "password2": new})

    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.check_password(new)
    assert not resident.check_password(PASSWORD)


def test_a_wrong_reset_code_on_the_web_changes_nothing(client, resident):
    response = client.post(reverse("account_reset_password"), {"email": resident.email})

    response = client.post(response["Location"], {"code": "AAAA-AAAA"})

    assert response.status_code == 200
    resident.refresh_from_db()
    assert resident.check_password(PASSWORD)
