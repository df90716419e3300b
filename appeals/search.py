"""Search in Ukrainian word forms on PostgreSQL and SQLite alike.

PostgreSQL has no Ukrainian stemmer and SQLite's LIKE folds case for ASCII
only, so we store lower-cased lemmas (simplemma: ліхтарі → ліхтар, ями →
яма) in Appeal.search_text and look the query's lemmas up in it.

On PostgreSQL a word of the query also matches a word of search_text that
is spelt almost the same (pg_trgm word similarity: "Ушакво" finds "проспект
Ушакова"), through the GIN trigram index that migration 0002 creates. Run
such a query inside `typo_tolerance()`, which sets our threshold for the
transaction; outside it PostgreSQL's default (0.6) applies, which is stricter.
"""

from contextlib import contextmanager

from django.db import connections, router, transaction
from django.db.models import BooleanField, F, Func, Q, Value

from mycity.lib.text import query_lemmas

# word_similarity("ушакво", "проспект ушакова") is 0.57, one swapped pair of
# letters in a 6-letter name; unrelated words of that length score < 0.4.
WORD_SIMILARITY = 0.5
# PostgreSQL's default is 0.0025; see typo_tolerance().
SEARCH_OPERATOR_COST = 0.25
# Shorter words have too few trigrams to tell a typo from another word.
TYPO_MIN_LENGTH = 4
# A one-letter word (a preposition, a house letter) would only narrow the list.
QUERY_MIN_LENGTH = 2


class WordSimilar(Func):
    """`search_text %> 'word'`: some word of the column is spelt like `word` (pg_trgm)."""

    arg_joiner = " %%> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def search(queryset, query: str):
    """Appeals whose title, description or address contain every word of `query`."""
    typos = connections[queryset.db].vendor == "postgresql"
    for word in query_lemmas(query, min_length=QUERY_MIN_LENGTH):
        match = Q(search_text__contains=word)
        if typos and len(word) >= TYPO_MIN_LENGTH:
            match |= Q(WordSimilar(F("search_text"), Value(word)))
        queryset = queryset.filter(match)
    return queryset


@contextmanager
def typo_tolerance(model=None, *, needed: bool = True, using: str | None = None):
    """Evaluate search querysets inside this block to use WORD_SIMILARITY on PostgreSQL.

    The settings are local to a transaction, so a pooled or persistent
    connection never carries them over to another request.
    """
    # `using`: the alias the search reads from (the read replica for the public list).
    alias = using or (router.db_for_read(model) if model else "default")
    connection = connections[alias]
    if not needed or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias):
        # pg_trgm declares its operators as cheap as "=" (COST 1), so for a
        # common word the planner prefers scanning every row and computing
        # word similarity on each: ~10x slower than the trigram index at
        # 20,000 appeals (docs/benchmarks.md). Pricing operators 100x higher
        # for this transaction makes it pick the index. Both settings end
        # with the transaction.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, true),"
                " set_config('cpu_operator_cost', %s, true)",
                [str(WORD_SIMILARITY), str(SEARCH_OPERATOR_COST)],
            )
        yield
