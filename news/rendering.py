"""Markdown to safe HTML (shared with the footer's pages: mycity/lib/markup.py),
and stable slugs from Ukrainian or English titles."""

from mycity.lib.markup import markdown_to_html
from mycity.lib.slugs import slugify_title

__all__ = ["markdown_to_html", "slugify_title"]
