"""mycity.lib.slugs: ASCII slugs of Ukrainian or English text (news addresses, choice keys)."""

import pytest

from mycity.lib.slugs import slugify_title, unique_slug


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Вода в Херсоні", "voda-v-khersoni"),
        ("Щось м’яке, їжак і ґанок", "shchos-miake-izhak-i-ganok"),
        ("30–100 см", "30-100-sm"),
        ("Bus stop", "bus-stop"),
        ("???", "item"),
        ("", "item"),
    ],
)
def test_slugs_are_ascii_by_the_national_transliteration(text, slug):
    assert slugify_title(text) == slug


def test_a_taken_slug_gets_the_next_free_number():
    assert unique_slug("Ліва", set()) == "liva"
    assert unique_slug("Ліва", {"liva", "liva-2"}) == "liva-3"


def test_a_numbered_slug_keeps_within_the_length():
    slug = unique_slug("я" * 40, {"ia" * 20}, max_length=40)

    assert slug == "ia" * 19 + "-2"
    assert len(slug) <= 40
