"""Error pages in the visitor's language, each a full page with the site's header."""

import sys

from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from mycity import api_errors

# Seconds after which a client may try again when the database is away: about
# what a PostgreSQL restart or a failover takes.
DATABASE_RETRY_AFTER = 30


def bad_request(request, exception=None):
    if api_errors.is_api_path(request.path):
        if isinstance(exception, RequestDataTooBig):
            return api_errors.problem_response(413, "too_large", str(api_errors.PayloadTooLarge()))
        return api_errors.problem_response(400, "bad_request", _("The request is not valid."))
    if isinstance(exception, RequestDataTooBig):
        return HttpResponse(_("The request is too large."), status=413, content_type="text/plain")
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    if api_errors.is_api_path(request.path):
        message = _("You do not have permission to perform this action.")
        return api_errors.problem_response(403, "permission_denied", message)
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    # An unmatched path under /api/v1/ (allauth's part included) is an API error too.
    if api_errors.is_api_path(request.path, headless_too=True):
        return api_errors.problem_response(404, "not_found", _("Not found."))
    return render(request, "404.html", status=404)


def server_error(request):
    # Django calls this inside its `except`: the exception is still at hand.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    if api_errors.is_api_path(request.path):
        message = _("Something went wrong on our side. Please try again later.")
        return api_errors.problem_response(500, "server_error", message)
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
    if api_errors.is_api_path(request.path):
        response = api_errors.problem_response(
            503, "unavailable", message, retry_after=DATABASE_RETRY_AFTER
        )
    elif _wants_json(request):
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
