"""Markdown to safe HTML, for the texts staff write (news, the footer's pages).

Markdown is rendered with Python-Markdown and the result sanitised with nh3
(ammonia) against an allow-list: raw HTML in the body, <script> included, is
removed with its content, and links get rel="noopener noreferrer nofollow".
"""

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
