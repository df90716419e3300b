"""Template tags other pages use without importing news: the home page's latest news,
the offline page's alerts."""

from django import template
from django.core.cache import cache
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language

from .. import live
from ..services.items import LATEST_KEY, LATEST_SIZE, latest_refresh

register = template.Library()


@register.inclusion_tag("news/_latest.html")
def latest_news(count: int = 4):
    """The newest live items (pinned first) from the cache: the home page makes no query.

    The entry is written after every change, by the beat task and by the news
    list. On a cold cache the block is left out rather than query on the home
    page; once a scheduled item's time has come the entry is rebuilt here.
    """
    data = cache.get(LATEST_KEY)
    if data is None:
        return {"items": []}
    if data["next_at"] is not None and data["next_at"] <= timezone.now():
        data = latest_refresh()
    items = data["items"].get(get_language()) or data["items"].get("uk", [])
    return {"items": items[: max(1, min(int(count), LATEST_SIZE))]}


@register.inclusion_tag("news/_offline_alerts.html")
def offline_alerts():
    """The city's current alerts with their times, for the offline page (mycity.pwa).

    The page is kept on the device and shown when the network is gone, so it
    names every district's alerts (not the visitor's, nothing personal) and the
    time it was made. One cache read; on a cold cache one query builds it.
    """
    rows = live.visible_alerts(district_id=None, language=get_language()) or []
    alerts = [
        {
            **row,
            "starts_at": parse_datetime(row["starts_at"]),
            "ends_at": parse_datetime(row["ends_at"]) if row["ends_at"] else None,
        }
        for row in rows
    ]
    return {"alerts": alerts, "as_of": timezone.now()}


@register.filter
def clock(value):
    """A time as "07:40" today, or "5 грудня, 07:40" on another day (local time)."""
    if not value:
        return ""
    from django.utils.dateformat import format as date_format

    local = timezone.localtime(value)
    if local.date() == timezone.localdate():
        return date_format(local, "H:i")
    return date_format(local, "j E, H:i")


@register.inclusion_tag("news/_home_incidents.html", takes_context=True)
def home_incidents(context):
    """Active outages and closures for the home page, the visitor's district first.

    One cache read (news/live.py), never a query: on a cold cache the block is
    left out, like the latest news; the beat task rebuilds the entry within
    seconds and drops the kept pages when what they show changed.
    """
    district = context.get("alert_district")
    incidents = live.visible_incidents(district_id=district, language=get_language(), build=False)
    return {"incidents": incidents or [], "district": district}
