"""mycity.lib.i18n: what a notification quotes, in every language of the site."""

from types import SimpleNamespace

from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext_lazy

from citizens.models import PriorityStatus
from mycity.lib.i18n import field_in_every_language, in_every_language


def test_a_lazy_text_in_every_language():
    text = gettext_lazy("Waiting for verification")
    assert in_every_language(text) == {"uk": "Очікує перевірки", "en": "Waiting for verification"}


def test_a_choice_label_in_every_language():
    label = PriorityStatus.Decision.VERIFIED.label
    assert in_every_language(label) == {"uk": "Підтверджено", "en": "Verified"}


def test_the_active_language_is_left_as_it_was():
    with translation.override("en"):
        in_every_language(gettext_lazy("Verified"))
        assert translation.get_language() == "en"


def test_a_plain_string_is_the_same_in_every_language():
    assert in_every_language("KH-2026-000001") == {"uk": "KH-2026-000001", "en": "KH-2026-000001"}


@override_settings(LANGUAGES=[("uk", "Українська")])
def test_only_the_languages_of_the_site():
    assert in_every_language(gettext_lazy("Verified")) == {"uk": "Підтверджено"}


def test_a_translated_field_in_every_language():
    service = SimpleNamespace(name_uk="Довідка", name_en="Certificate")
    assert field_in_every_language(service, "name") == {"uk": "Довідка", "en": "Certificate"}


def test_an_empty_translation_falls_back_to_ukrainian():
    centre = SimpleNamespace(address_uk="вул. Соборна, 1", address_en="")
    assert field_in_every_language(centre, "address") == {
        "uk": "вул. Соборна, 1",
        "en": "вул. Соборна, 1",
    }


def test_a_field_missing_in_every_language_is_empty():
    assert field_in_every_language(SimpleNamespace(name_en=None), "name") == {"uk": "", "en": ""}
