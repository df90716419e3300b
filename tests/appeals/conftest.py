"""Fixtures shared by the appeals tests."""

import pytest

from tests.appeals.staff_helpers import World


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded photos go to a temporary folder, not the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def english():
    """Messages in English, so tests that match them survive the Ukrainian translation."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def everything_in_english(settings, monkeypatch, english):
    """Pages, messages and new people in English, for tests that match English words.

    Signed-in people read their preferred language, so people created in the
    test prefer English too.
    """
    from citizens.models import User

    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(User._meta.get_field("preferred_language"), "default", "en")


@pytest.fixture
def world(resident, moderator, department, department_staff):
    return World(
        resident=resident,
        moderator=moderator,
        department=department,
        department_staff=department_staff,
    )


# The fake Telegram Bot API and a linked resident, for the bot's /report and /my.
from tests.citizens.notifications.telegram_helpers import (  # noqa: E402
    _bot_server,  # noqa: F401
    bot_api,  # noqa: F401
    linked_resident,  # noqa: F401
)
