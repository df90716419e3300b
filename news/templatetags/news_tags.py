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
