"""Photos: re-encoded without EXIF; not-images, huge files and decompression bombs refused."""

import io
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from appeals import photos
from appeals.models import Appeal, AppealPhoto
from appeals.photos import clean_photo
from appeals.services import AppealError, appeal_submit
from tests.factories import CategoryFactory, DistrictFactory

GPS_IFD = 0x8825

pytestmark = pytest.mark.usefixtures("english")


def jpeg_with_gps(size=(64, 48)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x0132] = "2026:03:01 10:00:00"  # date and time
    exif[GPS_IFD] = {
        1: "N",
        2: (46.0, 38.0, 7.5),
        3: "E",
        4: (32.0, 37.0, 1.2),
    }
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 30, 30)).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_bytes(size=(30, 20), mode="RGBA") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


def test_jpeg_with_gps_comes_out_without_any_exif():
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the premise

    cleaned = clean_photo(upload(original))

    image = Image.open(io.BytesIO(cleaned.read()))
    assert image.format == "JPEG"
    assert dict(image.getexif()) == {}
    assert "exif" not in image.info
    assert (cleaned.width, cleaned.height) == (64, 48)


def test_png_is_accepted_and_stored_as_jpeg():
    cleaned = clean_photo(upload(png_bytes(), name="screen.png", content_type="image/png"))

    assert Image.open(io.BytesIO(cleaned.read())).format == "JPEG"
    assert cleaned.name.endswith(".jpg")


def test_large_photo_is_scaled_down_to_the_maximum_side():
    buffer = io.BytesIO()
    Image.new("RGB", (3000, 1500), "white").save(buffer, "JPEG")

    cleaned = clean_photo(upload(buffer.getvalue()))

    assert (cleaned.width, cleaned.height) == (photos.MAX_SIDE, photos.MAX_SIDE // 2)


def test_text_file_named_jpg_is_refused_with_a_clear_message():
    with pytest.raises(ValidationError) as error:
        clean_photo(upload(b"Hello, this is not a photo at all.\n" * 20, name="holiday.jpg"))

    assert error.value.messages == ["“holiday.jpg” is not a photo we can read (JPEG, PNG or WebP)."]


def test_file_over_10_mb_is_refused():
    big = upload(b"\xff\xd8" + b"0" * (10 * 1024 * 1024), name="big.jpg")

    with pytest.raises(ValidationError, match="larger than 10 MB"):
        clean_photo(big)


def test_decompression_bomb_is_refused():
    # 20,000 × 20,000 one-bit pixels: about 50 KB on disk, 400 megapixels decoded.
    bomb = png_bytes(size=(20_000, 20_000), mode="1")
    assert len(bomb) < 100_000

    with pytest.raises(ValidationError, match="too many pixels"):
        clean_photo(upload(bomb, name="bomb.png", content_type="image/png"))


def test_image_between_one_and_two_times_the_pixel_limit_is_refused_too():
    # Pillow only warns between 1x and 2x its limit; the warning counts as a bomb.
    side = int((photos.MAX_PIXELS * 1.5) ** 0.5)
    bomb = png_bytes(size=(side, side), mode="1")

    with pytest.raises(ValidationError, match="too many pixels"):
        clean_photo(upload(bomb, name="almost.png", content_type="image/png"))


def test_truncated_jpeg_is_refused():
    data = jpeg_with_gps(size=(400, 300))

    with pytest.raises(ValidationError):
        clean_photo(upload(data[: len(data) // 3]))


def test_cleaned_photo_is_not_encoded_a_second_time():
    cleaned = clean_photo(upload(jpeg_with_gps()))

    assert clean_photo(cleaned) is cleaned


@pytest.mark.django_db
def test_submitted_photos_are_stored_without_exif(resident, media_root):
    district = DistrictFactory()
    west, south = district.boundary["coordinates"][0][0]

    appeal, _ = appeal_submit(
        author=resident,
        kind="problem",
        category=CategoryFactory(),
        title="Яма",
        description="Велика яма біля зупинки.",
        is_public=True,
        idempotency_key=uuid.uuid4(),
        latitude=south + 0.005,
        longitude=west + 0.005,
        photos=[upload(jpeg_with_gps()), upload(png_bytes(), "b.png", "image/png")],
    )

    stored = list(appeal.photos.all())
    assert len(stored) == 2
    for photo in stored:
        with photo.image.open("rb") as f:
            image = Image.open(f)
            assert dict(image.getexif()) == {}
        assert photo.added_by == resident


@pytest.mark.django_db
def test_six_photos_are_refused_and_nothing_is_saved(resident, media_root):
    with pytest.raises(AppealError, match="up to 5 photos"):
        appeal_submit(
            author=resident,
            kind="problem",
            category=CategoryFactory(),
            title="Яма",
            description="Велика яма біля зупинки.",
            is_public=True,
            idempotency_key=uuid.uuid4(),
            address="вул. Перекопська, 10",
            photos=[upload(jpeg_with_gps()) for _ in range(6)],
        )

    assert not Appeal.objects.exists()
    assert not AppealPhoto.objects.exists()


@pytest.mark.django_db
def test_one_bad_photo_refuses_the_appeal_with_its_name(resident, media_root):
    with pytest.raises(AppealError, match=r"notes\.jpg"):
        appeal_submit(
            author=resident,
            kind="problem",
            category=CategoryFactory(),
            title="Яма",
            description="Велика яма біля зупинки.",
            is_public=True,
            idempotency_key=uuid.uuid4(),
            address="вул. Перекопська, 10",
            photos=[upload(jpeg_with_gps()), upload(b"plain text", name="notes.jpg")],
        )

    assert not Appeal.objects.exists()
