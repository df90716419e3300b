"""The Telegram bot's /alerts: active alerts of the resident's district and the whole city."""

import datetime as dt

import pytest
from django.utils import timezone

from news import bot as alerts_bot
from tests.citizens.notifications.telegram_helpers import SITE, BotChat, in_language
from tests.news.factories import make_alert

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(client_for, bot_api, linked_resident):
    return BotChat(client_for(None), bot_api)


def test_alerts_lists_the_home_district_and_whole_city_only(chat, linked_resident, north, south):
    linked_resident.district = north
    linked_resident.save(update_fields=["district"])
    here = make_alert(districts=[north], title_uk="Немає світла на Північному")
    city = make_alert(whole_city=True, title_uk="Повітряна тривога")
    elsewhere = make_alert(districts=[south], title_uk="Немає води на Південному")
    make_alert(districts=[north], publish=False, title_uk="Чернетка")
    make_alert(
        districts=[north],
        title_uk="Вже скінчилося",
        starts_at=timezone.now() - dt.timedelta(hours=3),
        ends_at=timezone.now() - dt.timedelta(hours=1),
    )

    chat.send("/alerts")

    reply = chat.last()
    assert reply["parse_mode"] == "HTML"
    text = reply["text"]
    assert "Північний" in text.splitlines()[0]
    assert "Немає світла на Північному" in text
    assert "Повітряна тривога" in text
    assert f"{SITE}{here.get_absolute_url()}" in text
    assert f"{SITE}{city.get_absolute_url()}" in text
    assert elsewhere.title_uk not in text
    assert "Чернетка" not in text
    assert "Вже скінчилося" not in text


def test_alerts_without_a_home_district_shows_the_whole_city(chat, north):
    make_alert(whole_city=True, title_uk="Повітряна тривога")
    make_alert(districts=[north], title_uk="Немає світла на Північному")

    chat.send("/alerts")

    text = chat.last()["text"]
    assert text.startswith(in_language(alerts_bot.HEADING_CITY, "uk"))
    assert "Повітряна тривога" in text
    assert "Немає світла на Північному" not in text


def test_alerts_in_english_for_an_english_reader(chat, linked_resident, north):
    linked_resident.preferred_language = "en"
    linked_resident.district = north
    linked_resident.save(update_fields=["preferred_language", "district"])
    make_alert(districts=[north])

    chat.send("/alerts")

    assert "The shelter on Perekopska St is closed" in chat.last()["text"]


def test_no_alerts_says_so(chat):
    chat.send("/alerts")

    assert chat.last()["text"] == in_language(alerts_bot.NO_ALERTS, "uk")


def test_alerts_from_an_unlinked_chat_tells_how_to_link(client_for, bot_api):
    make_alert(whole_city=True, title_uk="Повітряна тривога")

    BotChat(client_for(None), bot_api, chat_id=999001).send("/alerts")

    assert "Повітряна тривога" not in bot_api.sent()[-1]["text"]
    assert "/me/notifications/telegram/" in bot_api.sent()[-1]["text"]
