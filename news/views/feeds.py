"""Atom and RSS feeds per language (and per topic), from django.contrib.syndication.

The language is in the URL (/news/feed/en/atom/), not the visitor's cookie:
a feed reader has no cookie and a feed's URL must always say the same thing.
Responses are cached per items version, so a reader polling every minute
costs no query.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from ..models import NewsItem, Topic
from ..services import items_version
from .items import ttl_until_next_scheduled

FEED_SIZE = 30


class NewsFeed(Feed):
    feed_type = Rss201rev2Feed

    def __call__(self, request, *args, **kwargs):
        lang = kwargs.get("lang")
        if lang not in dict(settings.LANGUAGES):
            raise Http404
        key = f"news:feed:{items_version()}:{self.feed_type.__name__}:{request.path}"
        cached = cache.get(key)
        if cached is not None:
            return cached
        with translation.override(lang):
            response = super().__call__(request, *args, **kwargs)
        cache.set(key, response, ttl_until_next_scheduled())
        return response

    def get_object(self, request, lang, topic=None):
        self.lang = lang
        if topic is None:
            return None
        return get_object_or_404(Topic, slug=topic)

    def title(self, obj):
        site = _("My City · Kherson")
        if obj is None:
            return _("%(site)s: news") % {"site": site}
        return _("%(site)s: %(topic)s") % {"site": site, "topic": obj.name}

    def link(self, obj):
        base = "/news/"
        return f"{base}?topic={obj.slug}" if obj else base

    def description(self, obj):
        return _("News of the Kherson city administration.")

    def feed_url(self, obj):
        return self.request_path

    def get_feed(self, obj, request):
        self.request_path = request.path
        return super().get_feed(obj, request)

    def items(self, obj):
        items = NewsItem.objects.published(timezone.now()).select_related("topic")
        if obj is not None:
            items = items.filter(topic=obj)
        return items.order_by("-published_at", "-pk")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.body_html

    def item_link(self, item):
        return item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.topic.name]

    def item_guid(self, item):
        return f"{settings.SITE_URL}/news/item/{item.pk}"

    item_guid_is_permalink = False


class AtomNewsFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description
