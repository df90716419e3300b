"""Web push endpoints: register and remove a device, and the service worker itself;
removing an app phone from the settings page.

subscribe/unsubscribe are called by static/js/push.js with a JSON body and
the CSRF token in X-CSRFToken; unsubscribe is also a plain form on the
notification settings page, so removing a device works without JavaScript.
"""

import json
import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.staticfiles import finders
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import devices, push
from ..services import NotificationError

SERVICE_WORKER = "js/sw.js"


def _wants_json(request) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def _json_body(request) -> dict:
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise NotificationError(_("The request is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise NotificationError(_("The request is not valid JSON."))
    return data


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _signed_in(request) -> HttpResponse | None:
    """None for a signed-in person; otherwise 401 for scripts, the login page for forms."""
    if request.user.is_authenticated:
        return None
    if _wants_json(request):
        return _error(_("Sign in to manage notifications."), status=401)
    return redirect_to_login(reverse("notifications:settings"))


@require_POST
def subscribe(request):
    """Store the PushSubscription.toJSON() this browser sends."""
    refused = _signed_in(request)
    if refused:
        return refused
    if not push.is_configured():
        return _error(_("Push notifications are not available on this site."), status=404)
    try:
        data = _json_body(request)
        keys = data.get("keys")
        if not isinstance(keys, dict):
            raise NotificationError(_("The subscription has no keys."))
        subscription, created = push.push_subscribe(
            user=request.user,
            endpoint=data.get("endpoint"),
            p256dh=keys.get("p256dh"),
            auth=keys.get("auth"),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except NotificationError as exc:
        return _error(str(exc))
    return JsonResponse(
        {"id": subscription.pk, "device": subscription.user_agent, "created": created},
        status=201 if created else 200,
    )


@require_POST
def unsubscribe(request):
    """Remove one of the person's devices: JSON {endpoint} or a form field `endpoint`."""
    refused = _signed_in(request)
    if refused:
        return refused
    as_json = request.content_type == "application/json"
    if as_json:
        try:
            endpoint = _json_body(request).get("endpoint")
        except NotificationError as exc:
            return _error(str(exc))
    else:
        endpoint = request.POST.get("endpoint")
    removed = isinstance(endpoint, str) and push.push_unsubscribe(
        user=request.user, endpoint=endpoint
    )
    if as_json:
        if not removed:
            return _error(_("This device is not in your list."), status=404)
        return JsonResponse({"removed": True})
    if removed:
        messages.success(request, _("The device will no longer receive notifications."))
    else:
        messages.error(request, _("This device is not in your list."))
    return redirect("notifications:settings")


@require_POST
def device_remove(request, pk: int):
    """Remove one of the person's app phones (a form on the settings page)."""
    refused = _signed_in(request)
    if refused:
        return refused
    device = request.user.devices.filter(pk=pk).first()
    # Someone else's phone is never touched, and the answer is the same as for none.
    if device and devices.device_remove(
        user=request.user, token=device.token, provider=device.provider
    ):
        messages.success(request, _("The phone will no longer receive notifications."))
    else:
        messages.error(request, _("This device is not in your list."))
    return redirect("notifications:settings")


def _worker(path: str) -> bytes:
    """sw.js with each "/static/…" string under the name the storage serves it by.

    In production that is collectstatic's hashed name, cached for a year, so the
    worker precaches and imports files whose content cannot change under it,
    and a deployment that changes one of them changes the worker too.
    """
    prefix = re.escape(settings.STATIC_URL)
    source = Path(path).read_text(encoding="utf-8")
    return re.sub(
        rf"([\"'])(?:{prefix})([^\"']+)\1",
        lambda found: f"{found[1]}{static(found[2])}{found[1]}",
        source,
    ).encode()


@cache
def _cached_worker(path: str) -> bytes:
    return _worker(path)


@require_GET
def service_worker(request):
    """static/js/sw.js from the site root, so that its scope can be the whole site.

    Served whether or not push is configured: the offline app uses it too.
    """
    path = finders.find(SERVICE_WORKER)
    if not path:
        raise Http404
    # Re-read on every request while developing; cached per process otherwise.
    content = _worker(path) if settings.DEBUG else _cached_worker(path)
    response = HttpResponse(content, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker at most daily anyway; never serve a stale one.
    response["Cache-Control"] = "no-cache"
    return response
