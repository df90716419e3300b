"""The footer's links to the site's pages (mycity.pages): no query."""

from django import template

from mycity.pages import footer_links

register = template.Library()


@register.simple_tag
def footer_pages() -> list[dict]:
    return footer_links()
