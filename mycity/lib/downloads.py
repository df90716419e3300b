"""A private file as an HTTP answer, after the caller has checked who may have it.

Always an attachment under its own name, never sniffed, never kept by a
shared cache. Behind nginx (PRIVATE_FILES_X_ACCEL_PREFIX set, files on
local disk) Django only answers with an X-Accel-Redirect to nginx's
internal location over PRIVATE_ROOT, and nginx sends the bytes; otherwise
(no proxy, or S3) Django streams the file itself.
"""

from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header

PRIVATE = "private, no-store"


def private_file_response(file, *, filename: str, content_type: str) -> HttpResponse:
    """`file` (a FieldFile of the private storage) as a download; Http404 if it is missing."""
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
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = PRIVATE
    return response
