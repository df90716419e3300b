"""What every request and response goes through: bad input refused, privacy headers set."""

from allauth.headless.internal.restkit.views import RESTView
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty
from rest_framework.views import APIView

from mycity import api_errors
from mycity.lib import ratelimit, untrusted

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
WITH_BODY = ("POST", "PUT", "PATCH", "DELETE")


def _is_api_view(view_func) -> bool:
    cls = getattr(view_func, "cls", None)
    return isinstance(cls, type) and issubclass(cls, APIView)


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _reads_raw_body(view_func) -> bool:
    # allauth's headless views (and ours built on them) parse request.body as
    # JSON, which Django refuses once a multipart body has been read as a form;
    # they never read forms.
    cls = getattr(view_func, "view_class", None)
    return isinstance(cls, type) and issubclass(cls, RESTView)


def checks_own_input(view):
    """Mark a view that refuses bad input itself, in its own format (Open311)."""
    view.checks_own_input = True
    return view


class RefuseBadInputMiddleware:
    """A NUL byte or lone surrogate anywhere in a request's input is a 400, not a 500.

    Checks the path, the query string and form data (keys and values) of
    every request, and JSON bodies of views outside the REST API (whose own
    JSON parser, mycity.lib.parsers, checks them in the API's error shape).
    File names need no check: Django drops unprintable characters from them.
    The answer is in the form the caller expects: the API's {"detail": ...},
    allauth's headless error list, or a page in the visitor's language.
    Placed after the middleware that picks the language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "checks_own_input", False):
            return None
        api = _is_api_view(view_func)
        try:
            untrusted.check_texts([request.path_info])
            untrusted.check_querydict(request.GET)
            if request.method in WITH_BODY:
                if request.content_type in FORM_TYPES and not (api or _reads_raw_body(view_func)):
                    # DRF views check forms in their own parsers (mycity/lib/parsers.py):
                    # reading request.POST here would leave DRF an empty form where a
                    # JSON-only view should answer 415.
                    untrusted.check_querydict(request.POST)
                elif not api and _is_json(request.content_type) and request.body:
                    try:
                        untrusted.loads(request.body)
                    except untrusted.RefusedInputError:
                        raise
                    except ValueError:
                        pass  # malformed JSON: the view answers that in its own way
        except untrusted.RefusedInputError as refused:
            return self.refuse(request, view_func, refused.message, api=api)
        return None

    @staticmethod
    def refuse(request, view_func, message: str, *, api: bool):
        if api and api_errors.is_api_path(request.path):
            return api_errors.problem_response(400, "invalid", message)
        if api:  # Open311: its own format
            return JsonResponse({"detail": message}, status=400)
        if _reads_raw_body(view_func):  # allauth's headless API: its own error list
            errors = [{"message": message, "code": "invalid"}]
            return JsonResponse({"status": 400, "errors": errors}, status=400)
        if _is_json(request.content_type) or "json" in request.headers.get("Accept", ""):
            return JsonResponse({"detail": message}, status=400)
        return render(request, "400.html", {"message": message}, status=400)


# The header allauth's headless API reads the session token from.
SESSION_TOKEN_HEADER = "X-Session-Token"
PERSONAL = "private, no-store"


class PrivacyHeadersMiddleware:
    """Personal answers are never stored by a cache; powerful browser features are off.

    - A response made for a signed-in person (a web session or an API session
      token) is `Cache-Control: private, no-store`: every such page shows
      their data, at least their name in the header, and a shared phone or a
      proxy must not keep it. A view that chose its own caching (the public
      map data, the alerts poll revalidated by ETag, file downloads) keeps it.
    - API responses vary on the session-token header, so no cache hands one
      app user's answer to another.
    - `Permissions-Policy` (settings.PERMISSIONS_POLICY) on every response:
      the map may ask for the location; camera, microphone, payment and the
      other powerful features are off (photos come through a file input).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if request.path.startswith("/api/"):
            patch_vary_headers(response, [SESSION_TOKEN_HEADER])
        if "Cache-Control" not in response and _for_a_signed_in_person(request):
            response["Cache-Control"] = PERSONAL
        return response


def _for_a_signed_in_person(request) -> bool:
    user = getattr(request, "user", None)
    # Never made the lazy user: the view did not look at who is asking, and
    # looking now would read the session (and add Vary: Cookie) for nothing.
    if user is None or (isinstance(user, SimpleLazyObject) and user._wrapped is empty):
        return False
    return bool(user.is_authenticated)


class RateLimitHeadersMiddleware:
    """Every /api/v1/ answer tells the app how much of the API's rate it has left.

    The fields of draft-ietf-httpapi-ratelimit-headers (the -06 draft's
    separate fields, as most APIs send them): `RateLimit-Limit`,
    `RateLimit-Remaining` and `RateLimit-Reset` (seconds until one more call
    is allowed) of the throttle closest to running out, and
    `RateLimit-Policy` listing each throttle that applies (`120;w=60`).
    A 429 also has `Retry-After`. Above the page cache, so a kept page
    never carries someone else's numbers.
    """

    PREFIX = "/api/v1/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(self.PREFIX):
            return response
        found = ratelimit.allowances(request)
        if not found:
            return response
        tightest = min(found, key=lambda a: (a.remaining, -a.reset))
        response["RateLimit-Limit"] = str(tightest.limit)
        response["RateLimit-Remaining"] = str(tightest.remaining)
        response["RateLimit-Reset"] = str(tightest.reset)
        response["RateLimit-Policy"] = ", ".join(
            f"{a.limit};w={a.window}" for a in sorted(found, key=lambda a: (a.limit, a.window))
        )
        if response.status_code == 429 and "Retry-After" not in response:
            response["Retry-After"] = str(max(1, tightest.reset))
        return response
