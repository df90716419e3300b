"""Stable ASCII slugs from Ukrainian or English text (news addresses, choice keys)."""

import re

# The Ukrainian national transliteration (Cabinet of Ministers resolution 55, 2010),
# without the word-initial forms, which a slug does not need.
_UK = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "'": "", "’": "", "ʼ": "",
}  # fmt: skip


def slugify_title(title: str, max_length: int = 80) -> str:
    """An ASCII slug of a title in either language ("Вода в Херсоні" → "voda-v-khersoni")."""
    text = "".join(_UK.get(ch, ch) for ch in (title or "").lower())
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:max_length].rstrip("-") or "item"


def unique_slug(text: str, taken, max_length: int = 80) -> str:
    """slugify_title(text), with -2, -3… appended while it is in `taken` (a set of slugs)."""
    base = slugify_title(text, max_length)
    slug, number = base, 2
    while slug in taken:
        suffix = f"-{number}"
        slug = base[: max_length - len(suffix)].rstrip("-") + suffix
        number += 1
    return slug
