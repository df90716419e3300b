"""Factories for news items, topics and alerts. Items and alerts are saved through the services."""

import datetime as dt

import factory
from django.test import TestCase
from django.utils import timezone
from factory.django import DjangoModelFactory

from news.models import Alert, AlertKind, NewsItem, Severity, Topic
from news.services import alert_publish, alert_save, newsitem_save


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name_uk = factory.Sequence(lambda n: f"Тема {n}")
    name_en = factory.Sequence(lambda n: f"Topic {n}")


_counter = iter(range(1, 10**9))


def committed():
    """Run what the code queued for after commit (tests run inside one transaction)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def make_item(
    *,
    title_uk=None,
    title_en=None,
    body_uk="Текст новини.",
    body_en="News text.",
    topic=None,
    districts=None,
    status=NewsItem.Status.PUBLISHED,
    published_at=None,
    pinned=False,
    cover_upload=None,
) -> NewsItem:
    n = next(_counter)
    item = NewsItem(
        title_uk=title_uk or f"Новина номер {n}",
        title_en=title_en or f"News item {n}",
        lead_uk=f"Коротко про новину {n}.",
        lead_en=f"News {n} in short.",
        body_uk=body_uk,
        body_en=body_en,
        topic=topic or TopicFactory(slug="city", name_uk="Місто", name_en="City"),
        status=status,
        published_at=published_at or timezone.now() - dt.timedelta(minutes=n % 50 + 1),
        pinned=pinned,
    )
    with committed():
        return newsitem_save(item=item, districts=districts, cover_upload=cover_upload)


def make_alert(
    *,
    districts=(),
    whole_city=False,
    severity=Severity.CRITICAL,
    kind=AlertKind.SHELTER,
    publish=True,
    starts_at=None,
    ends_at=None,
    title_uk="Укриття на вул. Перекопській зачинене",
    title_en="The shelter on Perekopska St is closed",
    geometry=None,
) -> Alert:
    alert = Alert(
        kind=kind,
        severity=severity,
        whole_city=whole_city,
        title_uk=title_uk,
        title_en=title_en,
        text_uk="Користуйтеся укриттям у школі №5.",
        text_en="Use the shelter in school 5.",
        starts_at=starts_at or timezone.now() - dt.timedelta(minutes=1),
        ends_at=ends_at,
        geometry=geometry,
    )
    with committed():
        alert_save(alert=alert, districts=list(districts) if not whole_city else [])
        if publish:
            alert = alert_publish(alert=alert)
    return alert
