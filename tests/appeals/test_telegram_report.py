"""The Telegram bot's /report and /my: recorded updates through the webhook view,
the bot's answers and the photo download against the fake Bot API."""

import datetime as dt

import pytest
from django.core.cache import cache
from PIL import Image

from appeals import bot as report_bot
from appeals.models import Appeal, AppealFollower, AppealPhoto
from appeals.services import transition
from appeals.workflow import MODERATOR, Action
from citizens.models import BotConversation
from citizens.notifications import telegram
from citizens.notifications.events import TELEGRAM
from citizens.notifications.models import Delivery, TelegramLink
from citizens.notifications.telegram import bot as telegram_bot
from tests.citizens.notifications.telegram_helpers import (
    CHAT,
    SITE,
    BotChat,
    in_language,
    jpeg_with_gps,
)
from tests.factories import (
    CategoryFactory,
    CategoryGroupFactory,
    DistrictFactory,
    submit_appeal,
)

pytestmark = pytest.mark.django_db

FLOW = "appeals.report"
DESCRIPTION = "Велика яма на проїжджій частині біля зупинки, машини об'їжджають по тротуару."


@pytest.fixture
def district():
    return DistrictFactory(name_uk="Корабельний", name_en="Korabelnyi")


@pytest.fixture
def pin(district):
    west, south = district.boundary["coordinates"][0][0]
    return south + 0.005, west + 0.005


@pytest.fixture
def category():
    return CategoryFactory(name_en="Pothole", name_uk="Яма на дорозі", icon="🕳️")


@pytest.fixture
def chat(client_for, bot_api, linked_resident, media_root):
    linked_resident.preferred_language = "en"
    linked_resident.save(update_fields=["preferred_language"])
    return BotChat(client_for(None), bot_api)


def conversation():
    return BotConversation.objects.filter(chat_id=CHAT).first()


def to_confirm(chat, category, pin, *, photo=True):
    """Walk a report to its summary: category, location, photo (or skip), description."""
    chat.send("/report")
    chat.press(f"{FLOW}:cat:{category.pk}")
    chat.location(*pin)
    if photo:
        chat.photo("AgACAgIAAxkBAAIBZ2", jpeg_with_gps())
    else:
        chat.press(f"{FLOW}:skip")
    chat.send(DESCRIPTION)
    assert conversation().step == "confirm"


def test_a_report_is_filed_end_to_end(chat, bot_api, linked_resident, category, district, pin):
    chat.send("/report")
    data = [b["callback_data"] for b in chat.buttons()]
    assert f"{FLOW}:cat:{category.pk}" in data
    assert all(len(d.encode()) <= 64 for d in data)

    chat.press(f"{FLOW}:cat:{category.pk}")
    keyboard = chat.last()["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_location"] is True

    chat.location(*pin)
    assert chat.last()["text"] == in_language(report_bot.SEND_PHOTO, "en")

    chat.photo("AgACAgIAAxkBAAIBZ2", jpeg_with_gps())
    # The largest size was fetched through the client, by its path on the file URL.
    assert bot_api.downloads == ["photos/AgACAgIAAxkBAAIBZ2.jpg"]
    assert chat.last()["text"] == in_language(report_bot.WRITE_DESCRIPTION, "en")

    chat.send(DESCRIPTION)
    summary = chat.last()
    assert "Pothole" in summary["text"]
    assert "Korabelnyi" in summary["text"]
    assert {"text": "Confirm", "callback_data": f"{FLOW}:confirm"} in chat.buttons(summary)
    assert not Appeal.objects.exists()

    chat.press(f"{FLOW}:confirm")

    appeal = Appeal.objects.get()
    assert (appeal.author, appeal.category, appeal.district) == (
        linked_resident,
        category,
        district,
    )
    assert (appeal.latitude, appeal.longitude) == pytest.approx(pin)
    assert appeal.kind == "problem"
    assert appeal.description == DESCRIPTION
    assert appeal.title == DESCRIPTION  # its first line, up to 100 characters
    assert appeal.is_public
    reply = chat.last()
    assert appeal.reference in reply["text"]
    assert reply["reply_markup"]["inline_keyboard"][-1][0]["url"] == (
        f"{SITE}{appeal.get_absolute_url()}"
    )
    photo = AppealPhoto.objects.get(appeal=appeal)
    with photo.image.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
    assert conversation() is None
    assert bot_api.answered()  # every button press stopped its spinner


def test_the_photo_can_be_skipped(chat, category, pin):
    to_confirm(chat, category, pin, photo=False)

    chat.press(f"{FLOW}:confirm")

    appeal = Appeal.objects.get()
    assert not appeal.photos.exists()


