"""How many SMS segments a text takes, and shortening a text to fit a number of them.

A text made only of the GSM 03.38 alphabet goes in 7-bit characters: 160 in
one segment, 153 in each part of a longer one (the rest carries the header
that joins the parts). The characters of the extension table (€, [, ], {, },
|, ^, ~, \\ and the form feed) take two, an escape and the character, and
the two never go to different parts. Any other character (Cyrillic above
all, "…" and emoji too) makes the whole text UCS-2: 70 in one segment, 67 in
each part, a character outside the Basic Multilingual Plane taking two and
never split between parts either. Operators bill per segment, so the city
keeps messages to SMS_MAX_SEGMENTS.

Pure functions, no Django: tests/citizens/notifications/test_sms_segments.py.
"""

from dataclasses import dataclass

GSM7 = "gsm7"
UCS2 = "ucs2"

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

# (one segment, each part of several)
CAPACITY = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class Count:
    encoding: str
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def encoding(text: str) -> str:
    """GSM7 when every character is in the GSM 03.38 alphabet or its extension, else UCS2."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        return GSM7
    return UCS2


def _units(ch: str, enc: str) -> int:
    if enc == GSM7:
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1


def _parts(text: str, enc: str) -> int:
    """Parts of a message longer than one segment: characters are never split."""
    per_part = CAPACITY[enc][1]
    parts, used = 1, 0
    for ch in text:
        size = _units(ch, enc)
        if used + size > per_part:
            parts += 1
            used = 0
        used += size
    return parts


def count(text: str) -> Count:
    """The encoding, units and segments of `text` (an empty text is one segment)."""
    enc = encoding(text)
    units = sum(_units(ch, enc) for ch in text)
    single = CAPACITY[enc][0]
    segments = 1 if units <= single else _parts(text, enc)
    return Count(encoding=enc, units=units, segments=segments)


def fits(text: str, max_segments: int) -> bool:
    return count(text).segments <= max_segments


def _longest_prefix(text: str, suffix: str, max_segments: int) -> str | None:
    """The longest start of `text` that fits with `suffix` after it (None: not even empty)."""
    if not fits(suffix, max_segments):
        return None
    low, high = 0, len(text)
    # Fitting is monotonic in the prefix's length: a binary search.
    while low < high:
        middle = (low + high + 1) // 2
        if fits(text[:middle] + suffix, max_segments):
            low = middle
        else:
            high = middle - 1
    return text[:low]


def shorten(text: str, *, link: str = "", max_segments: int = 2, min_text: int = 20) -> str:
    """`text` and `link` (if any) as one message of at most `max_segments` segments.

    What does not fit is cut at a word where one is near, and marked with an
    ellipsis ("…" in a UCS-2 message, "..." in a GSM-7 one, where "…" would
    turn the whole message to UCS-2). The link is kept whole after the text,
    unless keeping it would leave fewer than `min_text` characters of the
    text: then it is dropped, as a broken link is no use.
    """
    if max_segments < 1:
        raise ValueError("max_segments must be at least 1")
    text = text.strip()
    whole = f"{text} {link}" if link and text else (text or link)
    if fits(whole, max_segments):
        return whole
    ellipsis = "…" if encoding(text) == UCS2 else "..."
    for suffix in (f"{ellipsis} {link}", ellipsis) if link else (ellipsis,):
        prefix = _longest_prefix(text, suffix, max_segments)
        if prefix is None:
            continue
        cut = _at_word(prefix)
        if suffix != ellipsis and len(cut) < min(min_text, len(text)):
            continue  # the link would crowd out the text: drop it
        return cut + suffix
    # Not even the ellipsis fits (max_segments is tiny): the start of the text alone.
    return _longest_prefix(text, "", max_segments) or ""


def _at_word(prefix: str) -> str:
    """Cut back to the last space when it is not too far back (a fifth of the text)."""
    stripped = prefix.rstrip()
    space = stripped.rfind(" ")
    if space > 0 and len(stripped) - space <= max(10, len(stripped) // 5):
        return stripped[:space].rstrip(" ,;:-–—")
    return stripped
