"""Cover images: re-encoded by Pillow into a few widths for srcset.

The upload is checked (format, size, decompression bombs), EXIF is dropped,
and a JPEG is written per width in WIDTHS no wider than the original. The
widths and their storage names are kept on the item (`cover_sizes`).
"""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image

from mycity.lib.images import ImageRefusedError, open_clean_image

WIDTHS = (480, 960, 1600)
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
FORMATS = {"JPEG", "PNG", "WEBP", "MPO", "GIF"}


def open_cover(upload) -> Image.Image:
    """The cover upload, checked and re-encoded without metadata; ValidationError if refused."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The cover image is larger than 10 MB."))
    try:
        image, _format = open_clean_image(upload, formats=FORMATS, max_pixels=MAX_PIXELS)
    except ImageRefusedError as refused:
        if refused.reason == "bomb":
            raise ValidationError(_("The cover image has too many pixels.")) from None
        raise ValidationError(_("The cover must be a JPEG, PNG or WebP picture.")) from None
    return image.convert("RGB")


def cover_renditions(upload) -> dict[str, str]:
    """Store the cover at each width; returns {"480": name, …, "w": width, "h": height}."""
    image = open_cover(upload)
    stem = uuid.uuid4().hex
    sizes: dict[str, object] = {}
    widths = [w for w in WIDTHS if w < image.width] + [min(image.width, WIDTHS[-1])]
    for width in sorted(set(widths)):
        copy = image.copy()
        copy.thumbnail((width, width * 4))
        out = io.BytesIO()
        copy.save(out, "JPEG", quality=80, optimize=True, progressive=True)
        name = default_storage.save(f"news/covers/{stem}-{width}.jpg", ContentFile(out.getvalue()))
        sizes[str(width)] = name
    largest = image.copy()
    largest.thumbnail((WIDTHS[-1], WIDTHS[-1] * 4))
    sizes["w"], sizes["h"] = largest.size
    return sizes


def widths_of(sizes: dict) -> list[int]:
    return sorted(int(k) for k in sizes if k.isdigit())


def srcset(sizes: dict) -> str:
    return ", ".join(f"{default_storage.url(sizes[str(w)])} {w}w" for w in widths_of(sizes))


def url_for(sizes: dict, width: int) -> str:
    """The URL of the smallest rendition at least `width` wide (or the largest)."""
    widths = widths_of(sizes)
    if not widths:
        return ""
    chosen = next((w for w in widths if w >= width), widths[-1])
    return default_storage.url(sizes[str(chosen)])


def delete_renditions(sizes: dict) -> None:
    for width in widths_of(sizes):
        default_storage.delete(sizes[str(width)])
