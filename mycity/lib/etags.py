"""ETag and If-None-Match for the REST API's read-mostly answers (one rule for every app).

An app polling a list sends back the ETag it got; an unchanged answer is a
304 without a body. The ETag is either given by the view (the alerts'
version, known before any data is read) or the digest of the answer's data
(`data_etag`), which is cheap where the data come from the shared cache. It
covers the language and the format of the answer, so an English and a
Ukrainian list, or the JSON and the browsable page, never share one; the
answer says `Vary: Accept-Language` (the API's session-token Vary is added
for every /api/ answer by mycity.middleware). An answer that differs per
person must put who asks into the ETag's parts itself.
"""

import hashlib
import json

from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import get_language
from rest_framework import status
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder


def make_etag(*parts) -> str:
    """A strong ETag from `parts` (strings)."""
    text = "|".join(str(part) for part in parts)
    return '"' + hashlib.blake2b(text.encode(), digest_size=12).hexdigest() + '"'


def data_etag(request, data, *parts) -> str:
    """The ETag of an answer's data, in the caller's language and the answer's format."""
    body = json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"))
    renderer = getattr(request, "accepted_renderer", None)
    return make_etag(get_language(), getattr(renderer, "format", ""), *parts, body)


def not_modified(request, etag: str) -> bool:
    """Whether If-None-Match names `etag` (weak comparison, as RFC 9110 wants for it).

    A compressed answer's ETag comes back weak (W/"…", GZipMiddleware marks it).
    """
    header = request.headers.get("If-None-Match", "")
    if not header:
        return False
    tags = parse_etags(header)
    return "*" in tags or etag.removeprefix("W/") in {t.removeprefix("W/") for t in tags}


def conditional(request, etag: str, build) -> Response:
    """304 when the caller has `etag`, else `build()`'s data; both carry the ETag.

    Cache-Control `no-cache`: a client or cache keeps the answer but asks
    again with If-None-Match each time, so a change shows at once.
    """
    if not_modified(request, etag):
        response = Response(status=status.HTTP_304_NOT_MODIFIED)
    else:
        response = Response(build())
    response["ETag"] = etag
    patch_cache_control(response, no_cache=True, max_age=0)
    patch_vary_headers(response, ["Accept-Language"])
    return response


def conditional_data(request, data, *parts) -> Response:
    """conditional() with the data's own ETag (data_etag)."""
    return conditional(request, data_etag(request, data, *parts), lambda: data)
