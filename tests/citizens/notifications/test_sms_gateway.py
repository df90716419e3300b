"""SMS through the JSON gateway backend, end to end against a fake gateway on
127.0.0.1: what the gateway receives, and how its answers become outbox outcomes."""

import io

import pytest
from django.utils import translation

from citizens.notifications.delivery import deliver_many
from citizens.notifications.models import Delivery
from citizens.notifications.sms import SmsPermanentError, SmsTemporaryError, send_sms
from citizens.notifications.sms.backends import ConsoleBackend
from tests.citizens.notifications.sms_helpers import (
    PHONE,
    TOKEN,
    choose_sms,
    resident_with_phone,
    send_alert,
    sms_rows,
)

pytestmark = pytest.mark.django_db


def alert_by_sms(capture, **fields) -> Delivery:
    user = resident_with_phone(**fields)
    choose_sms(user)
    send_alert([user], capture)
    return sms_rows(user).get()


def test_the_gateway_gets_a_json_post_with_the_token_sender_number_and_text(
    sms_gateway, eager, django_capture_on_commit_callbacks
):
    row = alert_by_sms(django_capture_on_commit_callbacks, preferred_language="uk")

    row.refresh_from_db()
    assert row.status == Delivery.Status.SENT
    [call] = sms_gateway.calls
    assert call.path == "/api/message/send.json"
    assert call.headers["Authorization"] == f"Bearer {TOKEN}"
    assert call.headers["Content-Type"] == "application/json"
    assert call.body["recipients"] == [PHONE.lstrip("+")]
    assert call.body["sms"]["sender"] == "KhersonCity"
    text = call.body["sms"]["text"]
    assert text.startswith("🚨 Повітряна тривога\nПрямуйте до найближчого укриття.")
    assert text.endswith("https://mycity.example/news/alerts/1/")
    assert call.body["reference"].startswith(f"d{row.pk}-")


def test_the_sms_is_in_the_recipients_language(
    sms_gateway, eager, django_capture_on_commit_callbacks
):
    with translation.override("uk"):
        alert_by_sms(django_capture_on_commit_callbacks, preferred_language="en")

    [call] = sms_gateway.calls
    assert call.body["sms"]["text"].startswith("🚨 Air-raid alert\nGo to the nearest shelter.")


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 422])
def test_a_4xx_answer_fails_the_row_for_good(
    status, sms_gateway, eager, django_capture_on_commit_callbacks
):
    sms_gateway.status = status
    sms_gateway.answer = {"error": "refused"}

    row = alert_by_sms(django_capture_on_commit_callbacks)

    row.refresh_from_db()
    assert row.status == Delivery.Status.FAILED
    assert f"answered {status}" in row.last_error
    assert len(sms_gateway.calls) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_a_5xx_or_429_answer_is_tried_again_later(
    status, sms_gateway, eager, django_capture_on_commit_callbacks
):
    sms_gateway.status = status

    row = alert_by_sms(django_capture_on_commit_callbacks)

    row.refresh_from_db()
    assert row.status == Delivery.Status.PENDING
    assert row.attempts == 1
    assert f"answered {status}" in row.last_error
    assert row.next_attempt_at > row.created_at


def test_a_gateway_that_does_not_answer_in_time_is_tried_again_later(
    sms_gateway, eager, django_capture_on_commit_callbacks
):
    sms_gateway.delay = 2.5  # past the read timeout of 1 s

    row = alert_by_sms(django_capture_on_commit_callbacks)

    row.refresh_from_db()
    assert row.status == Delivery.Status.PENDING
    assert "did not answer in time" in row.last_error


def test_an_unreachable_gateway_is_tried_again_later(
    sms_gateway, settings, eager, django_capture_on_commit_callbacks
):
    from tests.citizens.notifications.telegram_helpers import _closed_port

    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{_closed_port()}/send"

    row = alert_by_sms(django_capture_on_commit_callbacks)

    row.refresh_from_db()
    assert row.status == Delivery.Status.PENDING
    assert "unreachable" in row.last_error


@pytest.mark.parametrize("status", [400, 500])
def test_the_token_never_reaches_last_error_even_when_the_gateway_echoes_it(
    status, sms_gateway, eager, django_capture_on_commit_callbacks
):
    sms_gateway.status = status
    sms_gateway.answer = {"error": f"bad request with Bearer {TOKEN}"}

    row = alert_by_sms(django_capture_on_commit_callbacks)

    row.refresh_from_db()
    assert row.last_error
    assert TOKEN not in row.last_error
    assert "[token]" in row.last_error


def test_the_token_is_not_in_the_error_of_a_timeout_either(sms_gateway):
    sms_gateway.delay = 2.5
    with pytest.raises(SmsTemporaryError) as caught:
        send_sms(phone=PHONE, text="test")
    assert TOKEN not in str(caught.value)


def test_a_retry_after_a_5xx_is_sent_when_the_gateway_is_back(
    sms_gateway, eager, django_capture_on_commit_callbacks
):
    sms_gateway.status = 503
    row = alert_by_sms(django_capture_on_commit_callbacks)
    sms_gateway.status = 200
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)

    assert deliver_many([row.pk]) == {"sent": 1, "retry": 0, "failed": 0}
    assert len(sms_gateway.calls) == 2


def test_a_redirecting_gateway_is_refused_for_good(sms_gateway):
    sms_gateway.status = 302
    with pytest.raises(SmsPermanentError):
        send_sms(phone=PHONE, text="test")


def test_the_console_backend_prints_the_message(settings):
    settings.SMS_SENDER = "MyCity"
    backend = ConsoleBackend()
    backend.stream = io.StringIO()

    backend.send(phone=PHONE, text="Вода з 18:00")

    printed = backend.stream.getvalue()
    assert printed.startswith("SMS ")
    assert '"to": "380501234567"' in printed
    assert "Вода з 18:00" in printed
