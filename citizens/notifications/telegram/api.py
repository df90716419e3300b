"""The Bot API client: every call to Telegram, paced, with the token kept out of errors.

Every call goes through `call()`, which never lets the bot token (part of
the URL) into an error message: those end up in the outbox's `last_error`,
in the admin and in logs. Files a resident sends the bot are fetched by
`download_file` through the same session and redaction.
"""

import logging
import os
import threading
import time
from html import escape

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

from ..links import absolute

logger = logging.getLogger(__name__)

TIMEOUT = (3.05, 10)  # connect, read: a worker or a webhook request never hangs


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


PAID_PACE_KEY = "telegram:paid-pace:{}"


def _pace(*, clock=time.time, sleep=time.sleep, paid: bool = False) -> None:
    """Wait for a slot: at most TELEGRAM_MESSAGES_PER_SECOND from every worker together.

    Counted per second in the shared cache; a 429 that one worker got pauses
    them all for its `retry_after`. Past MAX_PACE_WAIT the message is left to
    a later attempt (BotApiError 429), so a claim is never held for long.
    A paid broadcast (`paid`) has its own, larger allowance:
    TELEGRAM_PAID_MESSAGES_PER_SECOND.
    """
    if paid:
        limit, slot = settings.TELEGRAM_PAID_MESSAGES_PER_SECOND, PAID_PACE_KEY
    else:
        limit, slot = settings.TELEGRAM_MESSAGES_PER_SECOND, PACE_KEY
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
            key = slot.format(second)
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
    reply_markup: dict | None = None,
    paid_broadcast: bool = False,
    timeout=TIMEOUT,
):
    """Send `text` to a chat, with an "Open" button to `url` (made absolute) if given.

    `text` is plain unless `parse_mode="HTML"`, in which case the caller has
    escaped it. `reply_markup` (a keyboard) is sent as given; with `url` too,
    an inline keyboard gets the "Open" button as its last row. With
    `paid_broadcast`, Telegram's broadcast limit is lifted for a fee
    (`allow_paid_broadcast`, Bot API 7.11: up to 1,000 messages a second,
    0.1 Telegram Star each from the bot's balance). Raises BotApiError.
    """
    payload = {
        "chat_id": chat_id,
        "text": text,
        "link_preview_options": {"is_disabled": True},
    }
    if paid_broadcast:
        payload["allow_paid_broadcast"] = True
    if parse_mode:
        payload["parse_mode"] = parse_mode
    if reply_markup is not None:
        payload["reply_markup"] = reply_markup
    if not url:
        return _send(payload, timeout)
    link = absolute(url)
    rows = (reply_markup or {}).get("inline_keyboard")
    if reply_markup is not None and rows is None:
        # A reply keyboard cannot carry a link button: the link goes in the text.
        payload["text"] = f"{text}\n\n{escape(link, quote=False) if parse_mode == 'HTML' else link}"
        return _send(payload, timeout)
    open_button = [{"text": _("Open"), "url": link}]
    payload["reply_markup"] = {"inline_keyboard": [*(rows or []), open_button]}
    try:
        return _send(payload, timeout)
    except BotApiError as exc:
        if exc.status != 400 or "button" not in exc.description.lower():
            raise
    # Telegram refuses buttons to addresses it finds invalid (a development
    # site on localhost, a bare IP): give the link as text instead.
    if rows:
        payload["reply_markup"] = reply_markup
    else:
        del payload["reply_markup"]
    payload["text"] = f"{text}\n\n{escape(link, quote=False) if parse_mode == 'HTML' else link}"
    return _send(payload, timeout)


# Set when Telegram refused a paid broadcast for want of Stars: paid sending
# stops for a while and messages wait their turn at the usual rate.
PAID_REFUSED_KEY = "telegram:paid-refused"
PAID_REFUSED_FOR = 600


def _send(payload: dict, timeout):
    if payload.get("allow_paid_broadcast") and cache.get(PAID_REFUSED_KEY):
        payload = {k: v for k, v in payload.items() if k != "allow_paid_broadcast"}
    paid = payload.get("allow_paid_broadcast", False)
    _pace(paid=paid)
    try:
        return call("sendMessage", payload, timeout=timeout)
    except BotApiError as exc:
        if exc.status == 429:
            _paused_by_telegram(exc.retry_after)
        if paid and _for_want_of_stars(exc):
            logger.warning("Telegram refused a paid broadcast (%s): sending at the usual rate", exc)
            cache.set(PAID_REFUSED_KEY, True, PAID_REFUSED_FOR)
            return _send({k: v for k, v in payload.items() if k != "allow_paid_broadcast"}, timeout)
        raise


def _for_want_of_stars(exc: BotApiError) -> bool:
    text = exc.description.lower()
    return exc.status in (400, 402, 403) and ("star" in text or "balance" in text)


def answer_callback_query(callback_query_id: str, text: str = "", *, timeout=TIMEOUT) -> None:
    """Stop the spinner on the button the person pressed; `text` shows as a short notice."""
    payload = {"callback_query_id": callback_query_id}
    if text:
        payload["text"] = text[:200]
    call("answerCallbackQuery", payload, timeout=timeout)


def set_my_commands(commands: list[dict], *, language_code: str = "") -> None:
    """The command menu Telegram shows (one list per language; "" for everyone else)."""
    payload: dict = {"commands": commands}
    if language_code:
        payload["language_code"] = language_code
    call("setMyCommands", payload)


def download_file(file_id: str, *, max_bytes: int, timeout=TIMEOUT) -> bytes:
    """The content of a file a person sent the bot (getFile, then the file URL).

    Raises BotApiError for a refused or unreachable call, and with status 413
    for a file larger than `max_bytes` (read no further than that).
    """
    info = call("getFile", {"file_id": file_id}, timeout=timeout)
    path = info.get("file_path") if isinstance(info, dict) else None
    size = info.get("file_size") if isinstance(info, dict) else None
    if isinstance(size, int) and size > max_bytes:
        raise BotApiError("file too large", status=413)
    if not isinstance(path, str) or not path or ".." in path:
        raise BotApiError("Telegram gave no file path")
    url = f"{settings.TELEGRAM_API_URL}/file/bot{settings.TELEGRAM_BOT_TOKEN}/{path}"
    try:
        with _session().get(url, timeout=timeout, stream=True) as response:
            if response.status_code != 200:
                raise BotApiError(
                    _redact(f"file download: {response.status_code} {response.reason}")[:500],
                    status=response.status_code,
                )
            content = bytearray()
            for chunk in response.iter_content(64 * 1024):
                content += chunk
                if len(content) > max_bytes:
                    raise BotApiError("file too large", status=413)
    except requests.RequestException as exc:
        raise BotApiError(_redact(f"{type(exc).__name__}: {exc}")) from None
    return bytes(content)
