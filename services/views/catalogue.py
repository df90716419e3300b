"""Public pages: the catalogue with search and categories, a service, the centres.

Their main part is the same for every visitor in a language: it is rendered
once and cached (services/cache.py); only the page around it is per request.
"""

from django.conf import settings
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import cache, selectors
from ..models import Service, ServiceCategory, ServiceCentre


def _catalogue_context(query: str, category_slug: str) -> dict:
    categories = list(ServiceCategory.objects.all())
    current = next((c for c in categories if c.slug == category_slug), None)
    services = Service.objects.active().select_related("category")
    if current is not None:
        services = services.filter(category=current)
    if query:
        services = services.search(query)
    services = list(services)
    groups = [
        (category, [s for s in services if s.category_id == category.pk]) for category in categories
    ]
    return {
        "query": query,
        "categories": categories,
        "current": current,
        "groups": [(category, items) for category, items in groups if items],
        "found": len(services),
    }


@require_GET
def catalogue(request):
    """/services/: every published service by category; ?q= searches, ?category= filters."""
    query = request.GET.get("q", "").strip()[:100]
    category_slug = request.GET.get("category", "")[:60]
    context = {}

    def body():
        context.update(_catalogue_context(query, category_slug))
        return render_to_string("services/_catalogue_body.html", context)

    html = cache.cached_html(cache.key("catalogue", query, category_slug), body)
    return render(request, "services/catalogue.html", {"body": html, **context})


@require_GET
def detail(request, slug):
    service = get_object_or_404(
        Service.objects.active().select_related("category", "department"), slug=slug
    )
    context = {"service": service}

    def body():
        context["centres"] = selectors.centres_with_hours(service.centres.filter(is_active=True))
        return render_to_string("services/_detail_body.html", context)

    html = cache.cached_html(cache.key("detail", service.pk, per_minute=True), body)
    return render(request, "services/detail.html", {"body": html, **context})


@require_GET
def centres(request):
    """The centres on a map and as a list, with "open now" and the week's hours."""
    context = {}

    def body():
        context.update(
            {
                "centres": selectors.centres_with_hours(
                    ServiceCentre.objects.filter(is_active=True)
                ),
                "now": timezone.now(),
                "map": {
                    "lat": settings.MAP_CENTER[0],
                    "lon": settings.MAP_CENTER[1],
                    "zoom": settings.MAP_ZOOM,
                    "tiles": settings.MAP_TILE_URL,
                    "attribution": settings.MAP_TILE_ATTRIBUTION,
                },
            }
        )
        return render_to_string("services/_centres_body.html", context)

    html = cache.cached_html(cache.key("centres", per_minute=True), body)
    return render(request, "services/centres.html", {"body": html, **context})
