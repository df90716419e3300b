"""Setting Telegram up: the channel without a bot token, the cabinet page where
a person links and unlinks, and the management command for the webhook."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from citizens.notifications import channels, telegram
from citizens.notifications.events import TELEGRAM
from citizens.notifications.models import Delivery, TelegramLink
from citizens.notifications.services import notify
from tests.citizens.notifications.telegram_helpers import (
    BOT,
    SECRET,
    SITE,
    TOKEN,
    code_of,
    message_update,
    post_update,
)
from tests.conftest import ROLES

pytestmark = pytest.mark.django_db


# --- Without a bot -------------------------------------------------------------


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

    call, *menus = bot_api.calls
    assert call.token == TOKEN
    assert call.method == "setWebhook"
    assert call.body["url"] == f"{SITE}/telegram/webhook/{SECRET}/"
    assert call.body["secret_token"] == SECRET
    assert call.body["allowed_updates"] == ["message", "callback_query"]
    assert [m.method for m in menus] == ["setMyCommands"] * 3
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


def test_setting_the_webhook_sets_the_command_menu_in_both_languages(bot_api):
    call_command("telegram_webhook", "set", stdout=StringIO(), stderr=StringIO())

    menus = {
        c.body.get("language_code", ""): c.body["commands"]
        for c in bot_api.calls
        if c.method == "setMyCommands"
    }
    assert set(menus) == {"", "uk", "en"}
    names = [c["command"] for c in menus["en"]]
    assert names[:3] == ["report", "my", "alerts"]
    assert names[-2:] == ["cancel", "stop"]
    english = {c["command"]: c["description"] for c in menus["en"]}
    ukrainian = {c["command"]: c["description"] for c in menus["uk"]}
    assert english["report"] == "Report a problem at a place"
    assert ukrainian["report"] != english["report"]
    assert menus[""] == menus["uk"]  # the site's language for everyone else
