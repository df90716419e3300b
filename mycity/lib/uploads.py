"""Checking an uploaded document by its content: a PDF, a JPEG or a PNG, nothing else.

Residents' e-service documents and the files staff attach to an official
answer pass the same checks, so that a file nobody may open safely never
reaches an officer's or a resident's disk:

- the size is limited before anything is read past the limit;
- the type comes from the content, never from the name or the browser;
- images are opened by Pillow (decompression bombs refused) and re-encoded
  in their own format, so EXIF (GPS included) is gone;
- a PDF is parsed by pypdf: every object in the cross-reference table, those
  inside compressed object streams included, and any object the table does
  not list, with names already unescaped (/J#61vaScript is /JavaScript).
  Active content (scripts, automatic and launch actions, links out, forms
  that send or import data, embedded files, rich media) is refused. Streams
  are decompressed within limits, so a decompression bomb is refused too.
"""

import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypdf import PdfReader, apply_configuration
from pypdf.errors import LimitReachedError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    EncodedStreamObject,
    IndirectObject,
    NameObject,
    StreamObject,
    read_object,
)

from .images import ImageRefusedError, open_clean_image

NAME_MAX = 200
IMAGE_FORMATS = {"JPEG", "MPO", "PNG"}
MAX_PIXELS = 60_000_000
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
CONTENT_TYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
EXTENSIONS = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}

# Names that make a PDF do something on its own: run a script, act when
# opened or when a page or field is touched, start a program, open a
# link, send or import form data, jump to another file, play rich media,
# or carry files inside. Refused as a key or as a value (/S /Launch);
# only an /OpenAction that opens at a page of the same file (a destination
# or a GoTo action to one, as LaTeX writes) may stay.
ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/OpenAction",
        "/AA",
        "/Launch",
        "/URI",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
        "/RichMedia",
        "/RichMediaExecute",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/FileAttachment",
        "/XFA",
    }
)
# One stream may unpack to this much; all of them together (pictures aside,
# which are held to MAX_PIXELS) to the larger of this and UNPACK_RATIO times
# the file. Text, fonts and drawings stay well below; bombs do not.
STREAM_UNPACKED_MAX = 64 * 1024 * 1024
UNPACK_RATIO = 40
# Filters decoded to measure what a stream unpacks to (images in DCT, JPX,
# JBIG2 or CCITT are left as they are: their decoders are not ours to run).
MEASURED_FILTERS = frozenset(
    {
        "/FlateDecode",
        "/Fl",
        "/LZWDecode",
        "/LZW",
        "/RunLengthDecode",
        "/RL",
        "/ASCIIHexDecode",
        "/AHx",
        "/ASCII85Decode",
        "/A85",
    }
)
HEX_ESCAPE_RE = re.compile(rb"#([0-9A-Fa-f]{2})")
RAW_NAME_RE = re.compile(rb"/[A-Za-z]+(?![A-Za-z])")
OBJECT_HEADER_RE = re.compile(rb"(?<![0-9])(\d{1,10})\s+(\d{1,5})\s+obj\b")
WHITESPACE = (b" ", b"\t", b"\r", b"\n", b"\x0c", b"\x00")
MAX_DEPTH = 64


class PdfRefusedError(Exception):
    """Why a PDF was refused: "damaged", "active", "encrypted", "unpacked" or "pages"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass
class CheckedFile:
    content: bytes
    name: str
    kind: str  # "pdf", "jpeg" or "png"
    pages: int

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.kind]

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]


def clean_name(name: str) -> str:
    """The file's own name without folders or characters unsafe in a header or a file system."""
    name = (name or "document").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>:|?*')
    return name.strip()[-NAME_MAX:] or "document"


