"""Applicants' documents: PDF, JPEG or PNG, checked by content, not by name.

A PDF must start with `%PDF-`, end with `%%EOF`, have between 1 and
SERVICES_PDF_MAX_PAGES pages (counted from its `/Type /Page` objects) and
carry no scripts or launch actions. Images are opened by Pillow, refused as
decompression bombs, and re-encoded in their own format so that EXIF (GPS
included) never reaches an officer's disk.
"""

import io
import re
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

NAME_MAX = 200
PAGE_RE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
# Active content has no place in a document for an officer to open.
ACTIVE_RE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia)(?![a-zA-Z])")
MAX_PIXELS = 60_000_000
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


@dataclass
class CheckedDocument:
    content: bytes
    name: str
    kind: str  # "pdf", "jpeg" or "png"
    pages: int

    @property
    def size(self) -> int:
        return len(self.content)


def max_bytes() -> int:
    return settings.SERVICES_UPLOAD_MAX_MB * 1024 * 1024


def clean_name(name: str) -> str:
    name = (name or "document").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*')
    return name.strip()[-NAME_MAX:] or "document"


def check_document(upload) -> CheckedDocument:
    """The upload's checked content, or ValidationError with a message for the user."""
    name = clean_name(getattr(upload, "name", ""))
    size = getattr(upload, "size", None)
    limit = max_bytes()
    if size is not None and size > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)d MB.")
            % {"name": name, "mb": settings.SERVICES_UPLOAD_MAX_MB}
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(mb)d MB.")
            % {"name": name, "mb": settings.SERVICES_UPLOAD_MAX_MB}
        )
    if not content:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    if content.startswith(b"%PDF-"):
        return _check_pdf(content, name)
    return _check_image(content, name)


def _check_pdf(content: bytes, name: str) -> CheckedDocument:
    if b"%%EOF" not in content[-2048:]:
        raise ValidationError(
            _("“%(name)s” is a damaged or incomplete PDF. Save it again and attach it.")
            % {"name": name}
        )
    if ACTIVE_RE.search(content):
        raise ValidationError(
            _("“%(name)s” contains scripts or embedded files. Print it to a plain PDF first.")
            % {"name": name}
        )
    pages = len(PAGE_RE.findall(content))
    if pages < 1:
        # Compressed object streams hide the page objects; the page tree's
        # count is still in the clear in every PDF writer we know.
        counts = [int(n) for n in re.findall(rb"/Count\s+(\d+)", content)]
        pages = max(counts, default=0)
    if pages < 1:
        raise ValidationError(_("“%(name)s” has no pages we can read.") % {"name": name})
    if pages > settings.SERVICES_PDF_MAX_PAGES:
        raise ValidationError(
            _("“%(name)s” has %(pages)d pages; the limit is %(max)d.")
            % {"name": name, "pages": pages, "max": settings.SERVICES_PDF_MAX_PAGES}
        )
    if not name.lower().endswith(".pdf"):
        name = f"{name}.pdf"
    return CheckedDocument(content=content, name=name, kind="pdf", pages=pages)


def _check_image(content: bytes, name: str) -> CheckedDocument:
    refused = ValidationError(
        _("“%(name)s” is not a PDF, JPEG or PNG file we can read.") % {"name": name}
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as probe:
                if probe.format not in ("JPEG", "MPO", "PNG"):
                    raise refused
                if probe.width * probe.height > MAX_PIXELS:
                    raise Image.DecompressionBombError("too many pixels")
                probe.verify()
            with Image.open(io.BytesIO(content)) as image:
                kind = "png" if image.format == "PNG" else "jpeg"
                image.load()
                image = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                if kind == "png":
                    image.save(out, "PNG", optimize=True)
                else:
                    image.convert("RGB").save(out, "JPEG", quality=90)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("“%(name)s” has too many pixels to be a scan or a photo.") % {"name": name}
        ) from None
    except Exception:
        raise refused from None
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return CheckedDocument(
        content=out.getvalue(),
        name=f"{stem}{'.png' if kind == 'png' else '.jpg'}",
        kind=kind,
        pages=1,
    )
