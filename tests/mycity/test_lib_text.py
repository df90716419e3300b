"""mycity.lib.text: the word forms appeals and the service catalogue search by."""

import pytest

from mycity.lib.text import QUERY_WORDS, lemma, normalize, query_lemmas


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Ліхтарі", "ліхтар"),
        ("ЯМИ", "яма"),
        ("довідки", "довідка"),
        ("м’ясо", "м'ясо"),  # typographic apostrophe folded
        ("мʼясо", "м'ясо"),  # modifier-letter apostrophe folded
        ("2026", "2026"),  # no letter: left as it is
    ],
)
def test_lemma_is_lower_cased_with_apostrophes_folded(word, expected):
    assert lemma(word) == expected


def test_normalize_keeps_every_lemma_in_order_across_texts():
    assert normalize("Ліхтарі не світять", None, "Ями ями") == "ліхтар не світити яма яма"


def test_normalize_with_forms_puts_each_form_before_its_lemma_once():
    assert normalize("Довідки про доходи", "довідки", forms=True) == (
        "довідки довідка про доходи дохід"
    )


def test_normalize_of_nothing_is_empty():
    assert normalize() == ""
    assert normalize("", None, " ,.! ", forms=True) == ""


def test_query_lemmas_match_the_stored_lemmas():
    stored = normalize("Ліхтарі не світять на вулиці Ушакова").split()
    assert set(query_lemmas("ліхтаря вулицею")) <= set(stored)


def test_query_lemmas_leave_out_short_words_only_when_asked():
    assert query_lemmas("в ями, будинок 5") == ["в", "яма", "будинок", "5"]
    assert query_lemmas("в ями, будинок 5", min_length=2) == ["яма", "будинок"]


def test_query_lemmas_keep_the_first_words_only():
    query = " ".join(f"слово{i}" for i in range(QUERY_WORDS + 4))
    assert query_lemmas(query) == [f"слово{i}" for i in range(QUERY_WORDS)]


def test_query_of_nothing_has_no_lemmas():
    assert query_lemmas("") == []
    assert query_lemmas(None) == []
