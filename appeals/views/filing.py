"""Filing an appeal: /requests/new/ (kind and category, then the form) and duplicate hints."""

from itertools import groupby
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from mycity.incidents import is_following
from mycity.lib.ratelimit import rate_limited

from ..forms import AppealForm
from ..models import Category, Kind
from ..services import AppealError, appeal_submit
from ..services.duplicates import similar_open_appeals
from ..services.incidents import known_outage

KIND_HINTS = {
    Kind.PROBLEM: gettext_lazy(
        "Something is wrong at a place: a pothole, a dark street, rubbish, a damaged shelter."
    ),
    Kind.PROPOSAL: gettext_lazy("An idea to make the city better. Other residents can support it."),
    Kind.APPLICATION: gettext_lazy(
        "Ask the city to do something for you or to recognise a right: help, a permit, a repair."
    ),
    Kind.COMPLAINT: gettext_lazy(
        "A city body or official violated your rights or handled your request badly."
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("appeal")
def new(request):
    """Step 1 (?kind=, then &category=) chooses; step 2 is the form for that pair."""
    kind = request.GET.get("kind", "")
    if kind not in Kind.values:
        return _choose(request, kind=None)
    category = _category(request.GET.get("category", ""), kind)
    if category is None:
        return _choose(request, kind=Kind(kind), unknown=bool(request.GET.get("category")))

    if request.method == "POST":
        form = AppealForm(
            request.POST, request.FILES, kind=kind, category=category, author=request.user
        )
        if form.is_valid():
            try:
                appeal, created = appeal_submit(author=request.user, **form.submit_kwargs())
            except AppealError as exc:
                form.add_error(None, str(exc))
            else:
                if _wants_json(request):
                    return _submitted_json(appeal, created=created)
                messages.success(
                    request,
                    _(
                        "Your request %(reference)s is registered. The answer is due by "
                        "%(deadline)s. We sent a confirmation by e-mail."
                    )
                    % {
                        "reference": appeal.reference,
                        "deadline": appeal.deadline.strftime("%d.%m.%Y"),
                    },
                )
                if created and appeal.incident_id and appeal.incident.is_active:
                    messages.info(
                        request,
                        _(
                            "It is part of the known outage “%(title)s”: the city's answer "
                            "on the outage will come to your request too."
                        )
                        % {"title": appeal.incident.title},
                    )
                return redirect(appeal)
        if _wants_json(request):
            return _refused_json(form)
    else:
        point = _point(request.GET)
        initial = {"latitude": point[0], "longitude": point[1]} if point else {}
        form = AppealForm(kind=kind, category=category, initial=initial, author=request.user)
    point = _point(request.POST if form.is_bound else request.GET)
    similar = []
    if kind == Kind.PROBLEM and point is not None:
        similar = similar_open_appeals(category=category, latitude=point[0], longitude=point[1])
    return render(
        request,
        "appeals/new_form.html",
        {
            "form": form,
            "kind": Kind(kind),
            "category": category,
            "similar": similar,
            "outage": _outage(request, category=category, kind=kind, point=point),
            "photos_lost": form.is_bound and bool(request.FILES.getlist("photos")),
            "map": _map_settings(),
        },
    )


def _wants_json(request) -> bool:
    # A request kept on the device while offline (static/js/outbox.js) is sent
    # by script later and wants the outcome as data, not a page.
    return request.headers.get("Accept", "").startswith("application/json")


def _submitted_json(appeal, *, created: bool) -> JsonResponse:
    return JsonResponse(
        {
            "reference": appeal.reference,
            "url": appeal.get_absolute_url(),
            "created": created,
            "deadline": appeal.deadline.isoformat() if appeal.deadline else None,
        },
        status=201 if created else 200,
    )


def _refused_json(form) -> JsonResponse:
    errors = [str(error) for errors in form.errors.values() for error in errors]
    return JsonResponse(
        {"message": " ".join(errors), "errors": form.errors.get_json_data()}, status=400
    )


@require_GET
def similar(request):
    """The “Is it one of these?” partial (appeal-form.js fetches it as the pin moves)."""
    category = Category.objects.filter(slug=request.GET.get("category", ""), is_active=True).first()
    point = _point(request.GET)
    found = []
    if category is not None and point is not None:
        found = similar_open_appeals(category=category, latitude=point[0], longitude=point[1])
    outage = None
    if category is not None:
        outage = _outage(request, category=category, kind=Kind.PROBLEM, point=point)
    return render(request, "appeals/_similar.html", {"similar": found, "outage": outage})


def _clock(moment) -> str:
    """07:40 today; 06.12 07:40 on another day."""
    local = timezone.localtime(moment)
    if local.date() == timezone.localdate():
        return local.strftime("%H:%M")
    return local.strftime("%d.%m %H:%M")


def _outage(request, *, category, kind: str, point) -> dict | None:
    """The known outage at the pin, offered to follow instead of (or before) filing."""
    if point is None:
        return None
    incident = known_outage(category=category, kind=kind, latitude=point[0], longitude=point[1])
    if incident is None:
        return None
    back = (
        reverse("appeals:new")
        + "?"
        + urlencode(
            {"kind": kind, "category": category.slug, "latitude": point[0], "longitude": point[1]}
        )
    )
    following = is_following(incident=incident, user=request.user)
    return {
        "incident": incident,
        "since": _clock(incident.started_at),
        "until": _clock(incident.expected_at) if incident.expected_at else "",
        "back": back,
        "following": following,
    }


def _choose(request, *, kind: Kind | None, unknown: bool = False):
    groups = []
    if kind is not None:
        if unknown:
            messages.warning(request, _("Choose one of the categories below."))
        categories = sorted(
            (
                c
                for c in Category.objects.filter(is_active=True).select_related("group")
                if c.accepts(kind)
            ),
            key=lambda c: (c.group.ordering, c.group.name, c.group_id, c.ordering, c.name),
        )
        groups = [(group, list(items)) for group, items in groupby(categories, lambda c: c.group)]
    kinds = [(k, KIND_HINTS[k]) for k in Kind]
    return render(
        request, "appeals/new_choose.html", {"kind": kind, "kinds": kinds, "groups": groups}
    )


def _category(slug: str, kind: str) -> Category | None:
    if not slug:
        return None
    category = (
        Category.objects.filter(slug=slug, is_active=True)
        .prefetch_related("questions__choices")
        .first()
    )
    return category if category is not None and category.accepts(kind) else None


def _point(data) -> tuple[float, float] | None:
    try:
        lat, lon = float(data.get("latitude", "")), float(data.get("longitude", ""))
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also false for NaN
        return None
    return lat, lon


def _map_settings() -> dict:
    return {
        "lat": settings.MAP_CENTER[0],
        "lon": settings.MAP_CENTER[1],
        "zoom": settings.MAP_ZOOM,
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
    }
