"""A report filed through the Telegram bot is linked to the known outage like any other."""

import pytest

from appeals.models import Appeal
from tests.appeals.incident_helpers import centre_of, outage_category
from tests.appeals.test_telegram_report import FLOW, to_confirm
from tests.citizens.notifications.telegram_helpers import BotChat
from tests.factories import DistrictFactory, IncidentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    return DistrictFactory()


@pytest.fixture
def category():
    return outage_category(slug="no-power")


@pytest.fixture
def chat(client_for, bot_api, linked_resident, media_root):
    return BotChat(client_for(None), bot_api)


def test_a_bot_report_inside_the_outage_is_linked(chat, category, district):
    incident = IncidentFactory(districts=[district])
    to_confirm(chat, category, centre_of(district), photo=False)
    chat.press(f"{FLOW}:confirm")
    assert Appeal.objects.get().incident == incident


def test_a_bot_report_outside_the_outage_is_not_linked(chat, category, district):
    IncidentFactory(districts=[DistrictFactory()])
    to_confirm(chat, category, centre_of(district), photo=False)
    chat.press(f"{FLOW}:confirm")
    assert Appeal.objects.get().incident is None
