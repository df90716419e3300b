"""The bot's webhook: linking commands, the apps' commands and conversations, buttons.

"/start <code>" links a chat, "/stop" unlinks it, "/help" and "/start" say
how; "/cancel" ends a conversation. The apps' commands (bot.py) and their
conversations need a linked chat; an unlinked chat is told how to link. An
update that Telegram delivers again is acted on once.
"""

import contextlib
import hmac
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from ..errors import NotificationError
from ..links import absolute
from ..models import TelegramLink
from . import bot
from .api import BotApiError, answer_callback_query, call, send_message, set_my_commands
from .linking import is_configured, telegram_chat_unlink, telegram_link_complete

logger = logging.getLogger(__name__)

SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what setWebhook accepts as secret_token
# A retried webhook update is acted on once.
UPDATE_SEEN_FOR = 24 * 3600
ALLOWED_UPDATES = ["message", "callback_query"]

LINKED = gettext_lazy(
    "Linked to My City. You will get notifications here. Send /stop to stop them."
)
ALREADY_LINKED = gettext_lazy("This chat gets notifications from My City. Send /stop to stop them.")
HOW_TO_LINK = gettext_lazy(
    "To get My City notifications here, open your cabinet on the site, press "
    "“Link Telegram” and then Start in this chat: %(url)s"
)
CODE_REFUSED = gettext_lazy(
    "This link has expired or was already used. Get a new one in your cabinet: %(url)s"
)
UNLINKED = gettext_lazy(
    "Done: My City will not send notifications here any more. "
    "You can link Telegram again in your cabinet: %(url)s"
)
NOT_LINKED = gettext_lazy("This chat is not linked to My City.")
CANCELLED = gettext_lazy("Cancelled. Nothing was sent.")
NOTHING_TO_CANCEL = gettext_lazy("There is nothing to cancel.")
EXPIRED = gettext_lazy(
    "Your draft expired after 30 minutes without a message and was not sent. Start again "
    "when you are ready."
)
STALE_BUTTON = gettext_lazy("This button no longer works.")


def webhook_secret_matches(*, path_secret: str, header_secret: str) -> bool:
    """Whether a webhook request carries our secret in both its URL and its header."""
    expected = settings.TELEGRAM_WEBHOOK_SECRET
    if not (is_configured() and expected):
        return False
    expected_bytes = expected.encode()
    # compare_digest on bytes: on str it refuses non-ASCII input with TypeError.
    path_ok = hmac.compare_digest(path_secret.encode(), expected_bytes)
    header_ok = hmac.compare_digest(header_secret.encode(), expected_bytes)
    return path_ok and header_ok


def telegram_handle_update(*, update) -> str:
    """Act on one Telegram Update (any JSON value); returns what was done.

    Only private chats count: personal messages never go to groups or
    channels. Anything else is ignored.
    """
    if not isinstance(update, dict):
        return "ignored"
    if isinstance(update.get("callback_query"), dict):
        return _handle_callback(update, update["callback_query"])
    message = update.get("message")
    if not isinstance(message, dict):
        return "ignored"
    chat_id = _private_chat_id(message)
    if chat_id is None:
        return "ignored"
    sender = message.get("from")
    sender = sender if isinstance(sender, dict) else {}
    text = message.get("text")
    command, argument = "", ""
    if isinstance(text, str) and text.startswith("/"):
        command, _space, argument = text.strip().partition(" ")
        command = command.split("@", 1)[0].lower()
    if command in ("/start", "/stop", "/help"):
        return _once(update, lambda: _dispatch(command, argument.strip(), chat_id, sender))
    if not command and isinstance(text, str):
        button = bot.command_for_button(text.strip())
        if button is not None:
            command = f"/{button.name}"
    if not (isinstance(text, str) or "location" in message or "photo" in message):
        return "ignored"
    return _once(update, lambda: _converse(command, argument.strip(), chat_id, sender, message))


def _once(update: dict, act) -> str:
    update_id = update.get("update_id")
    seen_key = f"telegram:update:{update_id}" if _is_int(update_id) else None
    if seen_key and not _first_sight(seen_key):
        return "duplicate"
    try:
        return act()
    except Exception:
        if seen_key:
            with contextlib.suppress(Exception):
                cache.delete(seen_key)  # let Telegram's retry act on it
        raise


