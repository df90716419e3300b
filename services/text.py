"""Search text in Ukrainian word forms: lower-cased lemmas, stored in Python.

SQLite's LIKE folds case for ASCII only, so both the stored text and the
query are lower-cased lemmas (simplemma: довідки → довідка) made here.
"""

import re
from functools import lru_cache

import simplemma

WORD = re.compile(r"[\w'’ʼ-]+", re.UNICODE)


@lru_cache(maxsize=20_000)
def lemma(word: str) -> str:
    word = word.lower().replace("’", "'").replace("ʼ", "'")
    if not any(ch.isalpha() for ch in word):
        return word
    return simplemma.lemmatize(word, lang=("uk", "en")).lower()


def normalize(*texts: str) -> str:
    """Space-separated lemmas of every word, each also in its lower-cased form."""
    words: list[str] = []
    for text in texts:
        for word in WORD.findall(text or ""):
            low = word.lower()
            words.append(low)
            base = lemma(word)
            if base != low:
                words.append(base)
    return " ".join(dict.fromkeys(words))


def query_words(query: str) -> list[str]:
    return [lemma(word) for word in WORD.findall(query or "")][:8]
