"""The Telegram bot's /report (a problem at a place, step by step) and /my.

Declared in AppealsConfig (bot_commands, bot_flows); citizens' webhook calls
these with a linked chat. /report walks category → location → photo (or
skip) → description → summary with nearby duplicates → Confirm, and files
through `appeal_submit` with the web form's checks: the point picks the
district, the photo is re-encoded without EXIF, the description has the
form's length rules, and the web's per-person rate limit counts the filing.
The draft lives in the conversation row; a photo is kept as Telegram's
file_id and fetched again when the report is filed.
"""

import logging
import uuid
from html import escape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens.notifications.links import absolute
from citizens.notifications.telegram import CANCELLED, STALE_BUTTON, BotApiError, download_file
from citizens.notifications.telegram import bot as telegram_bot
from citizens.services import appeal_details, appeal_details_missing
from mycity.lib.ratelimit import hit, refusal_message
from mycity.models import District

from . import photos as photo_rules
from .forms import AppealForm
from .models import Appeal, Category, Kind
from .services import AppealError, appeal_submit
from .services.duplicates import similar_open_appeals
from .services.following import appeal_follow

logger = logging.getLogger(__name__)

FLOW = "appeals.report"
PAGE_SIZE = 8
MY_LIMIT = 10
TITLE_LENGTH = 100

CHOOSE_CATEGORY = gettext_lazy("What is the problem? Choose a category.")
NO_CATEGORIES = gettext_lazy("Reporting through the bot is not available now. Use the website.")
SHARE_LOCATION = gettext_lazy(
    "Where is it? Share the location with the button below (or 📎 → Location and move the pin)."
)
SEND_LOCATION_BUTTON = gettext_lazy("📍 Send the location")
OUTSIDE_CITY = gettext_lazy("This place is outside the city. Put the pin inside the city.")
SEND_PHOTO = gettext_lazy("Send a photo of the problem, or press Skip.")
SEND_PHOTO_NOT_FILE = gettext_lazy("Send the picture as a photo, not as a file, or press Skip.")
PHOTO_TOO_LARGE = gettext_lazy("This photo is larger than 10 MB. Send a smaller one.")
PHOTO_UNAVAILABLE = gettext_lazy("The photo could not be fetched from Telegram. Send it again.")
WRITE_DESCRIPTION = gettext_lazy(
    "Describe the problem: what is wrong, since when, what you expect from the city "
    "(at least 20 characters)."
)
PRESS_A_BUTTON = gettext_lazy("Press one of the buttons above, or send /cancel.")
SUMMARY = gettext_lazy(
    "Check your report:\n\nCategory: %(category)s\nDistrict: %(district)s\n"
    "Photo: %(photo)s\n\n%(description)s\n\n%(visibility)s"
)
PUBLIC_NOTE = gettext_lazy(
    "Public: everyone sees the text, the photos and the approximate place. "
    "Never your name or your contacts."
)
PRIVATE_NOTE = gettext_lazy("Private: only you and city staff see it.")
ANONYMOUS_NOTE = gettext_lazy(
    "Your profile lacks your surname and name or your place of residence, so this request "
    "would be registered as anonymous, and under Art. 8 of the law an anonymous appeal is "
    "not subject to consideration. Add them in your profile first: %(url)s"
)
SIMILAR = gettext_lazy(
    "Is it one of these? Other residents already reported this nearby. If it is the same "
    "problem, follow that request instead: you will hear about every step."
)
SAME_PROBLEM = gettext_lazy("I have the same problem: %(reference)s")
REGISTERED = gettext_lazy(
    "Your request %(reference)s is registered. The answer is due by %(deadline)s. "
    "You will get news about it here."
)
FOLLOWING = gettext_lazy(
    "You follow request %(reference)s: we will tell you when its status changes."
)
ALREADY_DONE = gettext_lazy("This report is already sent.")
NONE_YET = gettext_lazy("You have not filed any requests yet. Send /report to report a problem.")
MY_HEADING = gettext_lazy("Your latest requests:")


