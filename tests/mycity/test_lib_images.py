"""mycity.lib.images: an untrusted image opened upright, with no metadata carried over.

Appeal photos, news covers and documents (mycity.lib.uploads) all go through
open_clean_image; each app only words the refusal and picks the output.
"""

import io

import pytest
from PIL import Image

from mycity.lib.images import ImageRefusedError, open_clean_image

FORMATS = {"JPEG", "PNG"}
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg(size=(64, 48), *, exif=None) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 30, 30)).save(buffer, "JPEG", exif=exif or Image.Exif())
    buffer.seek(0)
    return buffer


def with_gps(orientation=None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (46.0, 38.0, 7.5), 3: "E", 4: (32.0, 37.0, 1.2)}
    if orientation:
        exif[ORIENTATION] = orientation
    return exif


def reencoded(image: Image.Image) -> Image.Image:
    out = io.BytesIO()
    image.save(out, "JPEG")
    out.seek(0)
    return Image.open(out)


def test_gps_and_every_other_exif_tag_stay_behind():
    source = jpeg(exif=with_gps())
    assert Image.open(source).getexif().get_ifd(GPS_IFD)  # the premise
    source.seek(0)

    image, kind = open_clean_image(source, formats=FORMATS, max_pixels=10_000)

    assert kind == "JPEG"
    assert image.info == {}
    saved = reencoded(image)
    assert dict(saved.getexif()) == {}
    assert "exif" not in saved.info


def test_the_exif_orientation_is_applied_to_the_pixels():
    # Orientation 6: the camera was turned; the upright picture is 48 × 64.
    image, _kind = open_clean_image(
        jpeg(exif=with_gps(orientation=6)), formats=FORMATS, max_pixels=10_000
    )
    assert image.size == (48, 64)


def test_a_format_not_listed_is_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    with pytest.raises(ImageRefusedError) as refused:
        open_clean_image(buffer, formats=FORMATS, max_pixels=10_000)
    assert refused.value.reason == "format"


def test_more_pixels_than_allowed_is_a_bomb():
    with pytest.raises(ImageRefusedError) as refused:
        open_clean_image(jpeg(size=(101, 100)), formats=FORMATS, max_pixels=10_000)
    assert refused.value.reason == "bomb"


def test_pillows_own_warning_counts_as_a_bomb(monkeypatch):
    # Pillow only warns between 1x and 2x its limit: that is refused as well.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 2_000)
    with pytest.raises(ImageRefusedError) as refused:
        open_clean_image(jpeg(size=(60, 50)), formats=FORMATS, max_pixels=10_000)
    assert refused.value.reason == "bomb"


@pytest.mark.parametrize(
    "data",
    [b"", b"not an image at all", jpeg(size=(400, 300)).getvalue()[:2_000]],
    ids=["empty", "text", "truncated"],
)
def test_what_cannot_be_read_is_refused(data):
    with pytest.raises(ImageRefusedError) as refused:
        open_clean_image(io.BytesIO(data), formats=FORMATS, max_pixels=1_000_000)
    assert refused.value.reason == "unreadable"


def test_a_source_already_read_is_opened_from_its_start():
    source = jpeg()
    source.read()
    image, _kind = open_clean_image(source, formats=FORMATS, max_pixels=10_000)
    assert image.size == (64, 48)
