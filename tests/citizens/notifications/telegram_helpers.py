"""Telegram test helpers: a fake Bot API on loopback (a real HTTP server in a
thread, so the client's requests, JSON and error handling run as they do
against api.telegram.org) and the shortcuts the Telegram tests share."""

import io
import itertools
import json
import socket
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from citizens.notifications.events import TELEGRAM
from citizens.notifications.models import Delivery, TelegramLink
from citizens.notifications.services import notify

TOKEN = "123456:TEST-token_for-the-fake-api"
SECRET = "webhook-Secret_0123456789"
BOT = "MyCityKhersonBot"
SITE = "https://mycity.example.org"
CHAT = 424242

FAILURES = {
    "blocked": (403, {"description": "Forbidden: bot was blocked by the user"}),
    "chat_not_found": (400, {"description": "Bad Request: chat not found"}),
    "rate_limited": (
        429,
        {"description": "Too Many Requests: retry after 7", "parameters": {"retry_after": 7}},
    ),
    "server_error": (500, {"description": "Internal Server Error"}),
}


@dataclass
class Call:
    token: str
    method: str
    body: dict


class FakeBotApi(ThreadingHTTPServer):
    """sendMessage, answerCallbackQuery, getFile (and its file URL), setWebhook,
    deleteWebhook, getWebhookInfo and setMyCommands, recording each call.

    `failure` (a key of FAILURES) makes sendMessage fail that way;
    `refuse_buttons` refuses messages with an inline keyboard, as Telegram
    does for a button to localhost. `files` maps a file_id to its bytes.
    """

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.reset()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def reset(self):
        self.calls: list[Call] = []
        self.failure: str | None = None
        self.no_stars = False  # paid broadcasts refused for want of Stars
        self.refuse_buttons = False
        self.webhook: dict = {}
        self.files: dict[str, bytes] = {}
        self.downloads: list[str] = []

    def sent(self) -> list[dict]:
        return [c.body for c in self.calls if c.method == "sendMessage"]

    def texts(self) -> list[str]:
        return [body["text"] for body in self.sent()]

    def answered(self) -> list[dict]:
        return [c.body for c in self.calls if c.method == "answerCallbackQuery"]

    def answer(self, method: str, body: dict) -> tuple[int, dict]:
        if method == "sendMessage":
            if self.failure:
                status, extra = FAILURES[self.failure]
                return status, {"ok": False, "error_code": status, **extra}
            if self.no_stars and body.get("allow_paid_broadcast"):
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: not enough Telegram Stars on the balance",
                }
            if self.refuse_buttons and "reply_markup" in body:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: BUTTON_URL_INVALID",
                }
            message = {"message_id": len(self.calls), "chat": {"id": body["chat_id"]}}
            return 200, {"ok": True, "result": message}
        if method == "answerCallbackQuery":
            return 200, {"ok": True, "result": True}
        if method == "setMyCommands":
            return 200, {"ok": True, "result": True}
        if method == "getFile":
            content = self.files.get(body.get("file_id"))
            if content is None:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: wrong file_id",
                }
            file = {
                "file_id": body["file_id"],
                "file_unique_id": "u" + body["file_id"],
                "file_size": len(content),
                "file_path": f"photos/{body['file_id']}.jpg",
            }
            return 200, {"ok": True, "result": file}
        if method == "setWebhook":
            self.webhook = {"url": body["url"], "allowed_updates": body["allowed_updates"]}
            return 200, {"ok": True, "result": True, "description": "Webhook was set"}
        if method == "deleteWebhook":
            self.webhook = {}
            return 200, {"ok": True, "result": True, "description": "Webhook was deleted"}
        if method == "getWebhookInfo":
            info = {"url": "", "pending_update_count": 0, **self.webhook}
            return 200, {"ok": True, "result": info}
        return 404, {"ok": False, "error_code": 404, "description": "Not Found"}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        # https://api.telegram.org/file/bot<token>/<file_path>
        _empty, file, bot, path = self.path.split("/", 3)
        self.server.downloads.append(path)
        content = None
        if file == "file" and bot == f"bot{TOKEN}" and path.startswith("photos/"):
            content = self.server.files.get(path.removeprefix("photos/").removesuffix(".jpg"))
        self.send_response(200 if content is not None else 404)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(content or b"")))
        self.end_headers()
        self.wfile.write(content or b"")

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.loads(raw or b"{}")
        _empty, bot, method = self.path.split("/", 2)
        self.server.calls.append(Call(token=bot.removeprefix("bot"), method=method, body=body))
        if bot != f"bot{TOKEN}":
            status, reply = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        else:
            status, reply = self.server.answer(method, body)
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


_update_ids = itertools.count(1000)


def message_update(text, *, chat_id=CHAT, chat_type="private", username="oksana_k", lang="uk"):
    return {
        "update_id": next(_update_ids),
        "message": {
            "message_id": 1,
            "date": 1760000000,
            "from": {"id": chat_id, "is_bot": False, "username": username, "language_code": lang},
            "chat": {"id": chat_id, "type": chat_type},
            "text": text,
        },
    }


