"""Telegram: the Bot API client, linking a person's chat, and the bot's webhook.

A person links a chat by giving the bot a one-time code: the cabinet page
makes one (`telegram_link_start`) and shows a deep link that opens Telegram
with "/start <code>"; the webhook receives it and calls
`telegram_link_complete`. A chat belongs to one account at a time.

Every call to Telegram goes through `call()`, which never lets the bot token
(part of the URL) into an error message: those end up in the outbox's
`last_error`, in the admin and in logs.
"""

import contextlib
import datetime as dt
import hmac
import logging
import os
import re
import secrets
import threading
import time
from html import escape

import requests
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import User
from .errors import NotificationError
from .events import TELEGRAM
from .links import absolute
from .models import Delivery, TelegramLink

logger = logging.getLogger(__name__)

CODE_TTL = dt.timedelta(minutes=15)
# What Telegram passes through a /start deep link: 1-64 of [A-Za-z0-9_-].
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")
# What setWebhook accepts as secret_token.
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
TIMEOUT = (3.05, 10)  # connect, read: a worker or a webhook request never hangs
# A retried webhook update is acted on once.
UPDATE_SEEN_FOR = 24 * 3600
ALLOWED_UPDATES = ["message"]


# --- The Bot API client ------------------------------------------------------


class BotApiError(Exception):
    """Telegram refused a call (`status` is the HTTP status) or was unreachable (None)."""

    def __init__(
        self, description: str, *, status: int | None = None, retry_after: int | None = None
    ):
        super().__init__(description)
        self.description = description
        self.status = status
        self.retry_after = retry_after


_local = threading.local()


def _session() -> requests.Session:
    # One keep-alive session per thread; a new one after a fork (Celery's
    # prefork pool), so two processes never share a socket.
    pid = os.getpid()
    if getattr(_local, "pid", None) != pid:
        _local.session = requests.Session()
        _local.pid = pid
    return _local.session


def _redact(text: str) -> str:
    token = settings.TELEGRAM_BOT_TOKEN
    return text.replace(token, "<token>") if token else text


def call(method: str, payload: dict | None = None, *, timeout=TIMEOUT):
    """Call a Bot API method with a JSON body; returns its `result` or raises BotApiError."""
    token = settings.TELEGRAM_BOT_TOKEN
    if not token:
        raise BotApiError("Telegram is not configured (TELEGRAM_BOT_TOKEN)")
    url = f"{settings.TELEGRAM_API_URL}/bot{token}/{method}"
    try:
        response = _session().post(url, json=payload or {}, timeout=timeout)
    except requests.RequestException as exc:
        # requests repeats the URL, token included, in its messages.
        raise BotApiError(_redact(f"{type(exc).__name__}: {exc}")) from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        body = {}
    if response.status_code == 200 and body.get("ok") is True:
        return body.get("result")
    parameters = body.get("parameters")
    retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
    if not isinstance(retry_after, int) or isinstance(retry_after, bool):
        retry_after = None
    description = str(body.get("description") or response.reason or "no description")
    raise BotApiError(
        _redact(description)[:500], status=response.status_code, retry_after=retry_after
    )


# --- Pace: Telegram takes about 30 messages a second from one bot ----------
PACE_KEY = "telegram:pace:{}"
PAUSE_KEY = "telegram:pause-until"
# The longest a sender waits for a slot before giving the row back to the outbox.
MAX_PACE_WAIT = 10.0


def _pace(*, clock=time.time, sleep=time.sleep) -> None:
    """Wait for a slot: at most TELEGRAM_MESSAGES_PER_SECOND from every worker together.

    Counted per second in the shared cache; a 429 that one worker got pauses
    them all for its `retry_after`. Past MAX_PACE_WAIT the message is left to
    a later attempt (BotApiError 429), so a claim is never held for long.
    """
    limit = settings.TELEGRAM_MESSAGES_PER_SECOND
    if not limit:
        return
    give_up = clock() + MAX_PACE_WAIT
    while True:
        now = clock()
        paused_until = cache.get(PAUSE_KEY) or 0
        if paused_until > now:
            wait = paused_until - now
        else:
            second = int(now)
            key = PACE_KEY.format(second)
            cache.add(key, 0, 5)
            try:
                taken = cache.incr(key)
            except ValueError:  # gone between add and incr: a new second
                continue
            if taken <= limit:
                return
            wait = second + 1 - now
        if now + wait > give_up:
            raise BotApiError(
                "waiting for Telegram's rate limit", status=429, retry_after=max(1, int(wait))
            )
        sleep(wait)


def _paused_by_telegram(retry_after: int | None) -> None:
    if retry_after:
        cache.set(PAUSE_KEY, time.time() + retry_after, retry_after + 5)


