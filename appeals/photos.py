"""Photos are re-encoded by Pillow: EXIF (GPS included) never survives.

Files that are not images, too large, or decompression bombs are refused
with a message in the user's language.
"""

import io
import uuid

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image

from mycity.lib.images import ImageRefusedError, open_clean_image

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2048
MAX_PHOTOS = 5
FORMATS = {"JPEG", "PNG", "WEBP", "MPO", "GIF"}
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class CleanPhoto(ContentFile):
    """A photo clean_photo already re-encoded (only the server makes these)."""


def clean_photo(upload) -> ContentFile:
    """A re-encoded JPEG of the upload, EXIF stripped, or ValidationError."""
    if isinstance(upload, CleanPhoto):
        # A form checked it already: a second JPEG pass would only lose quality.
        return upload
    if upload.size > MAX_BYTES:
        raise ValidationError(_("“%(name)s” is larger than 10 MB.") % {"name": upload.name})
    try:
        image, _format = open_clean_image(upload, formats=FORMATS, max_pixels=MAX_PIXELS)
    except ImageRefusedError as refused:
        if refused.reason == "format":
            raise ValidationError(_("“%(name)s” is not a photo.") % {"name": upload.name}) from None
        if refused.reason == "bomb":
            raise ValidationError(
                _("“%(name)s” has too many pixels to be a photo.") % {"name": upload.name}
            ) from None
        raise ValidationError(
            _("“%(name)s” is not a photo we can read (JPEG, PNG or WebP).") % {"name": upload.name}
        ) from None
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True)  # no exif= argument: nothing carried over
    photo = CleanPhoto(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
    photo.width, photo.height = image.size
    return photo