def test_a_double_confirm_files_once(chat, bot_api, category, pin):
    to_confirm(chat, category, pin)

    chat.press(f"{FLOW}:confirm")
    chat.press(f"{FLOW}:confirm")

    assert Appeal.objects.count() == 1
    second = bot_api.answered()[-1]
    assert second["text"] == in_language(telegram.STALE_BUTTON, "en")


def test_a_confirm_that_lost_the_race_files_nothing(chat, bot_api, category, pin):
    # The first tap took the step (it is filing): a second update reads the same row.
    to_confirm(chat, category, pin)
    row = conversation()
    assert telegram_bot.conversation_claim(row, step="confirm", to_step="filing")

    chat.press(f"{FLOW}:confirm")

    assert not Appeal.objects.exists()
    assert bot_api.answered()[-1]["text"] == in_language(report_bot.ALREADY_DONE, "en")


def test_an_unlinked_chat_is_told_how_to_link(client_for, bot_api, category):
    BotChat(client_for(None), bot_api, lang="en").send("/report")

    [reply] = bot_api.sent()
    assert reply["text"].startswith("To get My City notifications here")
    assert not BotConversation.objects.exists()


def test_a_location_outside_the_city_is_refused_and_asked_again(chat, category, district):
    chat.send("/report")
    chat.press(f"{FLOW}:cat:{category.pk}")

    chat.location(50.45, 30.52)  # Kyiv

    texts = chat.api.texts()
    assert texts[-2] == in_language(report_bot.OUTSIDE_CITY, "en")
    assert texts[-1] == in_language(report_bot.SHARE_LOCATION, "en")
    assert conversation().step == "location"


def test_text_where_a_photo_is_expected_asks_for_the_photo(chat, category, pin):
    chat.send("/report")
    chat.press(f"{FLOW}:cat:{category.pk}")
    chat.location(*pin)

    chat.send("ось фото")

    assert chat.last()["text"] == in_language(report_bot.SEND_PHOTO, "en")
    assert conversation().step == "photo"


def test_a_file_that_is_not_a_photo_is_refused(chat, category, pin):
    chat.send("/report")
    chat.press(f"{FLOW}:cat:{category.pk}")
    chat.location(*pin)

    chat.photo("AgACAgIAAxkBAAIBZ3", b"%PDF-1.4 not a picture")

    assert "is not a photo" in chat.last()["text"]
    assert conversation().step == "photo"


def test_a_description_too_short_is_refused_in_the_residents_language(
    chat, linked_resident, category, pin
):
    linked_resident.preferred_language = "uk"
    linked_resident.save(update_fields=["preferred_language"])
    chat.send("/report")
    chat.press(f"{FLOW}:cat:{category.pk}")
    chat.location(*pin)
    chat.press(f"{FLOW}:skip")

    chat.send("Яма")

    text = chat.last()["text"]
    assert "20" in text
    assert text != in_language(report_bot.WRITE_DESCRIPTION, "en")
    assert "Ensure this value" not in text  # Django's own message, in Ukrainian
    assert conversation().step == "description"


def test_cancel_ends_the_draft(chat, category, pin):
    chat.send("/report")
    chat.press(f"{FLOW}:cat:{category.pk}")

    chat.send("/cancel")

    assert conversation() is None
    assert chat.last()["text"] == in_language(telegram.CANCELLED, "en")
    chat.location(*pin)
    assert not Appeal.objects.exists()


def test_a_draft_expires_after_30_minutes_of_silence(chat, category, pin):
    chat.send("/report")
    chat.press(f"{FLOW}:cat:{category.pk}")
    BotConversation.objects.update(updated_at=conversation().updated_at - dt.timedelta(minutes=31))

    chat.location(*pin)

    assert chat.last()["text"] == in_language(telegram.EXPIRED, "en")
    assert conversation() is None


def test_a_draft_within_30_minutes_goes_on(chat, category, pin):
    chat.send("/report")
    chat.press(f"{FLOW}:cat:{category.pk}")
    BotConversation.objects.update(updated_at=conversation().updated_at - dt.timedelta(minutes=29))

    chat.location(*pin)

    assert conversation().step == "photo"


