"""Celery tasks: thin wrappers that call the services."""

from celery import shared_task
from django.core.cache import cache

from mycity import pagecache

from . import live
from .services import alert_places_tell, alerts_notify_due, digest_send
from .services.items import latest_refresh

# What the pages showed at the last sweep: the alerts live then and the latest news.
SHOWN_KEY = "news:pages-shown"


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def notify_due_alerts() -> int:
    """Tell residents about alerts whose start has come; refresh the banner and home caches.

    The refresh also repairs a flushed or restarted Redis within one period.
    """
    sent = alerts_notify_due()
    live.refresh()
    latest = latest_refresh()
    pages_follow_the_clock(latest)
    return sent


def pages_follow_the_clock(latest: dict) -> None:
    """An alert that starts or ends, an incident, or news whose time has come, changes what
    every page shows without a row changing: the kept copies of the pages
    (mycity/pagecache.py) are dropped when the sweep sees the difference."""
    alerts = live.visible_alerts(district_id=None, language="uk") or []
    incidents = live.visible_incidents(district_id=None, language="uk") or []
    shown = (
        tuple(sorted(alert["id"] for alert in alerts)),
        tuple(sorted(incident["id"] for incident in incidents)),
        tuple(item["url"] for item in latest["items"].get("uk", [])),
    )
    if cache.get(SHOWN_KEY) != shown:
        cache.set(SHOWN_KEY, shown, None)
        pagecache.bump("news")


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_daily_digest() -> int:
    return digest_send()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def tell_saved_places(alert_id: int, what: str) -> int:
    """Tell the saved places inside an alert's area that it started or is over (once each)."""
    return alert_places_tell(alert_id=alert_id, what=what)
