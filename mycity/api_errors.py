"""One error shape for the REST API (/api/v1/): RFC 9457 problem details.

Every error of every DRF view goes through `exception_handler` (the
REST_FRAMEWORK setting), and what Django answers before or after a view under
/api/v1/ (an unmatched path, a body too large, a server error) through
`problem_response` (mycity.errors). One envelope, `application/problem+json`:

    {"type": "urn:mycity:error:invalid", "title": "Bad Request", "status": 400,
     "detail": "…", "code": "invalid",
     "errors": [{"code": "required", "detail": "…", "attr": "answers.0.value",
                 "pointer": "/answers/0/value"}]}

`code` is the machine code of the whole error, each entry of `errors` has its
own (DRF's codes: required, invalid, max_length, …) and the path of the field
it is about, dotted (`attr`) and as a JSON pointer (`pointer`); both are null
for an error about the request as a whole. Open311 (/open311/) keeps the
GeoReport format and allauth's headless API (/api/v1/auth/) its own.

`problem_responses_hook` puts the envelope in the OpenAPI schema: one shared
`Problem` component, and for each operation the error statuses it can return.
"""

import json
from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from mycity.lib.parsers import PayloadTooLarge

CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:mycity:error:"
API_PREFIX = "/api/v1/"
# allauth's headless API answers its own errors in its own documented format.
HEADLESS_PREFIX = "/api/v1/auth/"
# Keys DRF uses for an error about the object as a whole rather than one field.
NON_FIELD_KEYS = {api_settings.NON_FIELD_ERRORS_KEY, "detail"}


def is_api_path(path: str, *, headless_too: bool = False) -> bool:
    """Whether `path` answers errors in this module's shape."""
    if not path.startswith(API_PREFIX):
        return False
    return headless_too or not path.startswith(HEADLESS_PREFIX)


def problem(status: int, code: str, detail: str, errors: list[dict] | None = None) -> dict:
    """The problem-details body for one error."""
    if errors is None:
        errors = [{"code": code, "detail": detail, "attr": None, "pointer": None}]
    return {
        "type": TYPE_PREFIX + code,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "errors": errors,
    }


def problem_response(status: int, code: str, detail: str, **extra) -> JsonResponse:
    """The same envelope outside DRF (Django's error handlers, middleware).

    `extra` adds members of the problem type (RFC 9457 extension members).
    """
    return JsonResponse(
        problem(status, code, detail) | extra,
        status=status,
        content_type=CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def flatten(detail, path: tuple[str, ...] = ()) -> list[dict]:
    """DRF's nested error details as a flat list, each with the path of its field."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            key = str(key)
            # A nested serializer's own non-field errors belong to its path.
            found += flatten(value, path if key in NON_FIELD_KEYS else (*path, key))
        return found
    if isinstance(detail, list | tuple):
        found = []
        for index, item in enumerate(detail):
            if isinstance(item, dict | list | tuple):
                # A list of objects or of lists: one entry per item, by position.
                found += flatten(item, (*path, str(index)))
            else:
                found += flatten(item, path)
        return found
    return [
        {
            "code": getattr(detail, "code", None) or "invalid",
            "detail": str(detail),
            "attr": ".".join(path) if path else None,
            "pointer": "/" + "/".join(_escape(p) for p in path) if path else None,
        }
    ]


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _as_api_exception(exc):
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    return exc


def exception_handler(exc, context):
    """DRF's handler (its status, headers and rollback), answering in the one envelope."""
    exc = _as_api_exception(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's handler500 (mycity.errors) answers it
    status = response.status_code
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten(exc.detail)
        code = "invalid"
        # The view's own summary of the request as a whole, else the one message.
        whole = [error["detail"] for error in errors if error["attr"] is None]
        if whole:
            detail = whole[0]
        elif len(errors) == 1:
            detail = errors[0]["detail"]
        else:
            detail = _("The request is not valid.")
    else:
        errors = flatten(exc.detail)
        code = errors[0]["code"] if errors else exc.default_code
        detail = errors[0]["detail"] if errors else str(exc.default_detail)
        for error in errors:  # an error of the request as a whole, not of a field
            error["attr"] = error["pointer"] = None
    response.data = problem(status, code, detail, errors)
    response.content_type = CONTENT_TYPE
    # JSON whatever the client asked for: the browsable API's HTML or an
    # Accept the API cannot meet (406) would not carry the envelope.
    request = context.get("request")
    if request is not None:
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = CONTENT_TYPE
    return response


# --- The schema -------------------------------------------------------------

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An error, as RFC 9457 problem details (docs/api.md, “Errors”).",
    "properties": {
        "type": {"type": "string", "description": "urn:mycity:error:<code>"},
        "title": {"type": "string", "description": "The HTTP status's phrase."},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What went wrong, in the caller's language."},
        "code": {"type": "string", "description": "The machine code of the error."},
        "errors": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/ProblemError"},
        },
    },
    "required": ["type", "title", "status", "detail", "code", "errors"],
}
PROBLEM_ERROR_SCHEMA = {
    "type": "object",
    "description": "One error: its code, message and the field it is about (null: the request).",
    "properties": {
        "code": {"type": "string", "description": "required, invalid, max_length, …"},
        "detail": {"type": "string"},
        "attr": {
            "type": "string",
            "nullable": True,
            "description": "The field's path, dotted: answers.0.value",
        },
        "pointer": {
            "type": "string",
            "nullable": True,
            "description": "The field's path as a JSON pointer: /answers/0/value",
        },
    },
    "required": ["code", "detail", "attr", "pointer"],
}
# Status: (component name, description, headers it always carries).
_HEADER = {"schema": {"type": "string"}}
STATUSES = {
    400: ("BadRequest", "The request is not valid: `errors` names each field.", {}),
    401: (
        "Unauthorized",
        "Not signed in, or the session token is unknown or expired.",
        {"WWW-Authenticate": _HEADER},
    ),
    403: ("Forbidden", "Signed in, but not allowed.", {}),
    404: ("NotFound", "There is no such object, or it is not yours to see.", {}),
    406: ("NotAcceptable", "The API cannot answer in the media type of `Accept`.", {}),
    409: ("Conflict", "The request conflicts with what is already recorded.", {}),
    413: ("PayloadTooLarge", "The request body is too large.", {}),
    415: ("UnsupportedMediaType", "The request body's media type is not accepted.", {}),
    429: (
        "TooManyRequests",
        "Too many calls: try again after `Retry-After` seconds.",
        {"Retry-After": {"schema": {"type": "integer"}}},
    ),
    500: ("ServerError", "Something went wrong on the server.", {}),
    503: (
        "ServiceUnavailable",
        "The database is away for a moment: try again after `Retry-After` seconds.",
        {"Retry-After": {"schema": {"type": "integer"}}},
    ),
}
# What any operation may answer: a bad query string or path (NUL bytes), a
# bad or missing session, an Accept it cannot meet, the rate limit, a failure.
ALWAYS = (400, 401, 406, 429, 500, 503)
UNSAFE = {"post", "put", "patch", "delete"}
METHODS = UNSAFE | {"get", "head", "options", "trace"}