def send_message(
    chat_id: int,
    text: str,
    *,
    url: str | None = None,
    parse_mode: str | None = None,
    timeout=TIMEOUT,
):
    """Send `text` to a chat, with an "Open" button to `url` (made absolute) if given.

    `text` is plain unless `parse_mode="HTML"`, in which case the caller has
    escaped it. Raises BotApiError.
    """
    payload = {
        "chat_id": chat_id,
        "text": text,
        "link_preview_options": {"is_disabled": True},
    }
    if parse_mode:
        payload["parse_mode"] = parse_mode
    if not url:
        return _send(payload, timeout)
    link = absolute(url)
    payload["reply_markup"] = {"inline_keyboard": [[{"text": _("Open"), "url": link}]]}
    try:
        return _send(payload, timeout)
    except BotApiError as exc:
        if exc.status != 400 or "button" not in exc.description.lower():
            raise
    # Telegram refuses buttons to addresses it finds invalid (a development
    # site on localhost, a bare IP): give the link as text instead.
    del payload["reply_markup"]
    payload["text"] = f"{text}\n\n{escape(link, quote=False) if parse_mode == 'HTML' else link}"
    return _send(payload, timeout)


def _send(payload: dict, timeout):
    _pace()
    try:
        return call("sendMessage", payload, timeout=timeout)
    except BotApiError as exc:
        if exc.status == 429:
            _paused_by_telegram(exc.retry_after)
        raise


# --- Linking a chat to an account -------------------------------------------


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

    Messages still waiting for Telegram are cancelled with it.
    """
    with transaction.atomic():
        unlinked = TelegramLink.objects.filter(user=user, chat_id__isnull=False).update(
            chat_id=None, username="", linked_at=None
        )
        if unlinked:
            _cancel_pending([user.pk])
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


# --- The webhook -----------------------------------------------------------

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

    Understands "/start <code>" (link), "/start", "/help" and "/stop"
    (unlink) in private chats; everything else is ignored. An update that
    Telegram delivers again is acted on once.
    """
    message = update.get("message") if isinstance(update, dict) else None
    if not isinstance(message, dict):
        return "ignored"
    chat = message.get("chat")
    text = message.get("text")
    sender = message.get("from")
    sender = sender if isinstance(sender, dict) else {}
    if not isinstance(chat, dict) or chat.get("type") != "private" or not isinstance(text, str):
        # Personal notifications never go to groups or channels.
        return "ignored"
    chat_id = chat.get("id")
    if not _is_int(chat_id) or not 0 < chat_id < 2**52:
        return "ignored"
    command, _space, argument = text.strip().partition(" ")
    command = command.split("@", 1)[0].lower()
    if command not in ("/start", "/stop", "/help"):
        return "ignored"

    update_id = update.get("update_id")
    seen_key = f"telegram:update:{update_id}" if _is_int(update_id) else None
    if seen_key and not _first_sight(seen_key):
        return "duplicate"
    try:
        return _dispatch(command=command, argument=argument.strip(), chat_id=chat_id, sender=sender)
    except Exception:
        if seen_key:
            with contextlib.suppress(Exception):
                cache.delete(seen_key)  # let Telegram's retry act on it
        raise


def _dispatch(*, command: str, argument: str, chat_id: int, sender: dict) -> str:
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
        _reply(chat_id, LINKED, user.preferred_language)
        return "linked"
    if command == "/stop":
        user = telegram_chat_unlink(chat_id=chat_id)
        if user is None:
            _reply(chat_id, NOT_LINKED, language)
            return "not linked"
        _reply(chat_id, UNLINKED, user.preferred_language, url=cabinet)
        return "unlinked"
    linked = (
        TelegramLink.objects.filter(chat_id=chat_id)
        .values_list("user__preferred_language", flat=True)
        .first()
    )
    if linked is not None:
        _reply(chat_id, ALREADY_LINKED, linked)
        return "already linked"
    _reply(chat_id, HOW_TO_LINK, language, url=cabinet)
    return "help"


def _reply(chat_id: int, message, language: str, **values) -> None:
    """Answer in the chat; a failure is logged and never fails the webhook."""
    with translation.override(language):
        text = str(message) % values if values else str(message)
    try:
        send_message(chat_id, text, timeout=(3.05, 5))
    except BotApiError as exc:
        logger.warning("Telegram reply to chat %s failed: %s", chat_id, exc)
    except Exception:
        logger.exception("Telegram reply to chat %s failed", chat_id)


def _first_sight(key: str) -> bool:
    try:
        return cache.add(key, True, UPDATE_SEEN_FOR)
    except Exception as exc:
        # Without the cache a retried update may be answered twice; linking
        # stays correct (the code works once), so carry on.
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
    """Tell Telegram to send this site's bot updates to our webhook. Raises BotApiError."""
    secret = settings.TELEGRAM_WEBHOOK_SECRET
    if not SECRET_PATTERN.fullmatch(secret):
        raise BotApiError(
            "TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -"
        )
    return call(
        "setWebhook",
        {
            "url": webhook_url(),
            "secret_token": secret,
            "allowed_updates": ALLOWED_UPDATES,
            "drop_pending_updates": drop_pending_updates,
        },
    )


def webhook_delete(*, drop_pending_updates: bool = False):
    """Tell Telegram to stop calling our webhook. Raises BotApiError."""
    return call("deleteWebhook", {"drop_pending_updates": drop_pending_updates})


def webhook_info() -> dict:
    """What Telegram knows about our webhook (getWebhookInfo). Raises BotApiError."""
    return call("getWebhookInfo")