def post_update(client, update, *, secret=SECRET, header=SECRET):
    data = update if isinstance(update, bytes) else json.dumps(update)
    headers = {} if header is None else {"X-Telegram-Bot-Api-Secret-Token": header}
    return client.post(
        reverse("notifications:telegram_webhook", args=[secret]),
        data=data,
        content_type="application/json",
        headers=headers,
    )


def in_language(message, language, **values):
    with translation.override(language):
        return str(message) % values if values else str(message)


def deliver_test_notification(user, django_capture_on_commit_callbacks, url="/me/"):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[user], event="citizens.test", url=url)
    return Delivery.objects.get(notification__recipient=user, channel=TELEGRAM)


def code_of(user) -> str:
    return TelegramLink.objects.get(user=user).code


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- Fixtures (imported by the conftests of the apps whose bot commands are tested) ---


@pytest.fixture(scope="module")
def _bot_server():
    server = FakeBotApi()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def bot_api(_bot_server, settings):
    """A configured bot whose API is the fake server, with no calls recorded yet."""
    _bot_server.reset()
    settings.TELEGRAM_API_URL = _bot_server.url
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_BOT_USERNAME = BOT
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    settings.SITE_URL = SITE
    return _bot_server


@pytest.fixture
def linked_resident(resident):
    TelegramLink.objects.create(
        user=resident, chat_id=CHAT, username="oksana_k", linked_at=timezone.now()
    )
    return resident


@pytest.fixture
def no_bot(bot_api, settings):
    settings.TELEGRAM_BOT_TOKEN = ""
    return bot_api


# --- Recorded updates of the bot conversation ----------------------------------------


def _sender(chat_id, username, lang):
    return {
        "id": chat_id,
        "is_bot": False,
        "first_name": "Оксана",
        "username": username,
        "language_code": lang,
    }


def location_update(latitude, longitude, *, chat_id=CHAT, lang="uk"):
    """What Telegram sends for a shared location (the request_location button)."""
    return {
        "update_id": next(_update_ids),
        "message": {
            "message_id": 7,
            "date": 1760000100,
            "from": _sender(chat_id, "oksana_k", lang),
            "chat": {"id": chat_id, "first_name": "Оксана", "type": "private"},
            "location": {"latitude": latitude, "longitude": longitude},
        },
    }


def photo_update(file_id, *, chat_id=CHAT, lang="uk", caption=None):
    """A photo message: Telegram offers the same picture in several sizes."""
    message = {
        "message_id": 8,
        "date": 1760000200,
        "from": _sender(chat_id, "oksana_k", lang),
        "chat": {"id": chat_id, "first_name": "Оксана", "type": "private"},
        "photo": [
            {
                "file_id": f"{file_id}-s",
                "file_unique_id": "AQADs",
                "file_size": 1500,
                "width": 90,
                "height": 67,
            },
            {
                "file_id": f"{file_id}-m",
                "file_unique_id": "AQADm",
                "file_size": 21000,
                "width": 320,
                "height": 240,
            },
            {
                "file_id": file_id,
                "file_unique_id": "AQADx",
                "file_size": 80000,
                "width": 1280,
                "height": 960,
            },
        ],
    }
    if caption:
        message["caption"] = caption
    return {"update_id": next(_update_ids), "message": message}


def callback_update(data, *, chat_id=CHAT, from_id=None, lang="uk", query_id=None):
    """A press on an inline button under one of the bot's messages."""
    sender = _sender(chat_id if from_id is None else from_id, "oksana_k", lang)
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": query_id or f"4382{next(_update_ids)}",
            "from": sender,
            "message": {
                "message_id": 5,
                "from": {"id": 123456, "is_bot": True, "first_name": "My City", "username": BOT},
                "chat": {"id": chat_id, "first_name": "Оксана", "type": "private"},
                "date": 1760000000,
                "text": "…",
            },
            "chat_instance": "-7380009011",
            "data": data,
        },
    }


def jpeg_with_gps(size=(640, 480)) -> bytes:
    """A real JPEG that carries EXIF with a GPS position and a camera name."""
    image = Image.new("RGB", size, (120, 90, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (46.0, 38.0, 0.0), 3: "E", 4: (32.0, 36.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


class BotChat:
    """One resident's chat with the bot, driven through the webhook view."""

    def __init__(self, client, api, *, chat_id=CHAT, lang="uk"):
        self.client, self.api, self.chat_id, self.lang = client, api, chat_id, lang

    def _post(self, update):
        response = post_update(self.client, update)
        assert response.status_code == 200
        return response

    def send(self, text):
        return self._post(message_update(text, chat_id=self.chat_id, lang=self.lang))

    def location(self, latitude, longitude):
        return self._post(
            location_update(latitude, longitude, chat_id=self.chat_id, lang=self.lang)
        )

    def photo(self, file_id, content=None):
        if content is not None:
            self.api.files[file_id] = content
        return self._post(photo_update(file_id, chat_id=self.chat_id, lang=self.lang))

    def press(self, data, **kwargs):
        return self._post(callback_update(data, chat_id=self.chat_id, lang=self.lang, **kwargs))

    def last(self) -> dict:
        return self.api.sent()[-1]

    def buttons(self, message=None) -> list[dict]:
        markup = (message or self.last()).get("reply_markup") or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]
