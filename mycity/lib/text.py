"""Ukrainian word forms for search: lower-cased lemmas, made in Python.

PostgreSQL has no Ukrainian stemmer and SQLite's LIKE folds case for ASCII
only, so the apps store a search column of lower-cased lemmas (simplemma:
ліхтарі → ліхтар, довідки → довідка) and look the query's lemmas up in it
with `contains`. The stored text and the query are both made here, so they
always agree.

Appeals store the lemmas only (their column carries a trigram index for
typo tolerance on PostgreSQL); the e-service catalogue stores each word's
lower-cased form beside its lemma (`forms=True`).
"""

import re
from functools import lru_cache

import simplemma

WORD = re.compile(r"[\w'’ʼ-]+", re.UNICODE)
# A query's first words only: each one is another filter on the column.
QUERY_WORDS = 8


@lru_cache(maxsize=50_000)
def lemma(word: str) -> str:
    """The lower-cased lemma of `word`; apostrophes folded to '; a word with no letter as is."""
    word = word.lower().replace("’", "'").replace("ʼ", "'")
    if not any(ch.isalpha() for ch in word):
        return word
    return simplemma.lemmatize(word, lang=("uk", "en")).lower()


def normalize(*texts: str, forms: bool = False) -> str:
    """The lemmas of the words in `texts`, space-separated.

    With `forms`, each word's lower-cased form stands before its lemma (when
    they differ) and every word is written once.
    """
    words: list[str] = []
    for text in texts:
        for word in WORD.findall(text or ""):
            base = lemma(word)
            if forms:
                low = word.lower()
                words.append(low)
                if base != low:
                    words.append(base)
            else:
                words.append(base)
    if forms:
        return " ".join(dict.fromkeys(words))
    return " ".join(words)


def query_lemmas(query: str, *, min_length: int = 1) -> list[str]:
    """The lemmas of the first words of `query`, those shorter than `min_length` left out."""
    lemmas = [lemma(word) for word in WORD.findall(query or "")]
    return [word for word in lemmas if len(word) >= min_length][:QUERY_WORDS]
