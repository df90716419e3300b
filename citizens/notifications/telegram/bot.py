"""The bot's commands and conversations, declared by the apps that own them.

An app lists `bot_commands` (BotCommand) and `bot_flows` (BotFlow) on its
AppConfig, with handlers as dotted paths imported on first use; citizens
never imports a feature app. A command's handler gets the linked chat
(`BotChat`) and what followed the command. A flow is a conversation: its
state is a `BotConversation` row (one per chat), so it survives a restart
and any web node can take the next update. Inline buttons of a flow carry
callback_data "<flow key>:<payload>" (at most 64 bytes, Telegram's limit);
the webhook hands the payload to the flow that owns the key, and only while
that chat's conversation is in that flow.
"""

import dataclasses
import datetime as dt
import functools
import logging

from django.apps import apps
from django.conf import settings
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from ...models import User
from ..bot_commands import BotCommand, BotFlow
from ..models import BotConversation
from .api import BotApiError, send_message

logger = logging.getLogger(__name__)

# A draft left alone this long has expired: the next message says so.
CONVERSATION_TTL = dt.timedelta(minutes=30)
# Rows nobody came back to are deleted this long after their last message.
CONVERSATION_PURGE_AFTER = dt.timedelta(days=1)
CALLBACK_DATA_MAX = 64  # bytes, Telegram's limit
CANCEL_DESCRIPTION = gettext_lazy("Cancel what you are doing")
STOP_DESCRIPTION = gettext_lazy("Stop notifications in Telegram")


@functools.cache
def commands() -> dict[str, BotCommand]:
    found: dict[str, BotCommand] = {}
    for config in apps.get_app_configs():
        for command in getattr(config, "bot_commands", ()):
            if command.name in found:
                raise ValueError(f"Bot command /{command.name} is declared twice")
            found[command.name] = command
    return found


@functools.cache
def flows() -> dict[str, BotFlow]:
    found: dict[str, BotFlow] = {}
    for config in apps.get_app_configs():
        for flow in getattr(config, "bot_flows", ()):
            if flow.key in found:
                raise ValueError(f"Bot flow {flow.key!r} is declared twice")
            found[flow.key] = flow
    return found


@functools.cache
def handler(path: str):
    return import_string(path)


def command_for_button(text: str) -> BotCommand | None:
    """The command whose keyboard button says `text`, in any language."""
    for command in commands().values():
        if command.button is None:
            continue
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                if str(command.button) == text:
                    return command
    return None


def menu_commands(language: str) -> list[dict]:
    """setMyCommands' list in `language`: the apps' commands, then /cancel and /stop."""
    with translation.override(language):
        listed = [
            {"command": c.name, "description": str(c.description)[:256]}
            for c in commands().values()
        ]
        listed.append({"command": "cancel", "description": str(CANCEL_DESCRIPTION)})
        listed.append({"command": "stop", "description": str(STOP_DESCRIPTION)})
    return listed


def menu_keyboard() -> dict | None:
    """A reply keyboard with the apps' buttons (in the active language), or None."""
    buttons = [{"text": str(c.button)} for c in commands().values() if c.button is not None]
    if not buttons:
        return None
    return {
        "keyboard": [buttons[i : i + 2] for i in range(0, len(buttons), 2)],
        "is_persistent": True,
        "resize_keyboard": True,
    }


# --- Keyboards -----------------------------------------------------------------


def callback_data(flow: str, payload: str) -> str:
    data = f"{flow}:{payload}"
    if len(data.encode()) > CALLBACK_DATA_MAX:
        raise ValueError(f"callback_data over {CALLBACK_DATA_MAX} bytes: {data!r}")
    return data


def button(text: str, flow: str, payload: str) -> dict:
    return {"text": str(text), "callback_data": callback_data(flow, payload)}


def inline_keyboard(rows: list[list[dict]]) -> dict:
    return {"inline_keyboard": [row for row in rows if row]}


REMOVE_KEYBOARD = {"remove_keyboard": True}


# --- The chat a handler answers ---------------------------------------------------


@dataclasses.dataclass
class BotChat:
    """A linked private chat and its person; replies go out in `language`."""

    chat_id: int
    user: User
    language: str

    def say(self, text: str, *, keyboard: dict | None = None, url: str | None = None, html=False):
        """Send a message; a failure is logged and never fails the webhook."""
        try:
            send_message(
                self.chat_id,
                str(text),
                url=url,
                reply_markup=keyboard,
                parse_mode="HTML" if html else None,
                timeout=(3.05, 5),
            )
        except BotApiError as exc:
            logger.warning("Telegram reply to chat %s failed: %s", self.chat_id, exc)


# --- Conversation state -----------------------------------------------------------


def conversation_start(*, chat: BotChat, flow: str, step: str, data: dict) -> BotConversation:
    """Start `flow` in the chat, replacing whatever conversation it had."""
    now = timezone.now()
    BotConversation.objects.filter(updated_at__lt=now - CONVERSATION_PURGE_AFTER).delete()
    conversation, _created = BotConversation.objects.update_or_create(
        chat_id=chat.chat_id,
        defaults={
            "user": chat.user,
            "flow": flow,
            "step": step,
            "data": data,
            "created_at": now,
            "updated_at": now,
        },
    )
    return conversation


def conversation_of(chat: BotChat) -> BotConversation | None:
    """The chat's conversation, if it is its person's (an unlinked person's draft is dropped)."""
    conversation = BotConversation.objects.filter(chat_id=chat.chat_id).first()
    if conversation is not None and conversation.user_id != chat.user.pk:
        conversation.delete()
        return None
    return conversation


def conversation_expired(conversation: BotConversation, now=None) -> bool:
    return conversation.updated_at <= (now or timezone.now()) - CONVERSATION_TTL


def conversation_save(conversation: BotConversation, *, step: str, data: dict | None = None):
    """Move the conversation to `step` (with `data`), which restarts its timeout."""
    conversation.step = step
    if data is not None:
        conversation.data = data
    conversation.updated_at = timezone.now()
    conversation.save(update_fields=["step", "data", "updated_at"])


def conversation_claim(conversation: BotConversation, *, step: str, to_step: str) -> bool:
    """Move from `step` to `to_step` unless another update did first (a double tap)."""
    now = timezone.now()
    claimed = BotConversation.objects.filter(pk=conversation.pk, step=step).update(
        step=to_step, updated_at=now
    )
    if claimed:
        conversation.step, conversation.updated_at = to_step, now
    return bool(claimed)


def conversation_end(chat_id: int) -> bool:
    deleted, _per_model = BotConversation.objects.filter(chat_id=chat_id).delete()
    return bool(deleted)
