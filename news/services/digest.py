"""The daily news digest: once a day, to residents who asked for it, in their language."""

import datetime as dt
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from citizens.notifications.services import notify

from ..models import DigestRun, NewsItem, Subscription

MAX_ITEMS = 15


def _lines(items: list[NewsItem], lang: str) -> str:
    with translation.override(lang):
        return "\n".join(
            f"• {getattr(item, f'title_{lang}') or item.title_uk}" for item in items[:MAX_ITEMS]
        )


def digest_send(*, now=None) -> int:
    """Send today's digest (the news since the last one) to every subscriber with news to read.

    A DigestRun row per day (unique) is written in the same transaction as
    the notifications, so a second run on the same day sends nothing.
    Returns the number of residents told.
    """
    now = now or timezone.now()
    day = timezone.localdate(now)
    last = DigestRun.objects.order_by("-day").first()
    since = last.until if last else now - dt.timedelta(days=1)
    try:
        with transaction.atomic():
            run = DigestRun.objects.create(day=day, since=since, until=now)
            items = list(
                NewsItem.objects.published(now)
                .filter(published_at__gt=since)
                .order_by("-pinned", "-published_at")
            )
            if not items:
                return 0
            item_districts = defaultdict(set)
            for item_id, district_id in NewsItem.districts.through.objects.filter(
                newsitem_id__in=[i.pk for i in items]
            ).values_list("newsitem_id", "district_id"):
                item_districts[item_id].add(district_id)
            subs = list(Subscription.objects.filter(digest=True, user__is_active=True))
            topics, districts = defaultdict(set), defaultdict(set)
            for sub_id, topic_id in Subscription.digest_topics.through.objects.filter(
                subscription__in=subs
            ).values_list("subscription_id", "topic_id"):
                topics[sub_id].add(topic_id)
            for sub_id, district_id in Subscription.digest_districts.through.objects.filter(
                subscription__in=subs
            ).values_list("subscription_id", "district_id"):
                districts[sub_id].add(district_id)
            groups = defaultdict(list)
            for sub in subs:
                chosen = tuple(
                    item.pk
                    for item in items
                    if (not topics[sub.pk] or item.topic_id in topics[sub.pk])
                    and (
                        not districts[sub.pk]
                        or not item_districts[item.pk]
                        or item_districts[item.pk] & districts[sub.pk]
                    )
                )
                if chosen:
                    groups[chosen].append(sub.user_id)
            by_id = {item.pk: item for item in items}
            told = 0
            for chosen, user_ids in groups.items():
                picked = [by_id[pk] for pk in chosen]
                told += notify(
                    recipients=user_ids,
                    event="news.digest",
                    context={
                        "count": len(picked),
                        "items": {"uk": _lines(picked, "uk"), "en": _lines(picked, "en")},
                    },
                    url="/news/",
                )
            run.recipients = told
            run.save(update_fields=["recipients"])
            return told
    except IntegrityError:
        return 0  # today's digest has gone out already
