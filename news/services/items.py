"""Writing news items: Markdown rendered and sanitised, slugs fixed, covers resized."""

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from ..images import cover_renditions, delete_renditions
from ..models import NewsItem
from ..rendering import markdown_to_html, slugify_title
from .common import NewsError

LANGUAGES = ("uk", "en")
# Bumped on every change: the list, detail, feeds and home page read it in their cache keys.
VERSION_KEY = "news:items:version"


def items_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, None)
    return version


def _bump_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)
    latest_refresh()


LATEST_KEY = "news:latest:v1"
LATEST_SIZE = 10


def latest_refresh(now=None) -> dict:
    """Rebuild the home page's latest news (both languages) in the cache; 2 queries.

    Run after every change (on commit), by the beat task and by the news list
    on a miss, so the home page itself never queries: see news_tags.latest_news.
    """
    from django.utils import timezone

    now = now or timezone.now()
    items = list(
        NewsItem.objects.published(now)
        .select_related("topic")
        .only(
            "title_uk",
            "title_en",
            "slug_uk",
            "slug_en",
            "pinned",
            "published_at",
            "topic__name_uk",
            "topic__name_en",
        )
        .in_order()[:LATEST_SIZE]
    )
    upcoming = (
        NewsItem.objects.filter(status=NewsItem.Status.PUBLISHED, published_at__gt=now)
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
    data = {"next_at": upcoming, "items": {}}
    for lang in LANGUAGES:
        data["items"][lang] = [
            {
                "title": getattr(item, f"title_{lang}") or item.title_uk,
                "url": reverse(
                    "news:detail", kwargs={"slug": getattr(item, f"slug_{lang}") or item.slug_uk}
                ),
                "topic": getattr(item.topic, f"name_{lang}") or item.topic.name_uk,
                "pinned": item.pinned,
                "published_at": item.published_at,
            }
            for item in items
        ]
    cache.set(LATEST_KEY, data, None)
    return data


# Paths beside the items' own under /news/ and /api/v1/news/.
RESERVED_SLUGS = frozenset({"subscription", "subscriptions", "feed"})


def _unique_slug(base: str, pk) -> str:
    # Unique across both languages: /news/<slug>/ finds an item by either.
    slug, n = base, 2
    taken = NewsItem.objects.exclude(pk=pk) if pk else NewsItem.objects.all()
    while slug in RESERVED_SLUGS or taken.filter(Q(slug_uk=slug) | Q(slug_en=slug)).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def newsitem_save(*, item: NewsItem, author=None, cover_upload=None, districts=None) -> NewsItem:
    """Validate and save a news item (new or edited) with its rendered body, slugs and cover.

    The body is rendered to sanitised HTML per language. A slug is made once
    per language from the title and kept when the title changes, so shared
    links never break. A new cover is re-encoded into several widths and the
    old renditions removed after commit. Scheduled items need nothing more:
    the public pages filter by publish time.
    """
    for lang in LANGUAGES:
        setattr(item, f"body_html_{lang}", markdown_to_html(getattr(item, f"body_{lang}") or ""))
        if not getattr(item, f"slug_{lang}"):
            base = slugify_title(getattr(item, f"title_{lang}") or item.title_uk or "")
            setattr(item, f"slug_{lang}", _unique_slug(base, item.pk))
    if item.author_id is None and author is not None:
        item.author = author
    old_sizes = None
    if cover_upload is not None:
        try:
            sizes = cover_renditions(cover_upload)
        except Exception as exc:
            raise NewsError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        old_sizes = item.cover_sizes or None
        item.cover_sizes = sizes
        item.cover.name = sizes[str(max(int(k) for k in sizes if k.isdigit()))]
    item.full_clean(exclude=["cover", "slug", "slug_uk", "slug_en"])
    with transaction.atomic():
        item.save()
        if districts is not None:
            item.districts.set(districts)
        transaction.on_commit(_bump_version)
        if old_sizes:
            transaction.on_commit(lambda: delete_renditions(old_sizes))
    return item


def newsitem_set_status(*, item: NewsItem, status: str) -> NewsItem:
    """Publish or take back to draft (the admin's bulk actions)."""
    if status not in NewsItem.Status.values:
        raise NewsError(_("Unknown status."))
    if item.status != status:
        item.status = status
        item.save(update_fields=["status", "updated_at"])
        transaction.on_commit(_bump_version)
    return item


def newsitem_delete(*, item: NewsItem) -> None:
    sizes = item.cover_sizes or None
    item.delete()
    transaction.on_commit(_bump_version)
    if sizes:
        transaction.on_commit(lambda: delete_renditions(sizes))
