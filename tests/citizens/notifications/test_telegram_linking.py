"""Linking a Telegram chat to an account through the bot, and the webhook's door,
end to end against a fake Bot API on loopback."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from citizens.notifications import telegram
from citizens.notifications.models import TelegramLink
from citizens.notifications.services import NotificationError
from tests.citizens.notifications.telegram_helpers import (
    BOT,
    CHAT,
    SECRET,
    SITE,
    _closed_port,
    code_of,
    in_language,
    message_update,
    post_update,
)

pytestmark = pytest.mark.django_db


# --- Linking ---------------------------------------------------------------


def test_link_start_gives_a_deep_link_with_a_one_time_code(bot_api, resident):
    before = timezone.now()

    link = telegram.telegram_link_start(user=resident)

    code = code_of(resident)
    assert link == f"https://t.me/{BOT}?start={code}"
    assert telegram.CODE_PATTERN.fullmatch(code)
    expires = TelegramLink.objects.get(user=resident).code_expires_at
    assert before + dt.timedelta(minutes=15) <= expires <= timezone.now() + dt.timedelta(minutes=15)


def test_linking_journey_from_the_cabinet_to_the_bot(bot_api, resident, client_for):
    client = client_for(resident)
    page = reverse("notifications:telegram")

    response = client.post(page, {"action": "link"})
    assert response.status_code == 302
    shown = client.get(page).content.decode()
    code = code_of(resident)
    assert f"https://t.me/{BOT}?start={code}" in shown
    assert f"/start {code}" in shown

    assert post_update(client_for(None), message_update(f"/start {code}")).status_code == 200

    link = TelegramLink.objects.get(user=resident)
    assert link.chat_id == CHAT
    assert link.username == "oksana_k"
    assert link.code is None
    [reply] = bot_api.sent()
    assert reply["chat_id"] == CHAT
    assert reply["text"] == in_language(telegram.LINKED, resident.preferred_language)
    assert "@oksana_k" in client.get(page).content.decode()


def test_link_reply_is_in_the_accounts_language_not_telegrams(bot_api, resident, client_for):
    resident.preferred_language = "en"
    resident.save(update_fields=["preferred_language"])
    telegram.telegram_link_start(user=resident)

    post_update(client_for(None), message_update(f"/start {code_of(resident)}", lang="uk"))

    [reply] = bot_api.sent()
    assert reply["text"].startswith("Linked to My City. You will get notifications here.")


def test_expired_code_is_refused(bot_api, resident, client_for):
    telegram.telegram_link_start(user=resident)
    code = code_of(resident)
    TelegramLink.objects.filter(user=resident).update(
        code_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    assert post_update(client_for(None), message_update(f"/start {code}")).status_code == 200

    assert not TelegramLink.objects.get(user=resident).is_linked
    [reply] = bot_api.sent()
    cabinet = SITE + reverse("notifications:telegram")
    assert reply["text"] == in_language(telegram.CODE_REFUSED, "uk", url=cabinet)


def test_code_works_only_once(bot_api, resident):
    telegram.telegram_link_start(user=resident)
    code = code_of(resident)
    telegram.telegram_link_complete(code=code, chat_id=CHAT, username="oksana_k")

    with pytest.raises(NotificationError):
        telegram.telegram_link_complete(code=code, chat_id=CHAT + 1, username="stranger")

    assert TelegramLink.objects.get(user=resident).chat_id == CHAT


def test_a_new_code_replaces_the_previous_one(bot_api, resident):
    telegram.telegram_link_start(user=resident)
    first = code_of(resident)
    telegram.telegram_link_start(user=resident)

    with pytest.raises(NotificationError):
        telegram.telegram_link_complete(code=first, chat_id=CHAT, username="")


@pytest.mark.parametrize("code", ["", "no spaces allowed", "x" * 65, "ünïcode", "../../etc"])
def test_malformed_code_is_refused(bot_api, resident, code):
    with pytest.raises(NotificationError):
        telegram.telegram_link_complete(code=code, chat_id=CHAT, username="")


def test_a_chat_linked_to_another_account_moves_to_the_new_one(
    bot_api, linked_resident, other_resident
):
    telegram.telegram_link_start(user=other_resident)

    user = telegram.telegram_link_complete(
        code=code_of(other_resident), chat_id=CHAT, username="oksana_k"
    )

    assert user == other_resident
    assert TelegramLink.objects.get(user=other_resident).chat_id == CHAT
    assert not TelegramLink.objects.get(user=linked_resident).is_linked


def test_inactive_account_cannot_be_linked(bot_api, resident):
    telegram.telegram_link_start(user=resident)
    resident.is_active = False
    resident.save(update_fields=["is_active"])

    with pytest.raises(NotificationError):
        telegram.telegram_link_complete(code=code_of(resident), chat_id=CHAT, username="")


def test_a_group_chat_cannot_be_linked_even_with_a_valid_code(bot_api, resident, client_for):
    telegram.telegram_link_start(user=resident)
    update = message_update(f"/start {code_of(resident)}", chat_id=-100123, chat_type="group")

    assert post_update(client_for(None), update).status_code == 200

    assert not TelegramLink.objects.get(user=resident).is_linked
    assert bot_api.sent() == []


def test_start_without_a_code_explains_how_to_link(bot_api, client_for):
    post_update(client_for(None), message_update("/start", lang="en"))

    [reply] = bot_api.sent()
    cabinet = SITE + reverse("notifications:telegram")
    assert reply["text"] == in_language(telegram.HOW_TO_LINK, "en", url=cabinet)
    assert cabinet in reply["text"]


def test_start_in_a_linked_chat_says_it_is_linked(bot_api, linked_resident, client_for):
    post_update(client_for(None), message_update("/start"))

    [reply] = bot_api.sent()
    assert reply["text"] == in_language(telegram.ALREADY_LINKED, "uk")


def test_stop_unlinks_the_chat_and_replies(bot_api, linked_resident, client_for):
    assert post_update(client_for(None), message_update("/stop")).status_code == 200

    assert not TelegramLink.objects.get(user=linked_resident).is_linked
    [reply] = bot_api.sent()
    cabinet = SITE + reverse("notifications:telegram")
    assert reply["text"] == in_language(telegram.UNLINKED, "uk", url=cabinet)


def test_stop_in_an_unknown_chat_says_it_is_not_linked(bot_api, client_for):
    post_update(client_for(None), message_update("/stop", lang="en"))

    [reply] = bot_api.sent()
    assert reply["text"] == "This chat is not linked to My City."


def test_an_update_telegram_sends_again_is_acted_on_once(bot_api, resident, client_for):
    telegram.telegram_link_start(user=resident)
    update = message_update(f"/start {code_of(resident)}")

    post_update(client_for(None), update)
    post_update(client_for(None), update)

    [reply] = bot_api.sent()
    assert reply["text"] == in_language(telegram.LINKED, "uk")


def test_a_failed_reply_does_not_fail_the_webhook(bot_api, resident, client_for):
    bot_api.failure = "server_error"
    telegram.telegram_link_start(user=resident)

    response = post_update(client_for(None), message_update(f"/start {code_of(resident)}"))

    assert response.status_code == 200
    assert TelegramLink.objects.get(user=resident).chat_id == CHAT


def test_an_unreachable_api_does_not_fail_the_webhook(bot_api, resident, client_for, settings):
    settings.TELEGRAM_API_URL = f"http://127.0.0.1:{_closed_port()}"
    telegram.telegram_link_start(user=resident)

    response = post_update(client_for(None), message_update(f"/start {code_of(resident)}"))

    assert response.status_code == 200
    assert TelegramLink.objects.get(user=resident).chat_id == CHAT


# --- The webhook's door ------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "header"),
    [
        ("wrong-secret", SECRET),
        (SECRET, "wrong-secret"),
        (SECRET, None),
        ("wrong-secret", None),
        (SECRET, "ключ"),
    ],
    ids=["wrong-url-secret", "wrong-header", "no-header", "neither", "non-ascii-header"],
)
def test_webhook_without_both_secrets_is_404(bot_api, resident, client_for, secret, header):
    telegram.telegram_link_start(user=resident)
    update = message_update(f"/start {code_of(resident)}")

    response = post_update(client_for(None), update, secret=secret, header=header)

    assert response.status_code == 404
    assert not TelegramLink.objects.get(user=resident).is_linked
    assert bot_api.calls == []


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe\x00garbage",
        b"",
        b"null",
        b"[]",
        b'"a string"',
        b'{"update_id": "x"}',
        b'{"message": "hello"}',
        b'{"message": {"chat": {"id": "424242", "type": "private"}, "text": "/start"}}',
        b'{"message": {"chat": {"id": true, "type": "private"}, "text": "/start"}}',
        b'{"message": {"chat": {"id": 424242, "type": "private"}, "text": 5}}',
        b'{"message": {"chat": {"id": 424242, "type": "private"}, "text": "hello"}}',
        b'{"message": {"chat": {"id": 424242, "type": "private"}, "from": [], "text": "/x"}}',
        b'{"edited_message": {"chat": {"id": 424242, "type": "private"}, "text": "/stop"}}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"message": {"chat": {"id": 424242, "type": "private"}, "text": "/start a\\u0000b"}}',
        b'{"message": {"chat": {"id": 424242, "type": "private"}, "text": "/start \\ud800"}}',
    ],
    ids=lambda body: repr(body[:30]),
)
def test_webhook_answers_junk_with_200_and_does_nothing(bot_api, linked_resident, client_for, body):
    assert post_update(client_for(None), body).status_code == 200

    assert TelegramLink.objects.get(user=linked_resident).chat_id == CHAT
    assert bot_api.calls == []


def test_webhook_refuses_get(bot_api, client_for):
    url = reverse("notifications:telegram_webhook", args=[SECRET])
    response = client_for(None).get(url, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})

    assert response.status_code == 405
