"""Error pages in the visitor's language, each a full page with the site's header."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

# Seconds after which a client may try again when the database is away: about
# what a PostgreSQL restart or a failover takes.
DATABASE_RETRY_AFTER = 30


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # Django calls this inside its `except`: the exception is still at hand.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    # No context processors: whatever broke may be among them.
    return HttpResponseServerError(loader.get_template("500.html").render())


def database_unavailable(request):
    """503 with Retry-After: the database cannot be reached (or dropped the connection).

    Django's connections reconnect by themselves on the next request, so this
    is a "try again shortly", not an error page. The page is rendered without
    the request's context processors (they read the database: the person,
    their notifications) and keeps what was typed in a form to send again; a
    JSON caller (the offline outbox, the API) gets a short body, and the
    outbox keeps the request and retries.
    """
    message = _(
        "The site is temporarily unavailable. Please try again in a minute; what you typed is kept."
    )
    if _wants_json(request):
        response = JsonResponse(
            {"detail": message, "message": message, "retry_after": DATABASE_RETRY_AFTER},
            status=503,
        )
    else:
        context = {
            "kept": _kept_fields(request),
            "files_lost": _has_files(request),
            "action_url": request.get_full_path(),
            # A fresh token from the cookie, not the session: the form is sent again later.
            "csrf_token": get_token(request),
        }
        response = HttpResponse(loader.get_template("503.html").render(context), status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json") or (
        request.path.startswith(("/api/", "/open311/"))
    )


def _kept_fields(request) -> list[tuple[str, str]]:
    if request.method != "POST":
        return []
    try:
        fields = list(request.POST.lists())
    except Exception:  # an unreadable body: nothing to keep, the page still answers
        return []
    return [
        (name, value)
        for name, values in fields
        if name != "csrfmiddlewaretoken"
        for value in values
    ]


def _has_files(request) -> bool:
    try:
        return request.method == "POST" and bool(request.FILES)
    except Exception:
        return False
