"""Open311 responses in the two formats of the spec: XML (required) and JSON.

One structure serves both: a list of dicts (or a dict for discovery and a
service definition). In XML a list becomes a wrapper element whose items
take the singular tag; True/False become "true"/"false" and None an empty
element, as the spec's examples show.
"""

import json
import re

from django.http import HttpResponse

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
ITEM_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_requests": "request",
    "errors": "error",
    "unsupported_parameters": "parameter",
}
# Control characters XML 1.0 cannot carry at all (a pasted text may hold them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _text(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return _NOT_XML.sub("", str(value)).translate(_ESCAPES)


def _append(out: list, tag: str, value) -> None:
    # Written as text rather than through ElementTree: a page of 1000
    # requests is 17,000 elements, and this is several times faster.
    if isinstance(value, dict):
        out.append(f"<{tag}>")
        for key, item in value.items():
            _append(out, key, item)
        out.append(f"</{tag}>")
    elif isinstance(value, list | tuple):
        out.append(f"<{tag}>")
        item_tag = ITEM_TAGS[tag]
        for item in value:
            _append(out, item_tag, item)
        out.append(f"</{tag}>")
    else:
        out.append(f"<{tag}>{_text(value)}</{tag}>")


def to_xml(root: str, data) -> bytes:
    """`data` under the root element `root`: a list is its items, a dict its children."""
    out = [XML_DECLARATION, f"<{root}>"]
    if isinstance(data, dict):
        for key, value in data.items():
            _append(out, key, value)
    else:
        item_tag = ITEM_TAGS[root]
        for item in data:
            _append(out, item_tag, item)
    out.append(f"</{root}>")
    return "".join(out).encode()


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def render(fmt: str, root: str, data, *, status: int = 200) -> HttpResponse:
    body = to_xml(root, data) if fmt == "xml" else to_json(data)
    return HttpResponse(body, status=status, content_type=FORMATS[fmt])


def render_errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    errors = [{"code": status, "description": str(text)} for text in descriptions]
    return render(fmt, "errors", errors, status=status)
