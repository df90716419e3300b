"""mycity.lib.uploads: a document is checked by its content, a PDF by a real parser."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from mycity.lib.uploads import check_file
from tests.services.factories import image_bytes, pdf_bytes

from .pdfs import (
    bomb_pdf,
    no_pages_pdf,
    object_stream_pdf,
    plain_pdf,
    unlisted_object_pdf,
)

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def check(content: bytes, name: str = "answer.pdf", *, max_bytes: int = 10 * MB, max_pages=50):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return check_file(upload, max_bytes=max_bytes, max_pages=max_pages)


# --- accepted ---------------------------------------------------------------------


def test_a_plain_pdf_is_accepted_with_its_page_count():
    checked = check(pdf_bytes(pages=3), "рішення.pdf")
    assert (checked.kind, checked.pages, checked.name) == ("pdf", 3, "рішення.pdf")
    assert checked.content_type == "application/pdf"


def test_a_pdf_that_opens_at_a_page_is_accepted():
    # fpdf2 writes /OpenAction [3 0 R /FitH null]: a place to open at, not an action.
    assert b"/OpenAction [" in pdf_bytes()
    assert check(plain_pdf(b"/OpenAction [3 0 R /Fit]")).pages == 1


def test_a_pdf_that_opens_at_a_page_through_a_goto_action_is_accepted():
    # LaTeX's hyperref writes this: still only a place to open at.
    assert check(plain_pdf(b"/OpenAction << /S /GoTo /D [3 0 R /Fit] >>")).pages == 1


def test_a_pdf_with_compressed_object_streams_is_accepted_when_clean():
    assert check(object_stream_pdf()).pages == 1


def test_a_pdf_without_a_pdf_name_gets_one():
    assert check(pdf_bytes(), "scan").name == "scan.pdf"


# --- active content -----------------------------------------------------------------

ACTIVE = "contains scripts, links, automatic actions or embedded files"


def test_a_pdf_with_javascript_is_refused():
    content = plain_pdf(
        b"/Names << /JavaScript << /Names [(a) 4 0 R] >> >>",
        extra_objects=[b"<< /S /JavaScript /JS (app.alert(1)) >>"],
    )
    with pytest.raises(ValidationError, match=ACTIVE):
        check(content)


def test_a_pdf_with_an_escaped_javascript_name_is_refused():
    # /J#61vaScript is /JavaScript to every viewer; a byte search does not see it.
    content = plain_pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>")
    assert b"/JavaScript" not in content
    assert b"/JS" not in content
    with pytest.raises(ValidationError, match=ACTIVE):
        check(content)


def test_an_open_action_inside_a_compressed_object_stream_is_refused():
    content = object_stream_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
    assert b"OpenAction" not in content  # only the decompressed stream holds it
    with pytest.raises(ValidationError, match=ACTIVE):
        check(content)


def test_an_escaped_name_inside_a_compressed_object_stream_is_refused():
    content = object_stream_pdf(b"/OpenAction << /S /L#61unch /F (cmd.exe) >>")
    with pytest.raises(ValidationError, match=ACTIVE):
        check(content)


@pytest.mark.parametrize(
    ("where", "extra"),
    [
        ("catalog", b"/OpenAction << /S /Named /N /Print >>"),
        ("catalog", b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next << /S /JavaScript >> >>"),
        ("catalog", b"/AA << /WC << /S /JavaScript /JS (x) >> >>"),
        ("page", b"/AA << /O << /S /Launch /F (calc.exe) >> >>"),
        ("page", b"/Annots [<< /Type /Annot /Subtype /Link /A << /S /URI /URI (http://x) >> >>]"),
        ("catalog", b"/AcroForm << /Fields [] /XFA 4 0 R >>"),
        ("page", b"/Annots [<< /Subtype /Widget /A << /S /SubmitForm /F (http://x) >> >>]"),
        ("page", b"/Annots [<< /Subtype /Widget /A << /S /ImportData /F (x.fdf) >> >>]"),
        ("page", b"/Annots [<< /Subtype /Link /A << /S /GoToR /F (other.pdf) /D [0 /Fit] >> >>]"),
        ("page", b"/Annots [<< /Subtype /RichMedia /RichMediaContent << >> >>]"),
        ("page", b"/Annots [<< /Subtype /FileAttachment /FS << /F (a.exe) >> >>]"),
        ("catalog", b"/Names << /EmbeddedFiles << /Names [] >> >>"),
    ],
)
def test_every_kind_of_active_content_is_refused(where, extra):
    content = plain_pdf(catalog_extra=extra) if where == "catalog" else plain_pdf(page_extra=extra)
    with pytest.raises(ValidationError, match=ACTIVE):
        check(content)


def test_a_key_given_twice_cannot_hide_an_action_behind_a_harmless_one():
    # A parser keeps the first /OpenAction, a viewer may run the second.
    content = plain_pdf(b"/OpenAction [3 0 R /Fit] /OpenAction << /S /JavaScript /JS (x) >>")
    with pytest.raises(ValidationError, match=ACTIVE):
        check(content)


def test_an_object_the_cross_reference_does_not_list_is_checked_too():
    content = unlisted_object_pdf(b"<< /S /J#61vaScript /JS (app.alert(1)) >>")
    with pytest.raises(ValidationError, match=ACTIVE):
        check(content)


# --- damaged, locked, too big ------------------------------------------------------------


def test_a_decompression_bomb_pdf_is_refused():
    content = bomb_pdf()
    assert len(content) < 200_000
    with pytest.raises(ValidationError, match="unpacks to far more data than a document holds"):
        check(content)


def test_a_pdf_picture_declaring_too_many_pixels_is_refused():
    picture = (
        b"<< /Type /XObject /Subtype /Image /Width 100000 /Height 100000 "
        b"/ColorSpace /DeviceGray /BitsPerComponent 8 /Length 0 >>\nstream\n\nendstream"
    )
    content = plain_pdf(
        page_extra=b"/Resources << /XObject << /Im1 4 0 R >> >>", extra_objects=[picture]
    )
    with pytest.raises(ValidationError, match="unpacks to far more data"):
        check(content)


def test_a_pdf_with_large_well_compressed_pictures_is_accepted():
    # Twenty nearly white A4 pages at 300 dpi: 170 MB of pixels in a few hundred kB.
    from fpdf import FPDF

    pdf = FPDF()
    for n in range(20):
        page = io.BytesIO()
        Image.new("L", (2480, 3508), 250 + n % 5).save(page, "PNG")
        pdf.add_page()
        pdf.image(page, x=0, y=0, w=210)
    assert check(bytes(pdf.output())).pages == 20


def test_a_truncated_pdf_is_refused():
    content = pdf_bytes()
    with pytest.raises(ValidationError, match="damaged or incomplete"):
        check(content[: len(content) // 2])


def test_a_pdf_without_pages_is_refused():
    with pytest.raises(ValidationError, match="has no pages we can read"):
        check(no_pages_pdf())


def test_a_pdf_with_too_many_pages_is_refused():
    with pytest.raises(ValidationError, match="has 3 pages; the limit is 2"):
        check(pdf_bytes(pages=3), max_pages=2)


def test_a_password_protected_pdf_is_refused():
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes()))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(ValidationError, match="protected by a password"):
        check(out.getvalue())


def test_a_pdf_locked_only_against_editing_is_accepted():
    # An empty user password: it opens without one, like any PDF.
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes(pages=2)))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    assert check(out.getvalue()).pages == 2


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        check(pdf_bytes() + b"%" + b"x" * MB, max_bytes=MB)


def test_a_file_whose_size_lies_is_still_refused_once_read():
    upload = SimpleUploadedFile("a.pdf", pdf_bytes() + b"%" + b"x" * MB)
    upload.size = 10
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        check_file(upload, max_bytes=MB, max_pages=5)


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="is empty"):
        check(b"")


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(1)</script></html>", "answer.pdf"),
        (b"<!DOCTYPE html><html><body>%PDF-1.7</body></html>", "scan.pdf"),
        (b"MZ\x90\x00\x03 an executable", "act.pdf"),
    ],
)
def test_a_file_named_pdf_that_is_not_one_is_refused(content, name):
    with pytest.raises(ValidationError, match="not a PDF, JPEG or PNG"):
        check(content, name)


# --- images -------------------------------------------------------------------------


def test_a_jpeg_is_re_encoded_without_exif():
    checked = check(image_bytes("JPEG", exif=True), "photo.jpeg")
    assert (checked.kind, checked.name) == ("jpeg", "photo.jpg")
    with Image.open(io.BytesIO(checked.content)) as image:
        assert not image.getexif()
    assert b"SecretCam" not in checked.content


def test_a_png_stays_a_png_without_its_metadata():
    image = Image.new("RGB", (30, 20), (0, 120, 200))
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    image.save(out, "PNG", exif=exif.tobytes())
    checked = check(out.getvalue(), "scheme.PNG")
    assert (checked.kind, checked.name) == ("png", "scheme.png")
    assert b"SecretCam" not in checked.content


def test_an_image_bomb_is_refused():
    out = io.BytesIO()
    Image.new("1", (10000, 10000)).save(out, "PNG")  # 100 Mpx in a few kB
    with pytest.raises(ValidationError, match="too many pixels"):
        check(out.getvalue(), "bomb.png")


def test_a_gif_is_refused():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(ValidationError, match="not a PDF, JPEG or PNG"):
        check(out.getvalue(), "a.gif")


def test_the_refusal_is_in_the_users_language():
    from django.utils import translation

    content = plain_pdf(b"/OpenAction << /S /J#61vaScript /JS (x) >>")
    with translation.override("uk"), pytest.raises(ValidationError) as refused:
        check(content, "лист.pdf")

    assert refused.value.messages == [
        "«лист.pdf» містить скрипти, посилання, автоматичні дії або вкладені файли. "
        "Спершу роздрукуйте його у звичайний PDF."
    ]
