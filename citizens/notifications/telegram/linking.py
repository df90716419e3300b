"""Linking a person's Telegram chat to their account.

A person links a chat by giving the bot a one-time code: the cabinet page
makes one (`telegram_link_start`) and shows a deep link that opens Telegram
with "/start <code>"; the webhook receives it and calls
`telegram_link_complete`. A chat belongs to one account at a time.
"""

import datetime as dt
import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import User
from ..errors import NotificationError
from ..events import TELEGRAM
from ..models import BotConversation, Delivery, TelegramLink

CODE_TTL = dt.timedelta(minutes=15)
# What Telegram passes through a /start deep link: 1-64 of [A-Za-z0-9_-].
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def is_configured() -> bool:
    return bool(settings.TELEGRAM_BOT_TOKEN)


def bot_username() -> str:
    return settings.TELEGRAM_BOT_USERNAME.lstrip("@")


def deep_link(code: str) -> str:
    """The t.me link that opens the bot and sends it "/start <code>"."""
    return f"https://t.me/{bot_username()}?start={code}"


def telegram_link_start(*, user: User) -> str:
    """Give `user` a fresh one-time link code, valid CODE_TTL; returns the deep link.

    A new code replaces any earlier one, which stops working. An already
    linked chat stays linked until another chat completes the link.
    """
    code = secrets.token_urlsafe(24)  # 32 characters of [A-Za-z0-9_-]
    TelegramLink.objects.update_or_create(
        user=user, defaults={"code": code, "code_expires_at": timezone.now() + CODE_TTL}
    )
    return deep_link(code)


def telegram_link_complete(*, code: str, chat_id: int, username: str = "") -> User:
    """Link the Telegram chat `chat_id` to the account whose code this is; returns its user.

    The code works once and only before it expires. A chat linked to another
    account moves to this one (a chat belongs to one account). Raises
    NotificationError for an unknown, used or expired code.
    """
    refused = NotificationError(
        _("This link code is not valid or has expired. Get a new one in your cabinet.")
    )
    if not isinstance(code, str) or not CODE_PATTERN.fullmatch(code):
        raise refused
    now = timezone.now()
    try:
        with transaction.atomic():
            link = (
                TelegramLink.objects.select_for_update()
                .select_related("user")
                .filter(code=code, code_expires_at__gt=now, user__is_active=True)
                .first()
            )
            if link is None:
                raise refused
            previous = TelegramLink.objects.filter(chat_id=chat_id).exclude(pk=link.pk)
            _cancel_pending(previous.values_list("user_id", flat=True))
            previous.update(chat_id=None, username="", linked_at=None)
            link.chat_id = chat_id
            link.username = (username or "")[:100]
            link.code = None
            link.code_expires_at = None
            link.linked_at = now
            link.save(update_fields=["chat_id", "username", "code", "code_expires_at", "linked_at"])
    except IntegrityError:
        # Two accounts claimed the same chat at the same moment: one wins.
        raise refused from None
    return link.user


def telegram_unlink(*, user: User) -> bool:
    """Stop Telegram messages to `user`; returns whether a chat was linked.

    Messages still waiting for Telegram, and any draft in the bot, go with it.
    """
    with transaction.atomic():
        unlinked = TelegramLink.objects.filter(user=user, chat_id__isnull=False).update(
            chat_id=None, username="", linked_at=None
        )
        if unlinked:
            _cancel_pending([user.pk])
        BotConversation.objects.filter(user=user).delete()
    return bool(unlinked)


def telegram_chat_unlink(*, chat_id: int, user_id: int | None = None) -> User | None:
    """Unlink a chat (it sent /stop, or blocked the bot); returns the account it had."""
    links = TelegramLink.objects.filter(chat_id=chat_id)
    if user_id is not None:
        links = links.filter(user_id=user_id)
    link = links.select_related("user").first()
    if link is None:
        return None
    telegram_unlink(user=link.user)
    return link.user


def _cancel_pending(user_ids) -> None:
    Delivery.objects.filter(
        notification__recipient_id__in=list(user_ids),
        channel=TELEGRAM,
        status=Delivery.Status.PENDING,
    ).update(status=Delivery.Status.CANCELLED, last_error="Telegram unlinked")
