"""What an app declares on its AppConfig for the Telegram bot (see telegram/bot.py).

Kept apart from the telegram package: AppConfig modules import these before
any model is loaded.
"""

import dataclasses
import re
from typing import Any

COMMAND_PATTERN = re.compile(r"[a-z0-9_]{1,32}")
FLOW_PATTERN = re.compile(r"[a-z0-9_.]{1,40}")
# Commands the webhook answers itself (linking, /cancel of any conversation).
BUILT_IN = frozenset({"start", "stop", "help", "cancel"})


@dataclasses.dataclass(frozen=True)
class BotCommand:
    """A command such as /report: `handler(chat, argument)` is a dotted path."""

    name: str
    description: Any  # a lazy translation: the menu shows it in the person's language
    handler: str
    # Also a button on the keyboard shown after linking (its text is `button`).
    button: Any = None

    def __post_init__(self):
        if not COMMAND_PATTERN.fullmatch(self.name) or self.name in BUILT_IN:
            raise ValueError(f"Bot command {self.name!r} is not a valid command name")


@dataclasses.dataclass(frozen=True)
class BotFlow:
    """A conversation: `on_message(chat, conversation, message)` and
    `on_callback(chat, conversation, payload)` (returns a short notice or None)
    are dotted paths. `key` names the flow and prefixes its buttons' data."""

    key: str
    on_message: str
    on_callback: str

    def __post_init__(self):
        if not FLOW_PATTERN.fullmatch(self.key):
            raise ValueError(f"Bot flow {self.key!r} is not a valid key")


__all__ = ["BotCommand", "BotFlow"]
