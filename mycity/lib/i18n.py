"""Texts in every language of the site, for a notification's context.

A notification is written once, in the caller's transaction, and rendered
later in each recipient's language: what it quotes is stored as
{"uk": …, "en": …} (see citizens.notifications).
"""

from django.conf import settings
from django.utils import translation


def in_every_language(text) -> dict[str, str]:
    """A lazy text (gettext_lazy, a choice's label) as {"uk": …, "en": …}.

    One entry per language in settings.LANGUAGES.
    """
    values = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            values[language] = str(text)
    return values


def field_in_every_language(obj, field: str) -> dict[str, str]:
    """A modeltranslation field as {"uk": …, "en": …}.

    An empty translation falls back to the default language's (Ukrainian).
    """
    default = getattr(obj, f"{field}_{settings.LANGUAGE_CODE}", "") or ""
    return {
        language: getattr(obj, f"{field}_{language}", "") or default
        for language, _name in settings.LANGUAGES
    }
