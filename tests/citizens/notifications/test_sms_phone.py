"""Confirming a phone for SMS with a code, through the cabinet's pages."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from citizens.notifications.models import PhoneVerification
from citizens.notifications.sms.phone import verified_phone
from tests.citizens.notifications.sms_helpers import OTHER_PHONE, PHONE, confirm_phone
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("notifications:sms")
CONFIRM = reverse("notifications:sms_confirm")


def code_in(message) -> str:
    return re.search(r"\b(\d{6})\b", message.text).group(1)


def ask_code(client, phone=PHONE, **extra):
    return client.post(PAGE, {"phone": phone}, **extra)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def asked(sms, resident, client_for):
    """The resident asked for a code for PHONE; returns (client, code)."""
    client = client_for(resident)
    response = ask_code(client)
    assert response.status_code == 302, response.content.decode()[:500]
    [message] = sms
    return client, code_in(message)


def test_the_page_is_not_there_without_an_sms_gateway(settings, resident, client_for):
    settings.SMS_BACKEND = ""
    assert client_for(resident).get(PAGE).status_code == 404


def test_the_page_asks_an_anonymous_visitor_to_sign_in(sms, client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_code_of_six_digits_goes_by_sms_to_the_number_given(sms, resident, client_for):
    response = ask_code(client_for(resident), phone="050 123 45 67")

    assert response.status_code == 302
    [message] = sms
    assert message.phone == PHONE
    assert re.fullmatch(r"\D*\d{6}\D*(\d+\D*)?", message.text)
    row = PhoneVerification.objects.get(user=resident)
    assert str(row.phone) == PHONE
    assert row.verified_phone is None
    assert code_in(message) not in row.code_hash  # only a hash is kept


def test_the_right_code_confirms_the_phone_and_makes_it_the_profiles(asked, resident):
    client, code = asked

    response = client.post(CONFIRM, {"code": code})

    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:settings")
    resident.refresh_from_db()
    assert str(resident.phone) == PHONE
    row = PhoneVerification.objects.get(user=resident)
    assert str(row.verified_phone) == PHONE
    assert row.verified_at is not None
    assert verified_phone(resident) == PHONE


def test_the_code_works_once(asked, resident):
    client, code = asked
    client.post(CONFIRM, {"code": code})
    PhoneVerification.objects.filter(user=resident).update(verified_phone=None)

    response = client.post(CONFIRM, {"code": code})

    assert response.status_code == 400
    assert verified_phone(resident) is None


def test_a_wrong_code_is_refused_with_the_attempts_left(asked, resident, settings):
    settings.LANGUAGE_CODE = "en"
    client, code = asked

    response = client.post(CONFIRM, {"code": wrong(code)}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert verified_phone(resident) is None
    assert PhoneVerification.objects.get(user=resident).attempts == 1
    assert "4" in response.content.decode()  # 5 attempts, one used


def test_an_expired_code_is_refused(asked, resident):
    client, code = asked
    PhoneVerification.objects.filter(user=resident).update(
        code_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    response = client.post(CONFIRM, {"code": code})

    assert response.status_code == 400
    assert verified_phone(resident) is None


def test_after_too_many_wrong_codes_even_the_right_one_is_refused(asked, resident, settings):
    client, code = asked
    for _ in range(settings.SMS_CODE_MAX_ATTEMPTS):
        assert client.post(CONFIRM, {"code": wrong(code)}).status_code == 400

    response = client.post(CONFIRM, {"code": code})

    assert response.status_code == 400
    assert verified_phone(resident) is None
    assert PhoneVerification.objects.get(user=resident).code_hash == ""


def test_a_new_code_cannot_be_asked_for_at_once(asked, sms):
    client, _code = asked

    response = ask_code(client)

    assert response.status_code == 400
    assert len(sms) == 1


def test_a_new_code_after_the_wait_replaces_the_old_one(asked, sms, resident):
    client, old = asked
    PhoneVerification.objects.filter(user=resident).update(
        code_sent_at=timezone.now() - dt.timedelta(minutes=2)
    )

    assert ask_code(client).status_code == 302
    new = code_in(sms[-1])
    if new != old:
        assert client.post(CONFIRM, {"code": old}).status_code == 400
    assert client.post(CONFIRM, {"code": new}).status_code == 302


def test_codes_to_one_account_are_limited_per_hour(sms, resident, client_for, settings):
    settings.SMS_CODE_RESEND_SECONDS = 0
    client = client_for(resident)
    limit = int(settings.RATE_LIMITS["sms_code"]["account"].split("/")[0])
    for n in range(limit):
        assert ask_code(client).status_code == 302, n

    response = ask_code(client)

    assert response.status_code == 400
    assert len(sms) == limit


def test_codes_to_one_number_are_limited_across_accounts(sms, client_for, settings):
    settings.SMS_CODE_RESEND_SECONDS = 0
    limit = int(settings.RATE_LIMITS["sms_code"]["account"].split("/")[0])
    for _ in range(limit):
        assert ask_code(client_for(UserFactory()), REMOTE_ADDR="10.0.0.1").status_code == 302

    response = ask_code(client_for(UserFactory()), REMOTE_ADDR="10.0.0.2")

    assert response.status_code == 400
    assert len(sms) == limit


def test_a_number_confirmed_on_another_account_is_refused(
    sms, resident, other_resident, client_for
):
    confirm_phone(other_resident, PHONE)

    response = ask_code(client_for(resident))

    assert response.status_code == 400
    assert sms == []
    assert verified_phone(other_resident) == PHONE


def test_a_number_that_is_not_ukrainian_is_refused_and_kept_in_the_form(sms, resident, client_for):
    response = ask_code(client_for(resident), phone="+48 601 234 567")

    assert response.status_code == 400
    assert sms == []
    assert "+48 601 234 567" in response.content.decode()


def test_a_gateway_failure_is_told_and_keeps_no_code(sms, settings, resident, client_for):
    settings.SMS_BACKEND = "citizens.notifications.sms.backends.JsonGatewayBackend"
    settings.SMS_GATEWAY_URL = ""

    response = ask_code(client_for(resident))

    assert response.status_code == 400
    assert not PhoneVerification.objects.filter(user=resident).exclude(code_hash="").exists()


def test_a_code_without_asking_is_refused(sms, resident, client_for):
    response = client_for(resident).post(CONFIRM, {"code": "123456"})
    assert response.status_code == 400


def test_another_persons_code_does_not_confirm_ones_own_request(
    asked, sms, other_resident, client_for
):
    _client, code = asked
    other = client_for(other_resident)
    assert ask_code(other, phone=OTHER_PHONE).status_code == 302
    other_code = code_in(sms[-1])
    if other_code == code:
        pytest.skip("the two random codes happen to be equal")

    assert other.post(CONFIRM, {"code": code}).status_code == 400
    assert verified_phone(other_resident) is None


def test_changing_the_phone_in_the_profile_unconfirms_it(sms, resident):
    confirm_phone(resident, PHONE)
    resident.phone = OTHER_PHONE
    resident.save(update_fields=["phone"])

    assert verified_phone(resident) is None


def test_stopping_sms_forgets_the_confirmation(sms, resident, client_for):
    confirm_phone(resident)

    response = client_for(resident).post(reverse("notifications:sms_remove"))

    assert response.status_code == 302
    assert verified_phone(resident) is None
    resident.refresh_from_db()
    assert str(resident.phone) == PHONE  # the profile keeps its phone


def test_the_page_shows_the_confirmed_phone_and_the_fallback_switch(sms, resident, client_for):
    confirm_phone(resident)

    page = client_for(resident).get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert PHONE in page
    assert 'name="sms_fallback"' in page
    assert "checked" in page


def test_the_fallback_can_be_switched_off_and_on(sms, resident, client_for):
    from citizens.notifications.sms.phone import sms_fallback_on

    confirm_phone(resident)
    client = client_for(resident)

    client.post(reverse("notifications:sms_fallback"), {})
    assert sms_fallback_on(resident) is False
    client.post(reverse("notifications:sms_fallback"), {"sms_fallback": "on"})
    assert sms_fallback_on(resident) is True


@pytest.mark.parametrize(
    ("language", "heading"), [("uk", "Підтвердьте телефон"), ("en", "Confirm your phone")]
)
def test_the_page_speaks_the_residents_language(sms, client_for, language, heading):
    client = client_for(UserFactory(preferred_language=language))

    page = client.get(PAGE).content.decode()

    assert heading in page


def test_the_code_sms_is_one_segment_in_ukrainian(sms, client_for):
    from citizens.notifications.sms.segments import count

    ask_code(client_for(UserFactory(preferred_language="uk")))

    [message] = sms
    assert message.text.startswith("Код ")
    assert count(message.text).segments == 1
