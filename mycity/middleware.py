"""Bad input answered with a 400 before any view sees it (see mycity/lib/untrusted.py)."""

from allauth.headless.internal.restkit.views import RESTView
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework.views import APIView

from mycity.lib import untrusted

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
                if request.content_type in FORM_TYPES and not _reads_raw_body(view_func):
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
        if api:
            return JsonResponse({"detail": message}, status=400)
        if _reads_raw_body(view_func):  # allauth's headless API: its own error list
            errors = [{"message": message, "code": "invalid"}]
            return JsonResponse({"status": 400, "errors": errors}, status=400)
        if _is_json(request.content_type) or "json" in request.headers.get("Accept", ""):
            return JsonResponse({"detail": message}, status=400)
        return render(request, "400.html", {"message": message}, status=400)
