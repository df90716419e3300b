"""Hand-built PDFs for the upload checks: object streams, escaped names, bombs.

fpdf2 (tests/services/factories.pdf_bytes) writes plain PDFs; these shapes
need the bytes laid out by hand, with a correct cross-reference so that a
parser reads them as a viewer would.
"""

import struct
import zlib


def _xref_table_pdf(objects: list[bytes]) -> bytes:
    out = b"%PDF-1.7\n"
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def plain_pdf(catalog_extra: bytes = b"", page_extra: bytes = b"", extra_objects=()) -> bytes:
    """A one-page PDF; `catalog_extra` and `page_extra` go into those dictionaries."""
    return _xref_table_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] " + page_extra + b" >>",
            *extra_objects,
        ]
    )


def no_pages_pdf() -> bytes:
    return _xref_table_pdf(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"]
    )


def object_stream_pdf(catalog_extra: bytes = b"") -> bytes:
    """A one-page PDF whose catalog, page tree and page sit in a compressed object stream.

    Nothing of them is readable in the file's bytes: only a parser that
    decompresses the object stream sees `catalog_extra`.
    """
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    header, body = [], b""
    for number, obj in enumerate(objects, start=1):
        header.append(b"%d %d" % (number, len(body)))
        body += obj + b"\n"
    first = b" ".join(header) + b"\n"
    data = zlib.compress(first + body)
    out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
    stream_at = len(out)
    out += (
        b"4 0 obj\n<< /Type /ObjStm /N 3 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(first), len(data))
        + data
        + b"\nendstream\nendobj\n"
    )
    xref_at = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 2, 4, index) for index in range(3)]
    rows += [struct.pack(">BIH", 1, stream_at, 0), struct.pack(">BIH", 1, xref_at, 0)]
    xref = zlib.compress(b"".join(rows))
    out += (
        b"5 0 obj\n<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
        b"/Length %d >>\nstream\n" % len(xref) + xref + b"\nendstream\nendobj\n"
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_at
    return out


def bomb_pdf(unpacked: int = 80 * 2**20) -> bytes:
    """A one-page PDF of a few kB whose page content unpacks to `unpacked` bytes."""
    data = zlib.compress(b" " * unpacked, 9)
    return _xref_table_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
            b"<< /Filter /FlateDecode /Length %d >>\nstream\n" % len(data) + data + b"\nendstream",
        ]
    )


def unlisted_object_pdf(obj: bytes) -> bytes:
    """A valid PDF with one more object the cross-reference table does not list."""
    content = plain_pdf()
    at = content.index(b"xref\n")
    # Put it before the table and shift startxref accordingly.
    extra = b"9 0 obj\n" + obj + b"\nendobj\n"
    head, tail = content[:at], content[at:]
    start = int(tail.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    tail = tail.replace(b"startxref\n%d\n" % start, b"startxref\n%d\n" % (start + len(extra)))
    return head + extra + tail
