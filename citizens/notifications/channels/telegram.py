"""Telegram: a message from the bot to the recipient's linked chat, with an
"Open" button to the page the notification is about.

The chat is looked up when the message is sent, not when it was queued: a
person who unlinked, or whose chat moved to another account, gets nothing.

The Bot API takes no idempotency key: a message sent again after a worker
died between Telegram's answer and our record of it arrives twice
(docs/operations.md, "Notification outbox after a crash").
"""

from html import escape

from django.conf import settings
from django.utils import translation

from .. import telegram
from ..events import priority_keys
from ..models import TelegramLink
from . import PermanentFailure, TemporaryFailure, failure, run

# Telegram's limit is 4,096 characters after entities are parsed.
TITLE_LIMIT = 256
TEXT_LIMIT = 3500


def send(delivery, title: str, text: str, url: str) -> None:
    run(prepare(delivery, title, text, url))


def prepare(delivery, title: str, text: str, url: str):
    """Find the chat and build the message now; `transmit()` sends it (any thread)."""
    user_id = delivery.notification.recipient_id
    chat_id = (
        TelegramLink.objects.filter(user_id=user_id, chat_id__isnull=False)
        .values_list("chat_id", flat=True)
        .first()
    )
    if chat_id is None:
        raise PermanentFailure("Telegram is not linked")
    message = f"<b>{escape(_clip(title, TITLE_LIMIT), quote=False)}</b>"
    if text:
        message += f"\n\n{escape(_clip(text, TEXT_LIMIT), quote=False)}"
    language = translation.get_language()
    # The priority lane may pay to pass Telegram's broadcast limit.
    paid = settings.TELEGRAM_PAID_BROADCAST and delivery.notification.event in priority_keys()

    def transmit() -> None:
        try:
            with translation.override(language):  # the "Open" button's label
                telegram.send_message(
                    chat_id, message, url=url or None, parse_mode="HTML", paid_broadcast=paid
                )
        except telegram.BotApiError as exc:
            raise _failure(exc, chat_id=chat_id, user_id=user_id) from exc

    return transmit


def _failure(exc: "telegram.BotApiError", *, chat_id: int, user_id: int) -> Exception:
    if exc.status == 403:
        # The person blocked the bot or deleted their account: stop trying.
        return failure(
            PermanentFailure,
            f"Telegram 403: {exc.description} (chat unlinked)",
            then=lambda: telegram.telegram_chat_unlink(chat_id=chat_id, user_id=user_id),
        )
    if exc.status == 400:
        # "chat not found" and other refusals of the request itself.
        return PermanentFailure(f"Telegram 400: {exc.description}")
    if exc.status == 429:
        limited = TemporaryFailure(
            f"Telegram 429: {exc.description} (retry_after={exc.retry_after} s)"
        )
        limited.retry_after = exc.retry_after
        return limited
    if exc.status is None:
        return TemporaryFailure(f"Telegram unreachable: {exc.description}")
    return TemporaryFailure(f"Telegram {exc.status}: {exc.description}")


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"