def _dispatch(command: str, argument: str, chat_id: int, sender: dict) -> str:
    language = _sender_language(sender)
    cabinet = absolute(reverse("notifications:telegram"))
    if command == "/start" and argument:
        username = sender.get("username")
        try:
            user = telegram_link_complete(
                code=argument,
                chat_id=chat_id,
                username=username if isinstance(username, str) else "",
            )
        except NotificationError:
            _reply(chat_id, CODE_REFUSED, language, url=cabinet)
            return "refused"
        _reply(chat_id, LINKED, user.preferred_language, menu=True)
        return "linked"
    if command == "/stop":
        bot.conversation_end(chat_id)
        user = telegram_chat_unlink(chat_id=chat_id)
        if user is None:
            _reply(chat_id, NOT_LINKED, language)
            return "not linked"
        _reply(chat_id, UNLINKED, user.preferred_language, url=cabinet, menu=False)
        return "unlinked"
    linked = (
        TelegramLink.objects.filter(chat_id=chat_id)
        .values_list("user__preferred_language", flat=True)
        .first()
    )
    if linked is not None:
        _reply(chat_id, ALREADY_LINKED, linked, menu=True)
        return "already linked"
    _reply(chat_id, HOW_TO_LINK, language, url=cabinet)
    return "help"


def _linked_chat(chat_id: int, sender: dict) -> bot.BotChat | None:
    link = (
        TelegramLink.objects.filter(chat_id=chat_id, user__is_active=True)
        .select_related("user")
        .first()
    )
    if link is None:
        return None
    language = link.user.preferred_language
    if language not in dict(settings.LANGUAGES):
        language = _sender_language(sender)
    return bot.BotChat(chat_id=chat_id, user=link.user, language=language)


def _converse(command: str, argument: str, chat_id: int, sender: dict, message: dict) -> str:
    name = command.removeprefix("/")
    known = name == "cancel" or name in bot.commands()
    chat = _linked_chat(chat_id, sender)
    if chat is None:
        if not known:
            return "ignored"
        cabinet = absolute(reverse("notifications:telegram"))
        _reply(chat_id, HOW_TO_LINK, _sender_language(sender), url=cabinet)
        return "not linked"
    with translation.override(chat.language):
        if name == "cancel":
            ended = bot.conversation_end(chat_id)
            chat.say(CANCELLED if ended else NOTHING_TO_CANCEL, keyboard=_menu())
            return "cancelled"
        if command:
            if name not in bot.commands():
                return "ignored"  # another bot's command, a typo: as before, silence
            bot.handler(bot.commands()[name].handler)(chat, argument)
            return "command"
        conversation = bot.conversation_of(chat)
        if conversation is None:
            return "ignored"
        flow = bot.flows().get(conversation.flow)
        if flow is None or bot.conversation_expired(conversation):
            conversation.delete()
            chat.say(EXPIRED, keyboard=_menu())
            return "expired"
        bot.handler(flow.on_message)(chat, conversation, message)
        return "conversation"


def _handle_callback(update: dict, query: dict) -> str:
    query_id = query.get("id")
    if not isinstance(query_id, str):
        return "ignored"
    message = query.get("message")
    chat_id = _private_chat_id(message) if isinstance(message, dict) else None
    sender = query.get("from")
    sender = sender if isinstance(sender, dict) else {}
    data = query.get("data")
    if chat_id is None or sender.get("id") != chat_id or not isinstance(data, str):
        # Not from a person's own private chat with the bot: only stop the spinner.
        _answer(query_id, "")
        return "ignored"
    # Telegram shows a spinner on the button until it is answered, whatever happens.
    outcome, notice = "duplicate", ""
    try:
        done = _once(update, lambda: _callback(chat_id, sender, data))
        if isinstance(done, tuple):
            outcome, notice = done
    finally:
        _answer(query_id, notice)
    return outcome


