"""The Telegram bot's /alerts: the active alerts for the resident's district and the city."""

from html import escape

from django.utils.translation import get_language, gettext_lazy

from citizens.notifications.links import absolute

from . import live

MAX_SHOWN = 10

NO_ALERTS = gettext_lazy("No active alerts for your district or the whole city now.")
HEADING = gettext_lazy("Active alerts for %(district)s and the whole city:")
HEADING_CITY = gettext_lazy(
    "Active alerts for the whole city. Choose your district in your profile to see its alerts too."
)


def active_alerts(chat, argument: str) -> None:
    user = chat.user
    # The banner's own data and rules: one cache entry, the clock decides what is active.
    rows = live.visible_alerts(district_id=user.district_id, language=get_language()) or []
    if user.district_id is None:
        rows = [row for row in rows if row["whole_city"] or not row["districts"]]
    if not rows:
        chat.say(NO_ALERTS)
        return
    if user.district_id is None:
        lines = [escape(str(HEADING_CITY))]
    else:
        lines = [escape(str(HEADING) % {"district": user.district.name})]
    for row in rows[:MAX_SHOWN]:
        link = escape(absolute(row["url"]))
        lines.append(f'{row["icon"]} <a href="{link}">{escape(row["title"])}</a>')
    chat.say("\n".join(lines), html=True)
