"""The footer's pages: the links every page shows, a page's safe HTML, and saving one.

The footer costs no query: its links are the fixed well-known pages, labelled
by the translation catalogue. A page itself is one query; its Markdown is
rendered and sanitised once per process and text (mycity/lib/markup.py).
"""

import functools
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from .lib.markup import markdown_to_html
from .models import Page
from .page_defaults import PAGES

# slug -> label of the footer's link, in the footer's order.
FOOTER_PAGES = {
    "privacy": _("Privacy notice"),
    "terms": _("Terms of use"),
    "contacts": _("Contacts of the administration"),
    "accessibility": _("Accessibility statement"),
}

PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def footer_links() -> list[dict]:
    """The footer's page links: no query."""
    return [
        {
            "slug": slug,
            "label": label,
            "url": reverse("privacy") if slug == "privacy" else reverse("page", args=[slug]),
        }
        for slug, label in FOOTER_PAGES.items()
    ]


def placeholders() -> dict[str, str]:
    """The words a page's text may use for values that live in the settings."""
    return {
        "controller": settings.PRIVACY_CONTROLLER,
        "controller_address": settings.PRIVACY_CONTROLLER_ADDRESS,
        "controller_email": settings.PRIVACY_CONTROLLER_EMAIL,
        "hotline": settings.CITY_HOTLINE,
        "retention_years": str(settings.PRIVACY_RETENTION_YEARS),
        "export_days": str(settings.DATA_EXPORT_DAYS),
    }


def page_for(slug: str) -> Page | None:
    """The page, or None; a footer page missing from the database is restored with its
    first text rather than leave a dead link in every page's footer."""
    page = Page.objects.filter(slug=slug).first()
    if page is None and slug in FOOTER_PAGES:
        for key, title_uk, title_en, body_uk, body_en in PAGES:
            if key == slug:
                page, _created = Page.objects.get_or_create(
                    slug=slug,
                    defaults={
                        "title_uk": title_uk, "title_en": title_en,
                        "body_uk": body_uk, "body_en": body_en,
                    },
                )  # fmt: skip
    return page


@functools.lru_cache(maxsize=64)
def _render(text: str) -> str:
    return markdown_to_html(text)


def page_html(page: Page) -> SafeString:
    """The page's text in the active language, as sanitised HTML."""
    values = placeholders()
    text = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), page.body or "")
    return mark_safe(_render(text))  # noqa: S308 - sanitised by nh3 in markdown_to_html


def page_save(*, page: Page, by) -> Page:
    """Validate and save a page written by `by` (a staff member with the right)."""
    page.updated_by = by if getattr(by, "is_authenticated", False) else None
    for code in ("uk", "en"):
        if not (getattr(page, f"title_{code}", "") or "").strip():
            raise ValidationError({f"title_{code}": _("Give the title in both languages.")})
        if not (getattr(page, f"body_{code}", "") or "").strip():
            raise ValidationError({f"body_{code}": _("Give the text in both languages.")})
    page.full_clean()
    page.save()
    return page
