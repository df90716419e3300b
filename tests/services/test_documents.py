"""Documents are checked by content: PDF, JPEG and PNG only, within size and page limits."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from services.documents import check_document

from .factories import image_bytes, pdf_bytes, upload

pytestmark = pytest.mark.usefixtures("english")


def test_a_pdf_is_accepted_with_its_page_count():
    checked = check_document(upload(pdf_bytes(pages=3), "довідка.pdf"))
    assert (checked.kind, checked.pages, checked.name) == ("pdf", 3, "довідка.pdf")


def test_a_pdf_with_too_many_pages_is_refused(settings):
    settings.SERVICES_PDF_MAX_PAGES = 2
    with pytest.raises(ValidationError, match="has 3 pages; the limit is 2"):
        check_document(upload(pdf_bytes(pages=3)))


def test_a_truncated_pdf_is_refused():
    content = pdf_bytes()
    with pytest.raises(ValidationError, match="damaged or incomplete"):
        check_document(upload(content[: len(content) // 2]))


def test_a_pdf_with_javascript_is_refused():
    content = pdf_bytes().replace(
        b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>", 1
    )
    with pytest.raises(ValidationError, match="contains scripts"):
        check_document(upload(content))


def test_a_pdf_header_without_pages_is_refused():
    # pypdf finds no document catalogue in it: a damaged PDF.
    with pytest.raises(ValidationError, match="damaged or incomplete"):
        check_document(upload(b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"))


def test_a_file_larger_than_the_limit_is_refused(settings):
    settings.SERVICES_UPLOAD_MAX_MB = 1
    big = pdf_bytes() + b"%" + b"x" * (1024 * 1024)
    with pytest.raises(ValidationError, match="larger than 1 MB"):
        check_document(upload(big))


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"MZ\x90\x00\x03 an executable", "scan.pdf"),
        (b"<html><script>alert(1)</script></html>", "scan.jpg"),
        (b"just text", "notes.png"),
    ],
)
def test_the_extension_alone_does_not_make_a_document(content, name):
    with pytest.raises(ValidationError, match="not a PDF, JPEG or PNG"):
        check_document(upload(content, name, "application/pdf"))


def test_a_gif_is_refused_even_though_it_is_an_image():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    with pytest.raises(ValidationError, match="not a PDF, JPEG or PNG"):
        check_document(upload(out.getvalue(), "a.gif", "image/gif"))


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="is empty"):
        check_document(upload(b"", "a.pdf"))


def test_a_jpeg_is_re_encoded_without_exif():
    checked = check_document(upload(image_bytes("JPEG", exif=True), "photo.jpeg", "image/jpeg"))
    assert checked.kind == "jpeg"
    assert checked.name == "photo.jpg"
    with Image.open(io.BytesIO(checked.content)) as image:
        assert not image.getexif()
    assert b"SecretCam" not in checked.content


def test_a_png_stays_a_png():
    checked = check_document(upload(image_bytes("PNG"), "scan.PNG", "image/png"))
    assert checked.kind == "png"
    assert checked.name == "scan.png"


def test_a_decompression_bomb_is_refused():
    out = io.BytesIO()
    Image.new("1", (10000, 10000)).save(out, "PNG")  # 100 Mpx, a few kB
    with pytest.raises(ValidationError, match="too many pixels"):
        check_document(upload(out.getvalue(), "bomb.png", "image/png"))


def test_path_parts_and_odd_characters_leave_the_name():
    checked = check_document(upload(pdf_bytes(), '../../etc/"pass"<wd>.pdf'))
    assert checked.name == "passwd.pdf"


def test_a_pdf_with_an_escaped_javascript_name_is_refused():
    # /J#61vaScript is /JavaScript once the name is read: the shared parser sees it.
    from tests.mycity.pdfs import plain_pdf

    content = plain_pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>")
    with pytest.raises(ValidationError, match="contains scripts"):
        check_document(upload(content))


def test_a_pdf_with_an_action_inside_a_compressed_object_stream_is_refused():
    from tests.mycity.pdfs import object_stream_pdf

    content = object_stream_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
    with pytest.raises(ValidationError, match="contains scripts"):
        check_document(upload(content))
