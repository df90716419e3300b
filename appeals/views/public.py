"""Public pages of appeals: the list with filters and search, the map and its data.

Only `Appeal.objects.public()` is ever read here: accepted or later, public,
not in a sensitive category. The map data carries the approximate point
(rounded as Appeal.approximate_location rounds it), never the exact one.
"""

import hashlib
import math
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from mycity import pagecache
from mycity.lib.cache import recomputed_once
from mycity.lib.pagination import EstimatedCountPaginator
from mycity.lib.replica import read_alias, replica

from .. import mapdata
from ..filters import AppealFilterForm
from ..mapdata import MAP_LIMIT
from ..models import Appeal, AppealPhoto, public_point_within
from ..search import typo_tolerance
from ..statistics import STATISTICS_DAYS, department_statistics
from ..workflow import Status

PAGE_SIZE = 20
# A search lists its first 1,000 matches; more words or a filter narrow it.
SEARCH_PAGES = 50
LIST_CACHE_SECONDS = 60
MAP_CACHE_SECONDS = 60
STATISTICS_CACHE_SECONDS = 600
# A reference that matches the URL converter, replaced by each feature's own.
_REF_PLACEHOLDER = "XX-0000-000000"


@require_safe
def appeal_list(request):
    form = AppealFilterForm(request.GET, with_choices=not request.htmx)
    # The results are the same for everyone who asks the same question in the
    # same language: rendered once a minute, not on every request (the count
    # and the ordered page cost ~50 ms at 20,000 appeals).
    # When the copy is due, one request renders it again while the others serve the
    # previous one: at a million appeals a crowd rendering at once would stall the site.
    key = _results_key(request, "list")
    rows = recomputed_once(key, LIST_CACHE_SECONDS, lambda: _render_results(request, form))
    # A history restore after the cache was lost needs the whole page.
    partial = request.htmx and not request.htmx.history_restore_request
    if partial:
        response = HttpResponse(rows)
    else:
        response = render(request, "appeals/list.html", {"form": form, "results": rows})
    # The same URL answers htmx with a fragment: caches must keep the two apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_safe
def appeal_statistics(request):
    """Per department: open, overdue now, answered, answered late (Art. 20), in every status.

    Counts only, never a request's content, so every registered request is
    counted, private ones too. Rendered once per 10 minutes per language.
    """
    key = f"appeals:statistics:{get_language()}"
    table = recomputed_once(
        key,
        STATISTICS_CACHE_SECONDS,
        lambda: render_to_string(
            "appeals/_statistics.html",
            {
                "rows": department_statistics(replica(Appeal.objects.all())),
                "days": STATISTICS_DAYS,
            },
            request=request,
        ),
    )
    return render(request, "appeals/statistics.html", {"table": table})


def _results_key(request, prefix: str) -> str:
    question = urlencode(sorted(request.GET.lists()), doseq=True)
    digest = hashlib.sha256(question.encode()).hexdigest()[:32]
    # With the appeals' page version: a moderated or hidden appeal leaves the list at once.
    return f"appeals:{prefix}:{pagecache.version('appeals')}:{get_language()}:{digest}"


def _render_results(request, form) -> str:
    photos = (
        AppealPhoto.objects.filter(appeal=OuterRef("pk"), is_public=True)
        .order_by()
        .values("appeal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    appeals = (
        form.apply(replica(Appeal.objects.public()))
        .select_related("category", "district")
        .defer("description", "search_text", "extra_answers")
        .annotate(photo_count=Coalesce(Subquery(photos, output_field=IntegerField()), 0))
    )
    with typo_tolerance(Appeal, needed="q" in form.filters(), using=read_alias()):
        # A word search past its first pages costs seconds at a million appeals.
        searched = "q" in form.filters()
        paginator = EstimatedCountPaginator(
            appeals,
            PAGE_SIZE,
            max_pages=SEARCH_PAGES if searched else None,
            estimate_first=searched,
            # Past the pages it shows, a search's exact count is not worth its cost.
            cap=SEARCH_PAGES * PAGE_SIZE if searched else None,
        )
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = list(page.object_list)
    context = {"form": form, "page": page, "query": _query_without_page(request)}
    return render_to_string("appeals/_rows.html", context, request=request)


@require_safe
def appeal_map(request):
    form = AppealFilterForm(request.GET, with_choices=True)
    return render(
        request,
        "appeals/map.html",
        {
            "form": form,
            "query": _query_without_page(request),
            "map": {
                "tiles": settings.MAP_TILE_URL,
                "attribution": settings.MAP_TILE_ATTRIBUTION,
                "lat": settings.MAP_CENTER[0],
                "lon": settings.MAP_CENTER[1],
                "zoom": settings.MAP_ZOOM,
            },
        },
    )


@require_safe
def map_data(request):
    """GeoJSON of the public appeals in `bbox` (west,south,east,north), newest first."""
    bbox = _parse_bbox(request.GET.get("bbox", ""))
    if bbox is None:
        return JsonResponse(
            {"error": _("Give the visible area as bbox=west,south,east,north in degrees.")},
            status=400,
        )
    form = AppealFilterForm(request.GET)
    # By the rounded point: a box shrunk step by step must not find the exact one.
    visible = form.apply(replica(Appeal.objects.public())).filter(
        public_point_within(south=bbox[1], north=bbox[3], west=bbox[0], east=bbox[2])
    )
    rows = visible.values_list(
        "reference",
        "title",
        "status",
        "kind",
        "latitude",
        "longitude",
        "category__icon",
        "public_address",
    )
    grid = None
    with typo_tolerance(Appeal, needed="q" in form.filters(), using=read_alias()):
        if mapdata.wants_grid(*bbox):
            rows = list(rows[: mapdata.CLUSTER_MIN + 1])
            if len(rows) > mapdata.CLUSTER_MIN:
                grid = mapdata.cell_size(*bbox)
                features = mapdata.cached_grid(form, bbox, grid)
        else:
            rows = list(rows[: MAP_LIMIT + 1])
    truncated = grid is None and len(rows) > MAP_LIMIT
    if grid is None:
        url = reverse("appeals:detail", args=[_REF_PLACEHOLDER])
        features = mapdata.point_features(
            rows[:MAP_LIMIT],
            labels={status.value: str(status.label) for status in Status},
            url_of=lambda reference: url.replace(_REF_PLACEHOLDER, reference),
        )
    response = JsonResponse(
        {
            "type": "FeatureCollection",
            "features": features,
            "truncated": truncated,
            "limit": MAP_LIMIT,
            # Set when the features are grid cells ({"count": n}): the cell's
            # side in thousandths of a degree.
            "grid": grid,
            # The live outages' areas, a layer of their own (few, whatever the box).
            "incidents": {"type": "FeatureCollection", "features": mapdata.incident_features()},
        },
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
    patch_cache_control(response, public=True, max_age=MAP_CACHE_SECONDS)
    # Status labels follow the visitor's language (cookie or browser).
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


def _parse_bbox(value: str) -> tuple[float, float, float, float] | None:
    parts = value.split(",")
    if len(parts) != 4:
        return None
    try:
        west, south, east, north = (float(part) for part in parts)
    except ValueError:
        return None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        return None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        return None
    return west, south, east, north


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