def _content():
    return {CONTENT_TYPE: {"schema": PROBLEM_REF}}


def _statuses(method: str, operation: dict) -> set[int]:
    statuses = set(ALWAYS)
    params = operation.get("parameters", [])
    if any(p.get("in") == "path" for p in params) or any(
        p.get("in") == "query" and p.get("name") == "page" for p in params
    ):
        statuses.add(404)  # no such object, or a page past the end
    if method in UNSAFE:
        statuses.add(403)  # a web session's CSRF check, at least
        statuses.add(404)  # writes name objects in their body too (a service, a device)
    if "requestBody" in operation:
        statuses |= {413, 415}
    return statuses


def problem_responses_hook(result, generator, request, public):
    """drf-spectacular postprocessing: every operation's error responses, one `Problem`.

    Statuses a view declares itself (`extend_schema(responses={409: …})`)
    keep their description and get the envelope; the others each operation
    can return (see `_statuses`) refer to shared responses. Error components
    that only views' declarations used are dropped.
    """
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    declared_refs = set()
    used = set()
    for path, item in result.get("paths", {}).items():
        if not is_api_path(path):
            continue
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, response in list(responses.items()):
                if status.isdigit() and int(status) >= 400:
                    for media in response.get("content", {}).values():
                        ref = media.get("schema", {}).get("$ref", "")
                        declared_refs.add(ref.rsplit("/", 1)[-1])
                    responses[status] = {
                        "description": response.get("description") or _describe(int(status)),
                        "content": _content(),
                        "headers": _headers(int(status)),
                    }
                    if not responses[status]["headers"]:
                        del responses[status]["headers"]
            for status in sorted(_statuses(method, operation)):
                if str(status) not in responses:
                    responses[str(status)] = {
                        "$ref": f"#/components/responses/{STATUSES[status][0]}"
                    }
                    used.add(status)
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["ProblemError"] = PROBLEM_ERROR_SCHEMA
    components["responses"] = {
        name: {"description": description, "content": _content(), **_maybe_headers(status)}
        for status, (name, description, _headers_) in STATUSES.items()
        if status in used
    }
    _drop_unused(result, declared_refs - {"Problem", "ProblemError", ""})
    return result


def _describe(status: int) -> str:
    return STATUSES[status][1] if status in STATUSES else HTTPStatus(status).phrase


def _headers(status: int) -> dict:
    return dict(STATUSES[status][2]) if status in STATUSES else {}


def _maybe_headers(status: int) -> dict:
    headers = _headers(status)
    return {"headers": headers} if headers else {}


def _drop_unused(result: dict, names: set[str]) -> None:
    schemas = result["components"]["schemas"]
    for name in names:
        others = {k: v for k, v in schemas.items() if k != name}
        text = json.dumps([result["paths"], others], default=str)
        if f'"#/components/schemas/{name}"' not in text:
            schemas.pop(name, None)
