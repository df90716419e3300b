"""The Telegram channel end to end, against a fake Bot API on loopback.

The fake is a real HTTP server in a thread, so the client's requests, JSON
and error handling run as they do against api.telegram.org.
"""

import datetime as dt
import itertools
import json
import socket
import threading
from dataclasses import dataclass
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from citizens.notifications import channels, telegram
from citizens.notifications.events import TELEGRAM, get_event, render
from citizens.notifications.models import Delivery, TelegramLink
from citizens.notifications.services import NotificationError, notify
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db

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
    """sendMessage, setWebhook, deleteWebhook and getWebhookInfo, recording each call.

    `failure` (a key of FAILURES) makes sendMessage fail that way;
    `refuse_buttons` refuses messages with an inline keyboard, as Telegram
    does for a button to localhost.
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
        self.refuse_buttons = False
        self.webhook: dict = {}

    def sent(self) -> list[dict]:
        return [c.body for c in self.calls if c.method == "sendMessage"]

    def answer(self, method: str, body: dict) -> tuple[int, dict]:
        if method == "sendMessage":
            if self.failure:
                status, extra = FAILURES[self.failure]
                return status, {"ok": False, "error_code": status, **extra}
            if self.refuse_buttons and "reply_markup" in body:
                return 400, {
                    "ok": False,
                    "error_code": 400,
                    "description": "Bad Request: BUTTON_URL_INVALID",
                }
            message = {"message_id": len(self.calls), "chat": {"id": body["chat_id"]}}
            return 200, {"ok": True, "result": message}
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


# --- Delivery ----------------------------------------------------------------


@pytest.mark.parametrize("language", ["uk", "en"])
def test_notification_reaches_the_chat_in_the_recipients_language_with_a_button(
    bot_api, eager, linked_resident, django_capture_on_commit_callbacks, language
):
    linked_resident.preferred_language = language
    linked_resident.save(update_fields=["preferred_language"])

    delivery = deliver_test_notification(linked_resident, django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.SENT
    [message] = bot_api.sent()
    with translation.override(language):
        title, text = render(get_event("citizens.test"), {})
        button = translation.gettext("Open")
    assert message["chat_id"] == CHAT
    assert message["parse_mode"] == "HTML"
    assert message["text"] == f"<b>{escape(title)}</b>\n\n{escape(text)}"
    assert message["reply_markup"] == {
        "inline_keyboard": [[{"text": button, "url": f"{SITE}/me/"}]]
    }
    if language == "en":
        assert message["text"].startswith("<b>Test notification</b>")


def test_blocked_bot_unlinks_the_chat_and_fails_the_delivery(
    bot_api, eager, linked_resident, django_capture_on_commit_callbacks
):
    bot_api.failure = "blocked"

    delivery = deliver_test_notification(linked_resident, django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.FAILED
    assert "403" in delivery.last_error
    assert not TelegramLink.objects.get(user=linked_resident).is_linked


def test_chat_not_found_fails_the_delivery(
    bot_api, eager, linked_resident, django_capture_on_commit_callbacks
):
    bot_api.failure = "chat_not_found"

    delivery = deliver_test_notification(linked_resident, django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.FAILED
    assert "chat not found" in delivery.last_error


@pytest.mark.parametrize("failure", ["rate_limited", "server_error"])
def test_rate_limit_and_server_error_leave_the_delivery_for_later(
    bot_api, eager, linked_resident, django_capture_on_commit_callbacks, failure
):
    bot_api.failure = failure
    before = timezone.now()

    delivery = deliver_test_notification(linked_resident, django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1
    assert delivery.next_attempt_at > before + dt.timedelta(seconds=30)
    assert TelegramLink.objects.get(user=linked_resident).is_linked
    if failure == "rate_limited":
        assert "retry_after=7" in delivery.last_error


def test_unreachable_api_is_retried_and_the_token_stays_out_of_the_error(
    bot_api, eager, linked_resident, django_capture_on_commit_callbacks, settings
):
    settings.TELEGRAM_API_URL = f"http://127.0.0.1:{_closed_port()}"

    delivery = deliver_test_notification(linked_resident, django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.PENDING
    assert delivery.last_error
    assert TOKEN not in delivery.last_error


def test_a_refused_button_falls_back_to_the_link_in_the_text(
    bot_api, eager, linked_resident, django_capture_on_commit_callbacks
):
    bot_api.refuse_buttons = True

    delivery = deliver_test_notification(linked_resident, django_capture_on_commit_callbacks)

    assert delivery.status == Delivery.Status.SENT
    refused, sent = bot_api.sent()
    assert "reply_markup" in refused
    assert "reply_markup" not in sent
    assert sent["text"].endswith(f"\n\n{SITE}/me/")


def test_html_in_a_notification_is_escaped(bot_api, linked_resident):
    notify(recipients=[linked_resident], event="citizens.test")
    delivery = Delivery.objects.get(channel=TELEGRAM)

    channels.sender(TELEGRAM)(delivery, "<i>Water</i> & power", "Shelter <b>open</b>", "")

    [message] = bot_api.sent()
    title, text = message["text"].split("\n\n")
    assert title == "<b>&lt;i&gt;Water&lt;/i&gt; &amp; power</b>"
    assert text == "Shelter &lt;b&gt;open&lt;/b&gt;"
    assert "reply_markup" not in message


def test_a_message_to_an_unlinked_person_fails_for_good(bot_api, linked_resident):
    notify(recipients=[linked_resident], event="citizens.test")
    delivery = Delivery.objects.get(channel=TELEGRAM)
    TelegramLink.objects.filter(user=linked_resident).update(chat_id=None)

    with pytest.raises(channels.PermanentFailure):
        channels.sender(TELEGRAM)(delivery, "Title", "Text", "")
    assert bot_api.calls == []


def test_unlinking_cancels_messages_still_waiting_for_telegram(bot_api, linked_resident):
    notify(recipients=[linked_resident], event="citizens.test")

    telegram.telegram_unlink(user=linked_resident)

    delivery = Delivery.objects.get(channel=TELEGRAM)
    assert delivery.status == Delivery.Status.CANCELLED


def test_unlinked_person_gets_no_telegram_row(bot_api, resident):
    notify(recipients=[resident], event="citizens.test")

    assert not Delivery.objects.filter(channel=TELEGRAM).exists()


# --- Without a bot -------------------------------------------------------------


@pytest.fixture
def no_bot(bot_api, settings):
    settings.TELEGRAM_BOT_TOKEN = ""
    return bot_api


def test_channel_is_not_offered_without_a_token(no_bot, linked_resident):
    assert TELEGRAM not in channels.available()

    notify(recipients=[linked_resident], event="citizens.test")

    assert not Delivery.objects.filter(channel=TELEGRAM).exists()


def test_channel_is_offered_with_a_token(bot_api):
    assert TELEGRAM in channels.available()


def test_cabinet_page_is_404_without_a_token(no_bot, resident, client_for):
    response = client_for(resident).get(reverse("notifications:telegram"))

    assert response.status_code == 404


def test_webhook_is_404_without_a_token(no_bot, client_for):
    assert post_update(client_for(None), message_update("/start")).status_code == 404


# --- The cabinet page ---------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_cabinet_page_is_for_signed_in_people_only(bot_api, as_role, role):
    response = as_role(role).get(reverse("notifications:telegram"))

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    else:
        assert response.status_code == 200


def test_cabinet_page_offers_to_link_when_not_linked(bot_api, resident, client_for):
    page = client_for(resident).get(reverse("notifications:telegram")).content.decode()

    assert 'value="link"' in page
    assert 'value="unlink"' not in page


def test_cabinet_page_shows_the_linked_account_and_an_unlink_button(
    bot_api, linked_resident, client_for
):
    page = client_for(linked_resident).get(reverse("notifications:telegram")).content.decode()

    assert "@oksana_k" in page
    assert 'value="unlink"' in page


def test_unlink_button_unlinks(bot_api, linked_resident, client_for):
    client = client_for(linked_resident)

    response = client.post(reverse("notifications:telegram"), {"action": "unlink"}, follow=True)

    assert response.status_code == 200
    assert not TelegramLink.objects.get(user=linked_resident).is_linked
    assert 'value="link"' in response.content.decode()


def test_expired_code_is_not_shown(bot_api, resident, client_for):
    telegram.telegram_link_start(user=resident)
    code = code_of(resident)
    TelegramLink.objects.filter(user=resident).update(
        code_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    page = client_for(resident).get(reverse("notifications:telegram")).content.decode()

    assert code not in page


def test_nobody_else_sees_a_persons_code(bot_api, resident, other_resident, client_for):
    telegram.telegram_link_start(user=resident)

    page = client_for(other_resident).get(reverse("notifications:telegram")).content.decode()

    assert code_of(resident) not in page


def test_settings_section_links_to_the_telegram_page(bot_api, linked_resident):
    html = render_to_string(
        "citizens/notifications/_telegram.html",
        {"telegram_link": linked_resident.telegram_link, "telegram_bot_username": BOT},
    )

    assert reverse("notifications:telegram") in html
    assert "@oksana_k" in html
    assert "<form" not in html


def test_settings_section_names_the_bot_once_even_if_configured_with_an_at(bot_api):
    html = render_to_string(
        "citizens/notifications/_telegram.html",
        {"telegram_link": None, "telegram_bot_username": f"@{BOT}"},
    )

    assert f"@{BOT}" in html
    assert "@@" not in html


# --- The management command -----------------------------------------------


def test_command_sets_the_webhook(bot_api):
    out = StringIO()

    call_command("telegram_webhook", "set", stdout=out, stderr=StringIO())

    [call] = bot_api.calls
    assert call.token == TOKEN
    assert call.method == "setWebhook"
    assert call.body["url"] == f"{SITE}/telegram/webhook/{SECRET}/"
    assert call.body["secret_token"] == SECRET
    assert call.body["allowed_updates"] == ["message"]
    assert "Webhook set" in out.getvalue()
    assert SECRET not in out.getvalue()


def test_command_info_shows_the_webhook_without_its_secret(bot_api):
    call_command("telegram_webhook", "set", stdout=StringIO(), stderr=StringIO())
    out = StringIO()

    call_command("telegram_webhook", "info", stdout=out)

    assert "/telegram/webhook/<secret>/" in out.getvalue()
    assert SECRET not in out.getvalue()


def test_command_deletes_the_webhook(bot_api):
    call_command("telegram_webhook", "delete", stdout=StringIO())

    assert [c.method for c in bot_api.calls] == ["deleteWebhook"]


def test_command_without_a_token_fails(no_bot):
    with pytest.raises(CommandError):
        call_command("telegram_webhook", "set", stdout=StringIO(), stderr=StringIO())


def test_command_reports_a_refusal_without_the_token(bot_api, settings):
    settings.TELEGRAM_BOT_TOKEN = "999:wrong-token"

    with pytest.raises(CommandError) as refused:
        call_command("telegram_webhook", "set", stdout=StringIO(), stderr=StringIO())

    assert "Unauthorized" in str(refused.value)
    assert "wrong-token" not in str(refused.value)


# --- helpers -------------------------------------------------------------------


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