def _categories() -> list[Category]:
    """What a resident can report at a place here: the web wizard's list for a problem
    report, without sensitive categories (the website shows emergency numbers first)
    and those with required extra questions (only the website asks them)."""
    rows = (
        Category.objects.filter(is_active=True, sensitive=False)
        .exclude(questions__required=True)
        .select_related("group")
    )
    return sorted(
        (c for c in rows.distinct() if c.accepts(Kind.PROBLEM)),
        key=lambda c: (c.group.ordering, c.group.name, c.group_id, c.ordering, c.name),
    )


def _menu() -> dict:
    return telegram_bot.menu_keyboard() or telegram_bot.REMOVE_KEYBOARD


# --- /report ---------------------------------------------------------------------


def report_start(chat, argument: str) -> None:
    categories = _categories()
    if not categories:
        chat.say(NO_CATEGORIES)
        return
    telegram_bot.conversation_start(
        chat=chat, flow=FLOW, step="category", data={"key": str(uuid.uuid4())}
    )
    _ask_category(chat, categories, page=0)


def _ask_category(chat, categories: list[Category], *, page: int) -> None:
    pages = max(1, -(-len(categories) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    shown = categories[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    rows = [[telegram_bot.button(f"{c.icon} {c.name}".strip(), FLOW, f"cat:{c.pk}")] for c in shown]
    nav = []
    if page > 0:
        nav.append(telegram_bot.button("◀", FLOW, f"page:{page - 1}"))
    if page < pages - 1:
        nav.append(telegram_bot.button("▶", FLOW, f"page:{page + 1}"))
    rows.append(nav)
    rows.append([telegram_bot.button(_("Cancel"), FLOW, "cancel")])
    chat.say(CHOOSE_CATEGORY, keyboard=telegram_bot.inline_keyboard(rows))


def _ask_location(chat) -> None:
    keyboard = {
        "keyboard": [[{"text": str(SEND_LOCATION_BUTTON), "request_location": True}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }
    chat.say(SHARE_LOCATION, keyboard=keyboard)


def _ask_photo(chat) -> None:
    skip = telegram_bot.inline_keyboard([[telegram_bot.button(_("Skip"), FLOW, "skip")]])
    chat.say(SEND_PHOTO, keyboard=skip)


def report_callback(chat, conversation, payload: str) -> str | None:
    """A button of the report flow; returns a short notice for the button."""
    step, data = conversation.step, dict(conversation.data)
    action, _colon, value = payload.partition(":")
    if action == "cancel":
        telegram_bot.conversation_end(chat.chat_id)
        chat.say(CANCELLED, keyboard=_menu())
        return None
    if step == "category" and action == "page" and value.isdigit():
        _ask_category(chat, _categories(), page=int(value))
        return None
    if step == "category" and action == "cat" and value.isdigit():
        category = next((c for c in _categories() if c.pk == int(value)), None)
        if category is None:
            _ask_category(chat, _categories(), page=0)
            return str(STALE_BUTTON)
        data["category"] = category.pk
        telegram_bot.conversation_save(conversation, step="location", data=data)
        chat.say(f"{category.icon} {category.name}".strip())
        _ask_location(chat)
        return None
    if step == "photo" and action == "skip":
        data.pop("photo", None)
        telegram_bot.conversation_save(conversation, step="description", data=data)
        chat.say(WRITE_DESCRIPTION)
        return None
    if step == "confirm" and action == "confirm":
        return _file(chat, conversation)
    if step == "confirm" and action == "follow":
        return _follow(chat, conversation, value)
    if step == "filing":
        return str(ALREADY_DONE)
    return str(STALE_BUTTON)


def report_message(chat, conversation, message: dict) -> None:
    """A message while the report flow is on: the answer to the current step."""
    step, data = conversation.step, dict(conversation.data)
    if step == "location":
        point = _location(message)
        if point is None:
            _ask_location(chat)
            return
        district = District.objects.locate(lat=point[0], lon=point[1])
        if district is None:
            chat.say(OUTSIDE_CITY)
            _ask_location(chat)
            return
        data.update(latitude=point[0], longitude=point[1])
        telegram_bot.conversation_save(conversation, step="photo", data=data)
        chat.say(district.name, keyboard=_menu())  # the menu again instead of the location key
        _ask_photo(chat)
        return
    if step == "photo":
        _take_photo(chat, conversation, message)
        return
    if step == "description":
        text = message.get("text")
        if not isinstance(text, str) or text.startswith("/"):
            chat.say(WRITE_DESCRIPTION)
            return
        try:
            description = AppealForm.base_fields["description"].clean(text.strip())
        except ValidationError as exc:
            chat.say("\n".join(exc.messages))
            return
        data["description"] = description
        telegram_bot.conversation_save(conversation, step="confirm", data=data)
        _summarise(chat, data)
        return
    if step == "confirm":
        _summarise(chat, data)
        return
    if step == "category":
        _ask_category(chat, _categories(), page=0)
        return
    chat.say(PRESS_A_BUTTON)


def _location(message: dict) -> tuple[float, float] | None:
    location = message.get("location")
    if not isinstance(location, dict):
        return None
    lat, lon = location.get("latitude"), location.get("longitude")
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return float(lat), float(lon)


def _largest_photo(message: dict) -> str | None:
    """The file_id of the largest size Telegram offers within the photo limit."""
    sizes = message.get("photo")
    if not isinstance(sizes, list):
        return None
    usable = [
        s
        for s in sizes
        if isinstance(s, dict)
        and isinstance(s.get("file_id"), str)
        and 0 < len(s["file_id"]) <= 200
        and (not isinstance(s.get("file_size"), int) or s["file_size"] <= photo_rules.MAX_BYTES)
    ]
    if not usable:
        return None
    best = max(usable, key=lambda s: (s.get("width") or 0) * (s.get("height") or 0))
    return best["file_id"]


def _fetch_photo(file_id: str) -> ContentFile:
    """The photo as an upload for clean_photo; BotApiError or ValidationError."""
    content = download_file(file_id, max_bytes=photo_rules.MAX_BYTES)
    return ContentFile(content, name="telegram-photo.jpg")


def _take_photo(chat, conversation, message: dict) -> None:
    file_id = _largest_photo(message)
    if file_id is None:
        chat.say(SEND_PHOTO_NOT_FILE if "document" in message else SEND_PHOTO)
        return
    try:
        # Checked now, so a bad photo is refused at its own step; filed later.
        photo_rules.clean_photo(_fetch_photo(file_id))
    except BotApiError as exc:
        chat.say(PHOTO_TOO_LARGE if exc.status == 413 else PHOTO_UNAVAILABLE)
        return
    except ValidationError as exc:
        chat.say(exc.messages[0])
        return
    data = {**conversation.data, "photo": file_id}
    if data.get("description"):
        # A photo sent again after Confirm could not fetch the first one.
        telegram_bot.conversation_save(conversation, step="confirm", data=data)
        _summarise(chat, data)
        return
    telegram_bot.conversation_save(conversation, step="description", data=data)
    chat.say(WRITE_DESCRIPTION)


def _summarise(chat, data: dict) -> None:
    category = Category.objects.filter(pk=data["category"]).first()
    district = District.objects.locate(lat=data["latitude"], lon=data["longitude"])
    details = appeal_details(chat.user)
    text = str(SUMMARY) % {
        "category": category.name if category else "—",
        "district": district.name if district else "—",
        "photo": _("yes") if data.get("photo") else _("no"),
        "description": data["description"],
        "visibility": PRIVATE_NOTE if category and category.sensitive else PUBLIC_NOTE,
    }
    if appeal_details_missing(full_name=details.full_name, residence=details.residence):
        # The web form asks for them (Art. 5); here the person is told what the law does.
        text += "\n\n" + str(ANONYMOUS_NOTE) % {"url": absolute(reverse("citizens:profile"))}
    rows = []
    similar = []
    if category is not None:
        similar = similar_open_appeals(
            category=category, latitude=data["latitude"], longitude=data["longitude"]
        )
    if similar:
        lines = [str(SIMILAR)]
        for appeal in similar:
            lines.append(
                f"• {appeal.reference}: {appeal.title} {absolute(appeal.get_absolute_url())}"
            )
            label = str(SAME_PROBLEM) % {"reference": appeal.reference}
            rows.append([telegram_bot.button(label, FLOW, f"follow:{appeal.reference}")])
        chat.say("\n".join(lines))
    rows.append(
        [
            telegram_bot.button(_("Confirm"), FLOW, "confirm"),
            telegram_bot.button(_("Cancel"), FLOW, "cancel"),
        ]
    )
    chat.say(text, keyboard=telegram_bot.inline_keyboard(rows))


def _file(chat, conversation) -> str | None:
    """File the report once: a second Confirm finds the step taken."""
    if not telegram_bot.conversation_claim(conversation, step="confirm", to_step="filing"):
        return str(ALREADY_DONE)
    data = conversation.data
    category = Category.objects.filter(pk=data.get("category")).first()
    if category is None:
        telegram_bot.conversation_end(chat.chat_id)
        chat.say(str(STALE_BUTTON), keyboard=_menu())
        return None
    # The web form's limit per person (RATE_LIMITS["appeal"]), in the same bucket.
    wait = hit(f"appeal:account:user:{chat.user.pk}", settings.RATE_LIMITS["appeal"]["account"])
    if wait:
        telegram_bot.conversation_save(conversation, step="confirm")
        chat.say(refusal_message(wait))
        return None
    photos = []
    if data.get("photo"):
        try:
            photos.append(_fetch_photo(data["photo"]))
        except BotApiError:
            telegram_bot.conversation_save(conversation, step="photo")
            chat.say(PHOTO_UNAVAILABLE)
            return None
    description = data["description"]
    try:
        appeal, _created = appeal_submit(
            author=chat.user,
            kind=Kind.PROBLEM,
            category=category,
            title=_title(description),
            description=description,
            is_public=True,
            idempotency_key=uuid.UUID(data["key"]),
            latitude=data["latitude"],
            longitude=data["longitude"],
            photos=photos,
        )
    except AppealError as exc:
        telegram_bot.conversation_save(conversation, step="confirm")
        chat.say(str(exc))
        return None
    except Exception:
        # Telegram sends the update again after our 500: let that Confirm through.
        # The idempotency key still files it once.
        telegram_bot.conversation_save(conversation, step="confirm")
        raise
    telegram_bot.conversation_end(chat.chat_id)
    chat.say(
        str(REGISTERED)
        % {"reference": appeal.reference, "deadline": appeal.deadline.strftime("%d.%m.%Y")},
        url=appeal.get_absolute_url(),
    )
    return None


def _title(description: str) -> str:
    first_line = description.strip().splitlines()[0].strip()
    return Truncator(first_line).chars(TITLE_LENGTH)


def _follow(chat, conversation, reference: str) -> str | None:
    data = conversation.data
    category = Category.objects.filter(pk=data.get("category")).first()
    # Only one of the appeals the resident was offered: public ones near their point.
    offered = (
        similar_open_appeals(
            category=category, latitude=data["latitude"], longitude=data["longitude"]
        )
        if category is not None
        else []
    )
    appeal = next((a for a in offered if a.reference == reference), None)
    if appeal is None:
        return str(STALE_BUTTON)
    appeal = Appeal.objects.get(pk=appeal.pk)
    try:
        appeal_follow(appeal=appeal, user=chat.user)
    except AppealError as exc:
        return str(exc)
    telegram_bot.conversation_end(chat.chat_id)
    chat.say(str(FOLLOWING) % {"reference": appeal.reference}, url=appeal.get_absolute_url())
    return None


# --- /my -------------------------------------------------------------------------


def my_appeals(chat, argument: str) -> None:
    appeals = list(
        Appeal.objects.filter(author=chat.user)
        .select_related("category")
        .order_by("-registered_at", "-pk")[:MY_LIMIT]
    )
    if not appeals:
        chat.say(NONE_YET, keyboard=_menu())
        return
    lines = [escape(str(MY_HEADING))]
    for appeal in appeals:
        link = escape(absolute(appeal.get_absolute_url()))
        lines.append(
            f'<a href="{link}">{escape(appeal.reference)}</a> · {escape(appeal.title)} · '
            f"{escape(appeal.category.name)} · <b>{escape(appeal.get_status_display())}</b>"
        )
    chat.say("\n".join(lines), html=True)
