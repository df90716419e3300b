"""Refusing input that no part of the site can store or show: one rule for every app.

PostgreSQL refuses NUL (0x00) in text, so a NUL in any value that reaches a
query or a save is a server error there; a lone surrogate (JSON may carry
"\\ud800") cannot be encoded as UTF-8, so echoing it in a page or an error
message is one too; and JSON nested deeper than Python's recursion limit makes
the decoder raise RecursionError. Such input is refused as a whole with a 400
before any view sees it: the middleware (query string, path, form data and
JSON bodies of plain views), the REST API's JSON parser and Open311's own
parsing all use the functions here.
"""

import json
import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

# Deeper than any body the site's APIs take (survey answers nest three levels):
# anything beyond is refused before serializers or JSON fields walk it.
MAX_JSON_DEPTH = 32
UNSAFE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


class RefusedInputError(ValueError):
    """Input that is refused as a whole; `message` says why in the visitor's language."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self) -> str:
        return refusal_message(self.reason)


def refusal_message(reason: str) -> str:
    """The translated explanation of a refusal (`nul`, `surrogate` or `depth`)."""
    if reason == "depth":
        return _("The data is nested too deeply (at most %(depth)d levels).") % {
            "depth": MAX_JSON_DEPTH
        }
    return _(
        "The request contains characters that are not allowed (a NUL byte or an invalid "
        "Unicode character). Remove them and try again."
    )


def text_problem(value: str) -> str | None:
    """`"nul"`, `"surrogate"` or None for a string that is safe to store and show."""
    found = UNSAFE_CHARACTERS.search(value)
    if found is None:
        return None
    return "nul" if found.group() == "\x00" else "surrogate"


def check_texts(values: Iterable[str]) -> None:
    """Raise RefusedInputError if any of `values` holds a NUL byte or a lone surrogate."""
    for value in values:
        if isinstance(value, str) and (problem := text_problem(value)):
            raise RefusedInputError(problem)


def check_querydict(data) -> None:
    """Check every key and value of a QueryDict (query string or form data)."""
    for key, values in data.lists():
        check_texts([key])
        check_texts(values)


def check_json_value(data: Any, *, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Check a decoded JSON value: depth, and every string (keys included).

    Iterative, so a value nested deeper than the recursion limit is refused
    rather than crashing the check itself.
    """
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            check_texts([value])
        elif isinstance(value, dict | list):
            if depth > max_depth:
                raise RefusedInputError("depth")
            if isinstance(value, dict):
                check_texts(value.keys())
                stack.extend((item, depth + 1) for item in value.values())
            else:
                stack.extend((item, depth + 1) for item in value)


def loads(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH, **kwargs) -> Any:
    """json.loads that refuses deep nesting, NUL bytes and lone surrogates.

    Malformed JSON still raises json.JSONDecodeError (a ValueError) for the
    caller to report in its own way; refused input raises RefusedInputError.
    """
    try:
        data = json.loads(text, **kwargs)
    except RecursionError:
        raise RefusedInputError("depth") from None
    check_json_value(data, max_depth=max_depth)
    return data