def _callback(chat_id: int, sender: dict, data: str) -> tuple[str, str]:
    chat = _linked_chat(chat_id, sender)
    if chat is None:
        return "not linked", _in(NOT_LINKED, _sender_language(sender))
    with translation.override(chat.language):
        key, _colon, payload = data.partition(":")
        flow = bot.flows().get(key)
        conversation = bot.conversation_of(chat) if flow is not None else None
        if conversation is None or conversation.flow != key:
            return "stale", str(STALE_BUTTON)
        if bot.conversation_expired(conversation):
            conversation.delete()
            chat.say(EXPIRED, keyboard=_menu())
            return "expired", ""
        notice = bot.handler(flow.on_callback)(chat, conversation, payload)
        return "callback", str(notice or "")


def _answer(query_id: str, text: str) -> None:
    try:
        answer_callback_query(query_id, text, timeout=(3.05, 5))
    except BotApiError as exc:
        logger.warning("Telegram answerCallbackQuery failed: %s", exc)


def _menu() -> dict:
    return bot.menu_keyboard() or bot.REMOVE_KEYBOARD


def _reply(chat_id: int, message, language: str, *, menu: bool | None = None, **values) -> None:
    """Answer in the chat; a failure is logged and never fails the webhook.

    menu=True shows the apps' buttons; False takes any keyboard away.
    """
    with translation.override(language):
        text = str(message) % values if values else str(message)
        keyboard = None
        if menu is True:
            keyboard = bot.menu_keyboard()
        elif menu is False:
            keyboard = bot.REMOVE_KEYBOARD
    try:
        send_message(chat_id, text, reply_markup=keyboard, timeout=(3.05, 5))
    except BotApiError as exc:
        logger.warning("Telegram reply to chat %s failed: %s", chat_id, exc)
    except Exception:
        logger.exception("Telegram reply to chat %s failed", chat_id)


def _in(message, language: str) -> str:
    with translation.override(language):
        return str(message)


def _private_chat_id(message: dict) -> int | None:
    chat = message.get("chat")
    if not isinstance(chat, dict) or chat.get("type") != "private":
        return None
    chat_id = chat.get("id")
    if not _is_int(chat_id) or not 0 < chat_id < 2**52:
        return None
    return chat_id


def _first_sight(key: str) -> bool:
    try:
        return cache.add(key, True, UPDATE_SEEN_FOR)
    except Exception as exc:
        # Without the cache a retried update may be answered twice; linking
        # stays correct (the code works once), conversations move by steps
        # and filing has its idempotency key, so carry on.
        logger.warning("Telegram webhook: cache unavailable (%s)", exc)
        return True


def _sender_language(sender: dict) -> str:
    code = sender.get("language_code")
    if isinstance(code, str):
        code = code.split("-", 1)[0].lower()
        if code in dict(settings.LANGUAGES):
            return code
    return settings.LANGUAGE_CODE


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- Pointing Telegram at the webhook ----------------------------------------


def webhook_url() -> str:
    secret = settings.TELEGRAM_WEBHOOK_SECRET
    return absolute(reverse("notifications:telegram_webhook", args=[secret]))


def redact_secret(text: str) -> str:
    secret = settings.TELEGRAM_WEBHOOK_SECRET
    return text.replace(secret, "<secret>") if secret else text


def webhook_set(*, drop_pending_updates: bool = False):
    """Point Telegram at our webhook and set the command menu in every language.

    Raises BotApiError.
    """
    secret = settings.TELEGRAM_WEBHOOK_SECRET
    if not SECRET_PATTERN.fullmatch(secret):
        raise BotApiError(
            "TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
        )
    result = call(
        "setWebhook",
        {
            "url": webhook_url(),
            "secret_token": secret,
            "allowed_updates": ALLOWED_UPDATES,
            "drop_pending_updates": drop_pending_updates,
        },
    )
    commands_set()
    return result


def commands_set() -> None:
    """setMyCommands: the default list in the site's language, and one per language."""
    set_my_commands(bot.menu_commands(settings.LANGUAGE_CODE))
    for language, _name in settings.LANGUAGES:
        set_my_commands(bot.menu_commands(language), language_code=language)


def webhook_delete(*, drop_pending_updates: bool = False):
    """Tell Telegram to stop calling our webhook. Raises BotApiError."""
    return call("deleteWebhook", {"drop_pending_updates": drop_pending_updates})


def webhook_info() -> dict:
    """What Telegram knows about our webhook (getWebhookInfo). Raises BotApiError."""
    return call("getWebhookInfo")
