"""Opening an untrusted image safely, for re-encoding without its metadata.

Photos of appeals, applicants' scans and answer attachments all pass here:
Pillow checks the structure, refuses decompression bombs (the warning Pillow
only gives between 1x and 2x its limit counts too) and applies the EXIF
orientation, so that the caller can write fresh pixels with no EXIF (GPS
included) carried over.
"""

import warnings

from PIL import Image, ImageOps


class ImageRefusedError(Exception):
    """Why an image was refused: "format", "bomb" or "unreadable"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def open_clean_image(source, *, formats, max_pixels: int) -> tuple[Image.Image, str]:
    """(loaded and upright image, Pillow format) of `source` (a file object), or ImageRefusedError.

    The image returned holds pixels only: saving it without an `exif=`
    argument writes no metadata.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            source.seek(0)
            with Image.open(source) as probe:
                if probe.format not in formats:
                    raise ImageRefusedError("format")
                if probe.width * probe.height > max_pixels:
                    raise ImageRefusedError("bomb")
                probe.verify()
            # verify() leaves the image unusable: open it again to decode it.
            source.seek(0)
            with Image.open(source) as image:
                kind = image.format
                image.load()
                upright = ImageOps.exif_transpose(image)
    except ImageRefusedError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRefusedError("bomb") from None
    except Exception:
        raise ImageRefusedError("unreadable") from None
    # Metadata Pillow keeps beside the pixels (EXIF, XMP, comments) stays behind.
    upright.info = {}
    return upright, kind
