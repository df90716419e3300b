"""Markdown to safe HTML, and stable slugs from Ukrainian or English titles.

Markdown is rendered with Python-Markdown and the result sanitised with nh3
(ammonia) against an allow-list: raw HTML in the body, <script> included, is
removed with its content, and links get rel="noopener noreferrer nofollow".
"""

import re

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "u", "s", "blockquote", "code", "pre",
    "ul", "ol", "li", "h2", "h3", "h4", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set()}


def markdown_to_html(text: str) -> str:
    """Safe HTML for a Markdown body."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
        clean_content_tags={"script", "style"},
    )


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