def check_file(upload, *, max_bytes: int, max_pages: int) -> CheckedFile:
    """The upload's checked content, or ValidationError with a message for the user."""
    name = clean_name(getattr(upload, "name", ""))
    too_large = ValidationError(
        _("“%(name)s” is larger than %(mb)d MB.") % {"name": name, "mb": max_bytes // 2**20}
    )
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise too_large
    upload.seek(0)
    content = upload.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise too_large
    if not content:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": name})
    if content.startswith(b"%PDF-"):
        return _check_pdf(content, name, max_pages)
    return _check_image(content, name)


def _check_pdf(content: bytes, name: str, max_pages: int) -> CheckedFile:
    try:
        pages = inspect_pdf(content)
    except PdfRefusedError as refused:
        messages = {
            "damaged": _("“%(name)s” is a damaged or incomplete PDF. Save it again and attach it."),
            "active": _(
                "“%(name)s” contains scripts, links, automatic actions or embedded files. "
                "Print it to a plain PDF first."
            ),
            "encrypted": _(
                "“%(name)s” is protected by a password. Save it without a password and attach it."
            ),
            "unpacked": _(
                "“%(name)s” unpacks to far more data than a document holds. "
                "Print it to a plain PDF first."
            ),
            "pages": _("“%(name)s” has no pages we can read."),
        }
        raise ValidationError(messages[refused.reason] % {"name": name}) from None
    if pages > max_pages:
        raise ValidationError(
            _("“%(name)s” has %(pages)d pages; the limit is %(max)d.")
            % {"name": name, "pages": pages, "max": max_pages}
        )
    if not name.lower().endswith(".pdf"):
        name = f"{name}.pdf"
    return CheckedFile(content=content, name=name, kind="pdf", pages=pages)


def inspect_pdf(content: bytes) -> int:
    """The number of pages of a PDF with no active content, or PdfRefusedError."""
    if b"%%EOF" not in content[-2048:]:
        raise PdfRefusedError("damaged")
    limits = {
        "zlib_maximum_output_length": STREAM_UNPACKED_MAX,
        "lzw_maximum_output_length": STREAM_UNPACKED_MAX,
        "run_length_maximum_output_length": STREAM_UNPACKED_MAX,
        "array_based_stream_maximum_output_length": STREAM_UNPACKED_MAX,
        "maximum_declared_stream_length": STREAM_UNPACKED_MAX,
    }
    try:
        with apply_configuration(**limits):
            return _inspect(content)
    except PdfRefusedError:
        raise
    except LimitReachedError:
        raise PdfRefusedError("unpacked") from None
    except Exception:
        # pypdf could not read it (or only by guessing): neither can we vouch
        # for it. Say why if active content shows even in the raw bytes.
        reason = "active" if _raw_names_active(content) else "damaged"
        raise PdfRefusedError(reason) from None


def _raw_names_active(content: bytes) -> bool:
    """Whether the uncompressed bytes name active content, #xx escapes undone."""
    unescaped = HEX_ESCAPE_RE.sub(lambda m: bytes([int(m[1], 16)]), content)
    # /OpenAction alone may be a harmless "open at page 1": not evidence here.
    names = ACTIVE_NAMES - {"/OpenAction"}
    return any(m[0].decode() in names for m in RAW_NAME_RE.finditer(unescaped))


def _inspect(content: bytes) -> int:
    reader = PdfReader(io.BytesIO(content), strict=False)
    if reader.is_encrypted:
        # An empty user password (restrictions only) opens like any PDF.
        try:
            opened = reader.decrypt("")
        except Exception:
            opened = 0
        if not opened:
            raise PdfRefusedError("encrypted")
    # From here on, what pypdf would only warn about is an error: above all a
    # key given twice in one dictionary (pypdf keeps the first, a viewer may
    # act on the second). Objects read so far are read again under this rule.
    reader.strict = True
    reader.resolved_objects.clear()
    budget = _Budget(max(STREAM_UNPACKED_MAX, UNPACK_RATIO * len(content)))
    seen: set[tuple[int, int]] = set()
    _walk(reader.trailer, budget)
    for generation, table in reader.xref.items():
        for number in list(table):
            seen.add((number, generation))
            _walk(reader.get_object(IndirectObject(number, generation, reader)), budget)
    for number in list(reader.xref_objStm):
        seen.add((number, 0))
        _walk(reader.get_object(number), budget)
    _walk_unlisted(reader, content, seen, budget)
    pages = len(reader.pages)
    if pages < 1:
        raise PdfRefusedError("pages")
    return pages


class _Budget:
    def __init__(self, total: int):
        self.left = total

    def spend(self, stream: StreamObject) -> None:
        if stream.get("/Subtype") == "/Image":
            # A picture is measured by what it declares, as photos are: a viewer
            # decodes it at that size. Scans compress well; they are not decoded here.
            width, height = (_resolved(stream.get(key, 0)) for key in ("/Width", "/Height"))
            if not isinstance(width, int) or not isinstance(height, int):
                raise PdfRefusedError("damaged")
            if width * height > MAX_PIXELS:
                raise PdfRefusedError("unpacked")
            return
        if not isinstance(stream, EncodedStreamObject):
            return  # stored as it is: the file's size already bounds it
        filters = _resolved(stream.get("/Filter"))
        names = [_resolved(f) for f in filters] if isinstance(filters, ArrayObject) else [filters]
        if not filters or any(str(f) not in MEASURED_FILTERS for f in names):
            return
        self.left -= len(stream.get_data())
        if self.left < 0:
            raise PdfRefusedError("unpacked")


def _resolved(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _walk(root, budget: _Budget) -> None:
    """Refuse `root` if it or anything directly inside it names active content."""
    stack = [(root, 0)]
    while stack:
        obj, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise PdfRefusedError("damaged")
        if isinstance(obj, NameObject):
            if str(obj) in ACTIVE_NAMES:
                raise PdfRefusedError("active")
        elif isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if str(key) == "/OpenAction" and _is_destination(value):
                    # "Open at this page": a place, not an action. A GoTo's /Next is walked.
                    if isinstance(value, DictionaryObject):
                        stack.append((value, depth + 1))
                    continue
                if str(key) in ACTIVE_NAMES:
                    raise PdfRefusedError("active")
                # Indirect objects are walked on their own, from the table.
                if not isinstance(value, IndirectObject):
                    stack.append((value, depth + 1))
            if isinstance(obj, StreamObject):
                budget.spend(obj)
        elif isinstance(obj, ArrayObject):
            stack.extend((item, depth + 1) for item in obj if not isinstance(item, IndirectObject))


def _is_destination(value) -> bool:
    """A page to open at: a destination, or a GoTo action to one in the same file.

    Anything chained to the GoTo (/Next) is still walked and refused if active.
    """
    value = _resolved(value)
    if isinstance(value, DictionaryObject) and value.get("/S") == "/GoTo":
        value = _resolved(value.get("/D"))
    return isinstance(value, ArrayObject) and all(
        not isinstance(item, DictionaryObject) for item in value
    )


def _walk_unlisted(reader: PdfReader, content: bytes, seen, budget: _Budget) -> None:
    """Objects in the file that the cross-reference table does not list.

    A viewer that repairs the file may still find them, so they are read
    and checked too; an unlisted object stream cannot be vouched for.
    """
    stream = io.BytesIO(content)
    for match in OBJECT_HEADER_RE.finditer(content):
        number, generation = int(match[1]), int(match[2])
        if (number, generation) in seen:
            continue
        start = match.end()
        while content[start : start + 1] in WHITESPACE:
            start += 1
        stream.seek(start)
        try:
            obj = read_object(stream, reader)
        except (LimitReachedError, PdfRefusedError):
            raise
        except Exception:  # noqa: S112 — text that only looks like an object header
            continue
        if isinstance(obj, DictionaryObject) and obj.get("/Type") == "/ObjStm":
            raise PdfRefusedError("damaged")
        _walk(obj, budget)


def _check_image(content: bytes, name: str) -> CheckedFile:
    try:
        image, fmt = open_clean_image(
            io.BytesIO(content), formats=IMAGE_FORMATS, max_pixels=MAX_PIXELS
        )
    except ImageRefusedError as refused:
        if refused.reason == "bomb":
            raise ValidationError(
                _("“%(name)s” has too many pixels to be a scan or a photo.") % {"name": name}
            ) from None
        raise ValidationError(
            _("“%(name)s” is not a PDF, JPEG or PNG file we can read.") % {"name": name}
        ) from None
    kind = "png" if fmt == "PNG" else "jpeg"
    out = io.BytesIO()
    if kind == "png":
        image.save(out, "PNG", optimize=True)
    else:
        image.convert("RGB").save(out, "JPEG", quality=90)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return CheckedFile(content=out.getvalue(), name=f"{stem}{EXTENSIONS[kind]}", kind=kind, pages=1)
