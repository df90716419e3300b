"""The register of points of help: public list, map, detail, GeoJSON; reports; the operator screen.

Thin views: forms are checked here, every change is in outages.services.
The public pages show the same to everyone in a language (the page cache
keeps them for anonymous visitors); the feed is cached per register version.
"""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache as django_cache
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mycity.lib import geocoder
from mycity.lib.ratelimit import rate_limited
from mycity.models import District

from .. import cache, feed
from ..forms import FilterForm, ReportForm, StatusForm
from ..models import HelpPoint, Kind, PointReport, PointStatus
from ..point_workflow import next_statuses
from ..services import (
    PointError,
    can_operate,
    get_point_for_operator,
    point_confirm,
    point_report,
    point_set_status,
    report_handle,
)

GEOCODE_CACHE_SECONDS = 24 * 3600


def _map_settings() -> dict:
    return {
        "lat": settings.MAP_CENTER[0],
        "lon": settings.MAP_CENTER[1],
        "zoom": settings.MAP_ZOOM,
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
    }


def _geocode(address: str):
    """The point of a typed address, asked once a day per text (a network round trip)."""
    text = " ".join(address.split()).lower()
    key = cache.key("geocode", text)
    found = django_cache.get(key)
    if found is None:
        found = geocoder.search(text) or ()
        django_cache.set(key, found, GEOCODE_CACHE_SECONDS)
    return tuple(found) or None


@require_GET
def points(request):
    """/points/: the register, filtered by kind and district, nearest first when asked."""
    districts = list(District.objects.all())
    geocoding = bool(settings.GEOCODER_URL)
    form = FilterForm(request.GET or None, districts=districts, geocoding=geocoding)
    rows = feed.public_points()
    near = None
    if form.is_bound:
        form.is_valid()
        # The fields that are valid still filter when another one is not.
        data = form.cleaned_data
        if data.get("kind"):
            rows = rows.filter(kind=data["kind"])
        if data.get("district") is not None:
            rows = rows.filter(district=data["district"])
        near = data.get("near")
        address = (data.get("address") or "").strip()
        if near is None and address:
            near = _geocode(address)
            if near is None:
                form.add_error("address", _("This address was not found in Kherson."))
    rows = list(rows)
    for row in rows:
        row.distance = None
    if near is not None:
        for row in rows:
            row.distance = feed.distance_m(near[0], near[1], row.latitude, row.longitude)
        rows.sort(key=lambda row: row.distance)
    return render(
        request,
        "outages/points.html",
        {
            "form": form,
            "points": rows,
            "near": near,
            "kinds": Kind.choices,
            "now": timezone.now(),
            # Staff who keep points get their screen's link; nobody else sees it.
            "operates": can_operate(request.user),
        },
    )


@require_GET
def point_detail(request, pk):
    point = get_object_or_404(feed.public_points(), pk=pk)
    return render(
        request,
        "outages/point.html",
        {"point": point, "form": ReportForm(), "map": _map_settings()},
    )


@rate_limited("point_report")
@require_POST
def point_report_view(request, pk):
    """A resident says the point is closed, not working or full (once per form)."""
    point = get_object_or_404(feed.public_points(), pk=pk)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            _report, created = point_report(
                point=point,
                problem=form.cleaned_data["problem"],
                comment=form.cleaned_data["comment"],
                reporter=request.user,
                key=form.cleaned_data["idempotency_key"],
            )
        except PointError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Thank you. The point's operators are told and will check it.")
                if created
                else _("Your report was already received."),
            )
            return redirect(point.get_absolute_url())
    return render(
        request,
        "outages/point.html",
        {"point": point, "form": form, "map": _map_settings()},
        status=400,
    )


@require_GET
def points_map(request):
    return render(request, "outages/map.html", {"map": _map_settings(), "kinds": Kind.choices})


@require_GET
def points_geojson(request):
    """The whole register as GeoJSON, kept until a point changes (outages/cache.py)."""
    body = cache.cached_data(
        cache.key("geojson"),
        lambda: json.dumps(
            feed.feature_collection(feed.public_points()), ensure_ascii=False
        ).encode(),
    )
    response = HttpResponse(body, content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=60"
    return response


# --- the operator screen ---------------------------------------------------------------


def _operator_or_refuse(request):
    """Anonymous: to the sign-in page; anyone not operating points: 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_operate(request.user):
        raise PermissionDenied
    return None


def _with_open_reports(queryset):
    return queryset.prefetch_related(
        Prefetch(
            "reports",
            queryset=PointReport.objects.filter(handled_at__isnull=True).order_by("-created_at"),
            to_attr="open_reports",
        )
    )


def _card_context(point) -> dict:
    allowed = set(next_statuses(point.status))
    return {
        "point": point,
        # Every status as a big button: the current one chosen, those the
        # table does not allow from it disabled.
        "choices": [
            (value, label, value == point.status, value != point.status and value not in allowed)
            for value, label in PointStatus.choices
        ],
    }


@require_GET
def operate(request):
    """/points/operate/: the operator's points, each with its status buttons and open reports."""
    refused = _operator_or_refuse(request)
    if refused is not None:
        return refused
    rows = _with_open_reports(
        HelpPoint.objects.operated_by(request.user).select_related("district")
    )
    cards = [_card_context(point) for point in rows]
    return render(request, "outages/operate.html", {"cards": cards, "now": timezone.now()})


def _after_change(request, point, *, error=None):
    """The card again (htmx), or back to the screen with a message."""
    if request.htmx:
        fresh = _with_open_reports(HelpPoint.objects.select_related("district")).get(pk=point.pk)
        context = {**_card_context(fresh), "error": error, "now": timezone.now()}
        return render(request, "outages/_operate_card.html", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    return redirect(f"{reverse('outages:points_operate')}#point-{point.pk}")


@require_POST
def operate_status(request, pk):
    refused = _operator_or_refuse(request)
    if refused is not None:
        return refused
    point = get_point_for_operator(request.user, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _after_change(request, point, error=_("Choose open, closed or full."))
    try:
        point = point_set_status(
            point=point,
            by=request.user,
            status=form.cleaned_data["status"],
            generator_on=form.cleaned_data["generator_on"],
        )
    except PointError as exc:
        return _after_change(request, point, error=str(exc))
    if not request.htmx:
        messages.success(
            request,
            _("%(point)s is now %(status)s.")
            % {"point": point.name, "status": point.get_status_display()},
        )
    return _after_change(request, point)


@require_POST
def operate_confirm(request, pk):
    refused = _operator_or_refuse(request)
    if refused is not None:
        return refused
    point = point_confirm(point=get_point_for_operator(request.user, pk), by=request.user)
    if not request.htmx:
        messages.success(request, _("Confirmed: %(point)s is as shown.") % {"point": point.name})
    return _after_change(request, point)


@require_POST
def operate_report_handled(request, pk):
    refused = _operator_or_refuse(request)
    if refused is not None:
        return refused
    try:
        report = PointReport.objects.select_related("point").get(pk=pk)
    except (PointReport.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None
    report = report_handle(report=report, by=request.user)
    if not request.htmx:
        messages.success(request, _("The report is marked handled."))
    return _after_change(request, report.point)
