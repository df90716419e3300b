"""Fixtures shared by the notification tests."""

import pytest

from citizens.notifications import channels, events
from citizens.notifications.sms import backends as sms_backends
from mycity.lib import tasks as task_queue
from tests.citizens.notifications.delivery_helpers import FakeChannel
from tests.citizens.notifications.outbox_helpers import (
    SECURITY,
    URGENT,
)
from tests.citizens.notifications.sms_helpers import TOKEN as SMS_TOKEN
from tests.citizens.notifications.sms_helpers import serve_gateway
from tests.citizens.notifications.webpush_helpers import (
    SUBJECT,
    Browser,
    FakePushService,
    new_vapid_keys,
    subscribe,
)

# --- Web push: a fake push service and the server's keys -------------------------


@pytest.fixture
def push_service():
    service = FakePushService()
    yield service
    service.close()


@pytest.fixture
def vapid(settings):
    """Push configured with a fresh key pair; endpoints on 127.0.0.1 accepted."""
    public, private = new_vapid_keys()
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_SUBJECT = SUBJECT
    settings.WEBPUSH_ALLOW_LOOPBACK = True
    return public


@pytest.fixture
def subscribed(vapid, push_service, client_for):
    """Give a person a push device on the fake push service; returns its Browser."""

    def make(user, device: str = "device-1") -> Browser:
        browser = Browser()
        response = subscribe(client_for(user), browser, push_service.endpoint(device))
        assert response.status_code == 201, response.content
        return browser

    return make


# --- Telegram: a fake Bot API on loopback (fixtures in telegram_helpers) ---------

from tests.citizens.notifications.telegram_helpers import (  # noqa: E402
    _bot_server,  # noqa: F401
    bot_api,  # noqa: F401
    linked_resident,  # noqa: F401
    no_bot,  # noqa: F401
)

# --- The outbox: a fake channel, the broker, test events -------------------------


@pytest.fixture
def channel(monkeypatch):
    fake = FakeChannel()
    monkeypatch.setattr(channels, "sender", lambda name: fake)
    return fake


@pytest.fixture
def queued(monkeypatch):
    """What would go to the broker, as (task name, args), instead of sending it.

    A task put on another queue than its own (the priority lane) is recorded
    as (task name, args, queue).
    """
    calls = []

    def record(task, *args, on=None):
        name = task if isinstance(task, str) else task.name
        calls.append((name, args) if on is None else (name, args, on))
        return True

    monkeypatch.setattr(task_queue, "queue", record)
    return calls


@pytest.fixture
def test_events(monkeypatch):
    """Two events no app declares: an urgent one and one that cannot be switched off."""
    for event in (URGENT, SECURITY):
        monkeypatch.setitem(events.registry(), event.key, event)


@pytest.fixture
def all_channels(settings):
    settings.VAPID_PUBLIC_KEY = "test-public-key"
    settings.VAPID_PRIVATE_KEY = "test-private-key"
    settings.TELEGRAM_BOT_TOKEN = "123:test-token"


# --- SMS: the in-memory backend, and a fake JSON gateway on loopback -------------


@pytest.fixture
def sms(settings):
    """SMS configured with the in-memory backend; its outbox starts empty."""
    settings.SMS_BACKEND = "citizens.notifications.sms.backends.LocmemBackend"
    settings.SMS_MAX_SEGMENTS = 2
    settings.SMS_DAILY_CAP_PER_RESIDENT = 10
    settings.SMS_DAILY_CAP_TOTAL = 0
    settings.SMS_FALLBACK_AFTER_MINUTES = 5
    settings.SITE_URL = "https://mycity.example"
    sms_backends.outbox.clear()
    yield sms_backends.outbox
    sms_backends.outbox.clear()


@pytest.fixture(scope="module")
def _sms_gateway_server():
    server = serve_gateway()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def sms_gateway(_sms_gateway_server, sms, settings):
    """The JSON gateway backend pointed at a fake gateway on 127.0.0.1."""
    _sms_gateway_server.reset()
    settings.SMS_BACKEND = "citizens.notifications.sms.backends.JsonGatewayBackend"
    settings.SMS_GATEWAY_URL = _sms_gateway_server.url
    settings.SMS_GATEWAY_TOKEN = SMS_TOKEN
    settings.SMS_SENDER = "KhersonCity"
    settings.SMS_GATEWAY_CONNECT_TIMEOUT = 2
    settings.SMS_GATEWAY_READ_TIMEOUT = 1
    return _sms_gateway_server
