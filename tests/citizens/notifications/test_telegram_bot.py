"""The bot's registry of commands and conversations, with a test flow declared here:
linked chats only, /cancel, expiry, buttons answered and routed by their flow."""

import datetime as dt

import pytest

from citizens.models import BotConversation
from citizens.notifications import telegram
from citizens.notifications.bot_commands import BotCommand, BotFlow
from citizens.notifications.telegram import bot, webhook
from tests.citizens.notifications.telegram_helpers import (
    CHAT,
    TOKEN,
    BotChat,
    callback_update,
    in_language,
    jpeg_with_gps,
    post_update,
)

pytestmark = pytest.mark.django_db

HERE = "tests.citizens.notifications.test_telegram_bot"
ECHO = BotFlow(
    key="tests.echo", on_message=f"{HERE}.echo_message", on_callback=f"{HERE}.echo_press"
)
START = BotCommand(name="echo", description="Echo", handler=f"{HERE}.echo_start", button="🔁 Echo")


def echo_start(chat, argument):
    bot.conversation_start(chat=chat, flow=ECHO.key, step="talking", data={"n": 0})
    chat.say(
        f"start {argument}", keyboard=bot.inline_keyboard([[bot.button("Go", ECHO.key, "go")]])
    )


def echo_message(chat, conversation, message):
    data = {"n": conversation.data["n"] + 1}
    bot.conversation_save(conversation, step="talking", data=data)
    chat.say(f"{data['n']}: {message.get('text')}")


def echo_press(chat, conversation, payload):
    if payload != "go":
        return "unknown"
    chat.say("pressed")
    return "ok"


@pytest.fixture(autouse=True)
def echo_flow(monkeypatch):
    monkeypatch.setattr(bot, "commands", lambda: {"echo": START})
    monkeypatch.setattr(bot, "flows", lambda: {ECHO.key: ECHO})


@pytest.fixture
def chat(client_for, bot_api, linked_resident):
    return BotChat(client_for(None), bot_api)


def test_a_command_starts_a_conversation_kept_in_the_database(chat):
    chat.send("/echo hello")
    chat.send("one")
    chat.send("two")

    assert chat.api.texts() == ["start hello", "1: one", "2: two"]
    row = BotConversation.objects.get(chat_id=CHAT)
    assert (row.flow, row.step, row.data) == ("tests.echo", "talking", {"n": 2})


def test_the_menu_button_is_the_command(chat):
    chat.send("🔁 Echo")

    assert chat.last()["text"] == "start "


def test_a_button_is_routed_to_its_flow_and_answered(chat, bot_api):
    chat.send("/echo")

    chat.press("tests.echo:go")

    assert chat.last()["text"] == "pressed"
    [answer] = bot_api.answered()
    assert answer["text"] == "ok"


def test_a_button_of_a_flow_the_chat_is_not_in_is_stale(chat, bot_api):
    chat.press("tests.echo:go")

    assert bot_api.sent() == []
    assert bot_api.answered()[0]["text"] == in_language(telegram.STALE_BUTTON, "uk")


def test_a_retried_button_update_is_acted_on_once(chat, client_for, bot_api):
    chat.send("/echo")
    update = callback_update("tests.echo:go")

    post_update(client_for(None), update)
    post_update(client_for(None), update)

    assert chat.api.texts().count("pressed") == 1
    assert len(bot_api.answered()) == 2  # both spinners stopped


def test_a_button_pressed_in_an_unlinked_chat_says_so(client_for, bot_api):
    BotChat(client_for(None), bot_api, chat_id=555).press("tests.echo:go")

    assert bot_api.sent() == []
    assert bot_api.answered()[0]["text"] == in_language(telegram.NOT_LINKED, "uk")


def test_a_button_in_a_group_is_only_answered(chat, client_for, bot_api):
    chat.send("/echo")
    update = callback_update("tests.echo:go")
    update["callback_query"]["message"]["chat"]["type"] = "group"

    post_update(client_for(None), update)

    assert chat.api.texts() == ["start "]
    assert bot_api.answered()[0] == {"callback_query_id": update["callback_query"]["id"]}


def test_cancel_ends_the_conversation(chat):
    chat.send("/echo")

    chat.send("/cancel")

    assert not BotConversation.objects.exists()
    assert chat.last()["text"] == in_language(telegram.CANCELLED, "uk")


def test_cancel_without_a_conversation(chat):
    chat.send("/cancel")

    assert chat.last()["text"] == in_language(webhook.NOTHING_TO_CANCEL, "uk")


def test_an_expired_conversation_is_told_and_dropped(chat):
    chat.send("/echo")
    BotConversation.objects.update(updated_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))

    chat.send("one")

    assert chat.last()["text"] == in_language(telegram.EXPIRED, "uk")
    assert not BotConversation.objects.exists()


def test_a_message_without_a_conversation_is_left_alone(chat):
    chat.send("просто текст")

    assert chat.api.sent() == []


def test_stop_drops_the_draft(chat):
    chat.send("/echo")

    chat.send("/stop")

    assert not BotConversation.objects.exists()


def test_the_draft_of_a_previous_account_on_the_chat_is_not_used(chat, other_resident):
    chat.send("/echo")
    BotConversation.objects.update(user=other_resident)

    chat.send("one")

    assert chat.api.texts() == ["start "]
    assert not BotConversation.objects.exists()


def test_rows_left_for_a_day_are_purged_when_a_conversation_starts(chat, other_resident):
    BotConversation.objects.create(
        chat_id=31337,
        user=other_resident,
        flow="tests.echo",
        step="talking",
        updated_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )

    chat.send("/echo")

    assert list(BotConversation.objects.values_list("chat_id", flat=True)) == [CHAT]


def test_callback_data_over_64_bytes_is_refused():
    assert bot.callback_data("tests.echo", "x" * 53) == "tests.echo:" + "x" * 53
    with pytest.raises(ValueError, match="64 bytes"):
        bot.callback_data("tests.echo", "я" * 27)


@pytest.mark.parametrize("name", ["start", "cancel", "Report", "two words", ""])
def test_a_command_name_must_be_telegrams_and_not_built_in(name):
    with pytest.raises(ValueError, match="not a valid command"):
        BotCommand(name=name, description="", handler="x.y")


def test_a_file_is_downloaded_through_the_client(bot_api):
    bot_api.files["F1"] = jpeg_with_gps()

    assert telegram.download_file("F1", max_bytes=10**6) == bot_api.files["F1"]


def test_a_file_over_the_limit_is_not_read(bot_api):
    bot_api.files["F1"] = jpeg_with_gps()

    with pytest.raises(telegram.BotApiError) as refused:
        telegram.download_file("F1", max_bytes=100)

    assert refused.value.status == 413
    assert bot_api.downloads == []


def test_an_unknown_file_is_refused_without_the_token(bot_api):
    with pytest.raises(telegram.BotApiError) as refused:
        telegram.download_file("missing", max_bytes=10**6)

    assert TOKEN not in str(refused.value)
