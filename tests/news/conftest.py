"""Fixtures for the news and alerts tests."""

import pytest
from django.utils import translation

from tests.factories import UserFactory, enable_mfa, give_role, verify_email


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def everything_in_english(settings, monkeypatch, english):
    from citizens.models import User

    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(User._meta.get_field("preferred_language"), "default", "en")


@pytest.fixture
def editor(db):
    user = UserFactory(is_staff=True, email="editor@example.com")
    verify_email(user)
    enable_mfa(user)
    give_role(user, "editor")
    return user


@pytest.fixture
def all_channels(settings):
    settings.VAPID_PUBLIC_KEY = "test-public-key"
    settings.VAPID_PRIVATE_KEY = "test-private-key"
    settings.TELEGRAM_BOT_TOKEN = "123:test-token"


@pytest.fixture(autouse=True)
def queued(monkeypatch):
    """Broker calls recorded instead of made: fan-out is run by the test itself."""
    from mycity.lib import tasks as task_queue

    calls = []

    def record(task, *args, on=None):  # `on`: the priority lane, for alerts
        calls.append((task if isinstance(task, str) else task.name, args))
        return True

    monkeypatch.setattr(task_queue, "queue", record)
    return calls


class Clock:
    """django.utils.timezone.now, moved forward by the test."""

    def __init__(self, real):
        self.real = real
        self.offset = __import__("datetime").timedelta()

    def shift(self, delta):
        self.offset += delta

    def __call__(self):
        return self.real() + self.offset


@pytest.fixture
def clock(monkeypatch):
    from django.utils import timezone

    fake = Clock(timezone.now)
    monkeypatch.setattr(timezone, "now", fake)
    return fake


# The fake Telegram Bot API and a linked resident, for the bot's /alerts.
from tests.citizens.notifications.telegram_helpers import (  # noqa: E402
    _bot_server,  # noqa: F401
    bot_api,  # noqa: F401
    linked_resident,  # noqa: F401
)
