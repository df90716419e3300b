"""Public news pages: the list with topic and district filters, the detail page.

The list's results are rendered once per (items version, language, filter,
page) and kept in the cache until an editor changes anything (the version
bumps) or the next scheduled item's time comes (the entry's TTL ends then),
so a hit costs no query at all.
"""

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Min, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from citizens.access import has_staff_powers
from mycity.models import District

from ..forms import NewsFilterForm
from ..models import NewsItem, Topic
from ..services import items_version
from ..services.items import LATEST_KEY, latest_refresh

PAGE_SIZE = 12
MAX_TTL = 600


def ttl_until_next_scheduled(now=None) -> int:
    """Seconds a cached list may live: until the next scheduled item goes live (at most MAX_TTL)."""
    now = now or timezone.now()
    upcoming = NewsItem.objects.filter(
        status=NewsItem.Status.PUBLISHED, published_at__gt=now
    ).aggregate(at=Min("published_at"))["at"]
    if upcoming is None:
        return MAX_TTL
    return max(1, min(MAX_TTL, int((upcoming - now).total_seconds()) + 1))


def filter_choices() -> dict:
    key = f"news:choices:{items_version()}:{get_language()}"
    choices = cache.get(key)
    if choices is None:
        districts = list(District.objects.values_list("pk", "slug", "name"))
        choices = {
            "topics": [(t.slug, t.name) for t in Topic.objects.only("slug", "name_uk", "name_en")],
            "districts": [(slug, name) for _pk, slug, name in districts],
            "district_ids": {slug: pk for pk, slug, _name in districts},
        }
        cache.set(key, choices, MAX_TTL)
    return choices


def _page_number(raw) -> int:
    try:
        return max(1, min(int(raw), 10_000))
    except (TypeError, ValueError):
        return 1


@require_safe
def news_list(request):
    choices = filter_choices()
    form = NewsFilterForm(
        request.GET or None, topics=choices["topics"], districts=choices["districts"]
    )
    topic, district = form.values()
    number = _page_number(request.GET.get("page"))
    key = f"news:list:{items_version()}:{get_language()}:{topic}:{district}:{number}"
    results = cache.get(key)
    if results is None:
        now = timezone.now()
        items = NewsItem.objects.published(now).select_related("topic").in_order()
        if topic:
            items = items.filter(topic__slug=topic)
        if district:
            items = items.in_district(choices["district_ids"][district])
        page = Paginator(
            items.defer("body_uk", "body_en", "body_html_uk", "body_html_en"), PAGE_SIZE
        ).get_page(number)
        query = "&".join(
            f"{name}={value}" for name, value in (("topic", topic), ("district", district)) if value
        )
        results = render_to_string(
            "news/_rows.html", {"page": page, "query": query, "topic": topic}, request=None
        )
        cache.set(key, results, ttl_until_next_scheduled(now))
        if not cache.get(LATEST_KEY):
            latest_refresh(now)  # a cold cache: the home page's block is warmed here too
    return render(
        request,
        "news/list.html",
        {"form": form, "results": results, "topic": topic, "district": district},
    )


@require_safe
def news_detail(request, slug: str):
    # Editors preview drafts and scheduled items at their public address.
    preview = has_staff_powers(request.user) and request.user.has_perm("news.view_newsitem")
    items = NewsItem.objects.all() if preview else NewsItem.objects.published()
    item = (
        items.select_related("topic")
        .prefetch_related("districts")
        .filter(Q(slug_uk=slug) | Q(slug_en=slug))
        .first()
    )
    if item is None:
        raise Http404
    if item.slug != slug:
        # The link of the other language: the page lives at this language's slug.
        return redirect(item.get_absolute_url(), permanent=False)
    return render(
        request, "news/detail.html", {"item": item, "preview": preview and not item.is_live}
    )
