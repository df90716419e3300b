"""Notifications sent through the Telegram channel, end to end against a fake
Bot API on loopback: languages, buttons, the API's refusals and retries."""

import datetime as dt
from html import escape

import pytest
from django.utils import timezone, translation

from citizens.notifications import channels, telegram
from citizens.notifications.events import TELEGRAM, get_event, render
from citizens.notifications.models import Delivery, TelegramLink
from citizens.notifications.services import notify
from tests.citizens.notifications.telegram_helpers import (
    CHAT,
    SITE,
    TOKEN,
    _closed_port,
    deliver_test_notification,
)

pytestmark = pytest.mark.django_db


# --- Delivery ----------------------------------------------------------------


@pytest.mark.parametrize("language", ["uk", "en"])
def test_notification_reaches_the_chat_in_the_recipients_language_with_a_button(
    bot_api, eager, linked_resident, django_capture_on_commit_callbacks, language
):
    linked_resident.preferred_language = language
    linked_resident.save(update_fields=["preferred_language"])

    delivery = deliver_test_notification(linked_resident, django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.SENT
    [message] = bot_api.sent()
    with translation.override(language):
        title, text = render(get_event("citizens.test"), {})
        button = translation.gettext("Open")
    assert message["chat_id"] == CHAT
    assert message["parse_mode"] == "HTML"
    assert message["text"] == f"<b>{escape(title)}</b>\n\n{escape(text)}"
    assert message["reply_markup"] == {
        "inline_keyboard": [[{"text": button, "url": f"{SITE}/me/"}]]
    }
    if language == "en":
        assert message["text"].startswith("<b>Test notification</b>")


def test_blocked_bot_unlinks_the_chat_and_fails_the_delivery(
    bot_api, eager, linked_resident, django_capture_on_commit_callbacks
):
    bot_api.failure = "blocked"

    delivery = deliver_test_notification(linked_resident, django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.FAILED
    assert "403" in delivery.last_error
    assert not TelegramLink.objects.get(user=linked_resident).is_linked


def test_chat_not_found_fails_the_delivery(
    bot_api, eager, linked_resident, django_capture_on_commit_callbacks
):
    bot_api.failure = "chat_not_found"

    delivery = deliver_test_notification(linked_resident, django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.FAILED
    assert "chat not found" in delivery.last_error


@pytest.mark.parametrize("failure", ["rate_limited", "server_error"])
def test_rate_limit_and_server_error_leave_the_delivery_for_later(
    bot_api, eager, linked_resident, django_capture_on_commit_callbacks, failure
):
    bot_api.failure = failure
    before = timezone.now()

    delivery = deliver_test_notification(linked_resident, django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.next_attempt_at > before + dt.timedelta(seconds=30)
    assert TelegramLink.objects.get(user=linked_resident).is_linked
    if failure == "rate_limited":
        assert "retry_after=7" in delivery.last_error


def test_unreachable_api_is_retried_and_the_token_stays_out_of_the_error(
    bot_api, eager, linked_resident, django_capture_on_commit_callbacks, settings
):
    settings.TELEGRAM_API_URL = f"http://127.0.0.1:{_closed_port()}"

    delivery = deliver_test_notification(linked_resident, django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_error
    assert TOKEN not in delivery.last_error


def test_a_refused_button_falls_back_to_the_link_in_the_text(
    bot_api, eager, linked_resident, django_capture_on_commit_callbacks
):
    bot_api.refuse_buttons = True

    delivery = deliver_test_notification(linked_resident, django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.SENT
    refused, sent = bot_api.sent()
    assert "reply_markup" in refused
    assert "reply_markup" not in sent
    assert sent["text"].endswith(f"\n\n{SITE}/me/")


def test_html_in_a_notification_is_escaped(bot_api, linked_resident):
    notify(recipients=[linked_resident], event="citizens.test")
    delivery = Delivery.objects.get(channel=TELEGRAM)

    channels.sender(TELEGRAM)(delivery, "<i>Water</i> & power", "Shelter <b>open</b>", "")

    [message] = bot_api.sent()
    title, text = message["text"].split("\n\n")
    assert title == "<b>&lt;i&gt;Water&lt;/i&gt; &amp; power</b>"
    assert text == "Shelter &lt;b&gt;open&lt;/b&gt;"
    assert "reply_markup" not in message


def test_a_message_to_an_unlinked_person_fails_for_good(bot_api, linked_resident):
    notify(recipients=[linked_resident], event="citizens.test")
    delivery = Delivery.objects.get(channel=TELEGRAM)
    TelegramLink.objects.filter(user=linked_resident).update(chat_id=None)

    with pytest.raises(channels.PermanentFailure):
        channels.sender(TELEGRAM)(delivery, "Title", "Text", "")
    assert bot_api.calls == []


def test_unlinking_cancels_messages_still_waiting_for_telegram(bot_api, linked_resident):
    notify(recipients=[linked_resident], event="citizens.test")

    telegram.telegram_unlink(user=linked_resident)

    delivery = Delivery.objects.get(channel=TELEGRAM)
    assert delivery.status == Delivery.Status.CANCELLED


def test_unlinked_person_gets_no_telegram_row(bot_api, resident):
    notify(recipients=[resident], event="citizens.test")

    assert not Delivery.objects.filter(channel=TELEGRAM).exists()
