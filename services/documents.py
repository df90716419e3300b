"""Applicants' documents: PDF, JPEG or PNG, checked by content, not by name.

The checks themselves (a PDF parsed by pypdf and refused with active
content, images re-encoded without EXIF, bombs and oversize refused) are
shared with the appeals' answer attachments in `mycity.lib.uploads`; this
module applies the e-services limits (SERVICES_UPLOAD_MAX_MB,
SERVICES_PDF_MAX_PAGES).
"""

from django.conf import settings

from mycity.lib.uploads import ACCEPT, CheckedFile, check_file, clean_name

CheckedDocument = CheckedFile

__all__ = ["ACCEPT", "CheckedDocument", "check_document", "clean_name", "max_bytes"]


def max_bytes() -> int:
    return settings.SERVICES_UPLOAD_MAX_MB * 1024 * 1024


def check_document(upload) -> CheckedDocument:
    """The upload's checked content, or ValidationError with a message for the user."""
    return check_file(upload, max_bytes=max_bytes(), max_pages=settings.SERVICES_PDF_MAX_PAGES)
