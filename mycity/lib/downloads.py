"""A private file as an HTTP answer, after the caller has checked who may have it.

Never sniffed. By default an attachment under its own name that no cache
keeps (`private, no-store`). A file the caller found open to everyone (a
photo of a public request) may instead be shown inline and kept by caches
for `public_max_age` seconds, with an ETag taken from its stored name:
stored names are random and never reused, so the name identifies the
content, and a repeated request answers 304 without touching the file.
Behind nginx (PRIVATE_FILES_X_ACCEL_PREFIX set, files on local disk) Django
only answers with an X-Accel-Redirect to nginx's internal location over
PRIVATE_ROOT, and nginx sends the bytes (keeping the app's Content-Type,
Content-Disposition and Cache-Control); otherwise (no proxy, or S3) Django
streams the file itself.
"""

import hashlib
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header, parse_etags

PRIVATE = "private, no-store"


def file_etag(name: str) -> str:
    """A strong ETag for the file stored under `name` (names are never reused)."""
    return f'"{hashlib.sha256(name.encode()).hexdigest()[:32]}"'


def _not_modified(request, etag: str) -> bool:
    if request is None or request.method not in ("GET", "HEAD"):
        return False
    asked = request.headers.get("If-None-Match", "")
    if asked.strip() == "*":
        return True
    # If-None-Match compares weakly: a compressing proxy may have weakened ours.
    return etag in {tag.removeprefix("W/") for tag in parse_etags(asked)}


def private_file_response(
    file,
    *,
    filename: str,
    content_type: str,
    inline: bool = False,
    public_max_age: int | None = None,
    request=None,
) -> HttpResponse:
    """`file` (a FieldFile of the private storage) as an answer; Http404 if it is missing.

    `inline` shows it in the browser instead of downloading it; `public_max_age`
    (only for a file anyone may have) lets caches keep it that many seconds and
    answers `request`'s If-None-Match with a 304.
    """
    cache_control = {"private": True, "no_store": True}
    etag = None
    if public_max_age is not None:
        cache_control = {"public": True, "max_age": public_max_age}
        etag = file_etag(file.name)
        if _not_modified(request, etag):
            response = HttpResponseNotModified()
            response["ETag"] = etag
            patch_cache_control(response, **cache_control)
            return response
    prefix = settings.PRIVATE_FILES_X_ACCEL_PREFIX
    if prefix and isinstance(file.storage, FileSystemStorage):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix + quote(file.name)
    else:
        try:
            handle = file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404("The file is missing.") from None
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    if etag:
        response["ETag"] = etag
    patch_cache_control(response, **cache_control)
    return response
