"""Photos are re-encoded by Pillow: EXIF (GPS included) never survives.

Files that are not images, too large, or decompression bombs are refused
with a message in the user's language.
"""

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

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
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Between 1x and 2x the limit Pillow only warns: treat it as a bomb too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as probe:
                if probe.format not in FORMATS:
                    raise ValidationError(_("“%(name)s” is not a photo.") % {"name": upload.name})
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.load()
                image = ImageOps.exif_transpose(image)
                image = image.convert("RGB")
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("“%(name)s” has too many pixels to be a photo.") % {"name": upload.name}
        ) from None
    except Exception:
        raise ValidationError(
            _("“%(name)s” is not a photo we can read (JPEG, PNG or WebP).") % {"name": upload.name}
        ) from None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82, optimize=True)  # no exif= argument: nothing carried over
    photo = CleanPhoto(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
    photo.width, photo.height = image.size
    return photo
