"""Public incident pages: the list of outages and one outage with its updates."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mycity.incidents import incident_follow as follow
from mycity.incidents import incident_unfollow as unfollow
from mycity.incidents import is_following, linked_appeals_count
from mycity.models import Incident


def map_settings() -> dict:
    lat, lon = settings.MAP_CENTER
    return {
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        "lat": lat,
        "lon": lon,
        "zoom": settings.MAP_ZOOM,
    }


def area_geojson(incident: Incident) -> dict | None:
    """The area to draw: the drawn polygon, else the districts' boundaries (none: whole city)."""
    if incident.area:
        geometries = [incident.area]
    else:
        geometries = [d.boundary for d in incident.districts.all()]
    if not geometries:
        return None
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": g, "properties": {}} for g in geometries],
    }


def incident_list(request):
    incidents = Incident.objects.public().prefetch_related("districts")
    return render(
        request,
        "outages/incident_list.html",
        {
            "active": list(incidents.active().in_order()),
            "recent": list(incidents.recent().in_order()[:20]),
        },
    )


def incident_detail(request, pk: int):
    incident = get_object_or_404(Incident.objects.public().prefetch_related("districts"), pk=pk)
    following = is_following(incident=incident, user=request.user)
    return render(
        request,
        "outages/incident_detail.html",
        {
            "incident": incident,
            "updates": list(incident.updates.all()[:50]),
            "following": following,
            "reports": linked_appeals_count(incident),
            "area": area_geojson(incident),
            "map": map_settings(),
        },
    )


@require_POST
@login_required
def incident_follow(request, pk: int):
    incident = get_object_or_404(Incident.objects.public(), pk=pk)
    if request.POST.get("unfollow"):
        unfollow(incident=incident, user=request.user)
        messages.info(request, _("You no longer follow this outage."))
    elif follow(incident=incident, user=request.user):
        messages.success(request, _("You follow this outage: you will hear when it is over."))
    else:
        messages.info(request, _("This outage is over."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = incident.get_absolute_url()
    return redirect(target)