def test_the_draft_survives_a_restart(chat, category, pin):
    chat.send("/report")
    chat.press(f"{FLOW}:cat:{category.pk}")
    chat.location(*pin)
    row = conversation()
    assert row.data["category"] == category.pk
    assert (row.data["latitude"], row.data["longitude"]) == pytest.approx(pin)

    # A new process: the registries are read again and nothing else is remembered.
    for cached in (telegram_bot.commands, telegram_bot.flows, telegram_bot.handler):
        cached.cache_clear()
    for module in (telegram_bot, report_bot):
        assert not [
            name
            for name, value in vars(module).items()
            if isinstance(value, dict | list | set)
            and value
            and not name.isupper()
            and not name.startswith("__")
        ]
    cache.clear()  # nor in the cache: a restarted Redis forgets nothing of the draft

    chat.press(f"{FLOW}:skip")
    chat.send(DESCRIPTION)
    chat.press(f"{FLOW}:confirm")

    assert Appeal.objects.get().category == category


def test_the_rate_limit_refuses_filing(chat, settings, category, pin):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "appeal": {**settings.RATE_LIMITS["appeal"], "account": "1/hour"},
    }
    to_confirm(chat, category, pin, photo=False)
    chat.press(f"{FLOW}:confirm")
    to_confirm(chat, category, pin, photo=False)

    chat.press(f"{FLOW}:confirm")

    assert Appeal.objects.count() == 1
    assert chat.last()["text"].startswith("You have done this too many times")
    assert conversation().step == "confirm"  # the draft is kept for later


def test_the_web_form_and_the_bot_share_the_limit(chat, settings, linked_resident, category, pin):
    from mycity.lib.ratelimit import hit

    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "appeal": {**settings.RATE_LIMITS["appeal"], "account": "1/hour"},
    }
    # What the web form's decorator counts for this person.
    assert hit(f"appeal:account:user:{linked_resident.pk}", "1/hour") == 0
    to_confirm(chat, category, pin, photo=False)

    chat.press(f"{FLOW}:confirm")

    assert not Appeal.objects.exists()


def test_nearby_duplicates_are_offered_and_can_be_followed(
    chat, other_resident, moderator, category, district, pin
):
    original = submit_appeal(
        other_resident, category, district=district, latitude=pin[0], longitude=pin[1]
    )
    original = transition(appeal=original, action=Action.ACCEPT, actor=moderator, role=MODERATOR)

    to_confirm(chat, category, pin, photo=False)

    texts = chat.api.texts()
    assert original.reference in texts[-2]
    follow = f"{FLOW}:follow:{original.reference}"
    assert follow in [b["callback_data"] for b in chat.buttons()]

    chat.press(follow)

    assert AppealFollower.objects.filter(appeal=original, user=chat_user(chat)).exists()
    assert Appeal.objects.count() == 1
    assert conversation() is None


def chat_user(chat):
    return TelegramLink.objects.get(chat_id=chat.chat_id).user


def test_a_callback_from_another_chat_is_ignored(
    chat, client_for, bot_api, other_resident, category, pin
):
    to_confirm(chat, category, pin, photo=False)
    TelegramLink.objects.create(user=other_resident, chat_id=777001)
    stranger = BotChat(client_for(None), bot_api, chat_id=777001, lang="en")

    stranger.press(f"{FLOW}:confirm")
    # Nor a press that claims to come from someone else than the chat's person.
    chat.press(f"{FLOW}:confirm", from_id=777001)

    assert not Appeal.objects.exists()
    assert conversation().step == "confirm"
    # In the stranger's own language.
    assert bot_api.answered()[-2]["text"] == in_language(telegram.STALE_BUTTON, "uk")


@pytest.mark.parametrize(
    "data", ["weather:today", f"{FLOW}:bogus", f"{FLOW}:cat:abc", f"{FLOW}:follow:KH-1", "", ":"]
)
def test_an_unknown_callback_is_answered_harmlessly(chat, bot_api, category, pin, data):
    to_confirm(chat, category, pin, photo=False)
    before = len(bot_api.sent())

    chat.press(data)

    assert bot_api.answered()[-1]["callback_query_id"]
    assert len(bot_api.sent()) == before
    assert conversation().step == "confirm"
    assert not Appeal.objects.exists()


def test_status_changes_of_a_bot_filed_appeal_reach_the_chat(
    chat, moderator, category, pin, django_capture_on_commit_callbacks
):
    to_confirm(chat, category, pin, photo=False)
    chat.press(f"{FLOW}:confirm")
    appeal = Appeal.objects.get()

    with django_capture_on_commit_callbacks(execute=False):
        transition(appeal=appeal, action=Action.ACCEPT, actor=moderator, role=MODERATOR)

    assert Delivery.objects.filter(
        notification__recipient=appeal.author,
        notification__event="appeals.status_changed",
        channel=TELEGRAM,
    ).exists()


def test_my_lists_only_own_appeals(chat, linked_resident, other_resident, category):
    mine = submit_appeal(linked_resident, category, title="Не світить ліхтар")
    theirs = submit_appeal(other_resident, category, title="Сміття біля будинку")

    chat.send("/my")

    reply = chat.last()
    assert reply["parse_mode"] == "HTML"
    assert mine.reference in reply["text"]
    assert "Не світить ліхтар" in reply["text"]
    assert f"{SITE}{mine.get_absolute_url()}" in reply["text"]
    assert theirs.reference not in reply["text"]


def test_my_without_appeals_says_how_to_report(chat):
    chat.send("/my")

    assert chat.last()["text"] == in_language(report_bot.NONE_YET, "en")


def test_the_report_button_starts_a_report(chat, category):
    chat.send("/start")
    buttons = [b["text"] for row in chat.last()["reply_markup"]["keyboard"] for b in row]
    assert "📝 Report a problem" in buttons

    chat.send("📝 Report a problem")

    assert conversation().flow == FLOW


def test_a_photo_gone_from_telegram_by_confirm_is_asked_again(chat, bot_api, category, pin):
    to_confirm(chat, category, pin)
    del bot_api.files["AgACAgIAAxkBAAIBZ2"]

    chat.press(f"{FLOW}:confirm")

    assert not Appeal.objects.exists()
    assert chat.last()["text"] == in_language(report_bot.PHOTO_UNAVAILABLE, "en")
    chat.photo("AgACAgIAAxkBAAIBZ9", jpeg_with_gps())
    assert conversation().step == "confirm"  # the description is kept
    chat.press(f"{FLOW}:confirm")
    assert Appeal.objects.get().photos.count() == 1


def test_a_failure_while_filing_lets_telegrams_retry_file_it(
    chat, client_for, bot_api, category, pin, monkeypatch
):
    from tests.citizens.notifications.telegram_helpers import callback_update, post_update

    to_confirm(chat, category, pin, photo=False)
    update = callback_update(f"{FLOW}:confirm")

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(report_bot, "appeal_submit", broken)
    client = client_for(None)
    client.raise_request_exception = False
    assert post_update(client, update).status_code == 500
    monkeypatch.undo()

    post_update(client, update)  # Telegram's retry of the same update

    assert Appeal.objects.count() == 1


def test_categories_come_eight_a_page_in_the_residents_language(chat, linked_resident):
    linked_resident.preferred_language = "uk"
    linked_resident.save(update_fields=["preferred_language"])
    group = CategoryGroupFactory()
    categories = [
        CategoryFactory(group=group, ordering=n, name_uk=f"Категорія {n:02}", name_en=f"C {n:02}")
        for n in range(1, 11)
    ]

    chat.send("/report")

    first = [b["text"] for b in chat.buttons()]
    assert first[:8] == [f"Категорія {n:02}" for n in range(1, 9)]
    assert f"{FLOW}:page:1" in [b["callback_data"] for b in chat.buttons()]

    chat.press(f"{FLOW}:page:1")

    data = [b["callback_data"] for b in chat.buttons()]
    assert f"{FLOW}:cat:{categories[9].pk}" in data
    assert f"{FLOW}:cat:{categories[0].pk}" not in data
    assert f"{FLOW}:page:0" in data


def test_categories_the_bot_cannot_file_are_not_offered(chat):
    from appeals.models import CategoryQuestion

    ok = CategoryFactory()
    sensitive = CategoryFactory(sensitive=True)
    proposals_only = CategoryFactory(kinds=["proposal"])
    inactive = CategoryFactory(is_active=False)
    with_question = CategoryFactory()
    CategoryQuestion.objects.create(
        category=with_question, code="depth", label="Depth", type="text", required=True
    )

    chat.send("/report")

    data = [b["callback_data"] for b in chat.buttons()]
    assert f"{FLOW}:cat:{ok.pk}" in data
    for refused in (sensitive, proposals_only, inactive, with_question):
        assert f"{FLOW}:cat:{refused.pk}" not in data
    # Nor by pressing a forged button.
    chat.press(f"{FLOW}:cat:{sensitive.pk}")
    assert conversation().step == "category"


def test_a_profile_without_name_or_residence_is_warned_before_confirming(
    chat, linked_resident, category, pin
):
    linked_resident.residence = ""
    linked_resident.save(update_fields=["residence"])

    to_confirm(chat, category, pin, photo=False)

    assert "Art. 8" in chat.last()["text"]
    assert f"{SITE}/me/profile/" in chat.last()["text"]
    chat.press(f"{FLOW}:confirm")
    assert Appeal.objects.get().is_anonymous


def test_a_complete_profile_is_not_warned(chat, category, pin):
    to_confirm(chat, category, pin, photo=False)

    assert "Art. 8" not in chat.last()["text"]
