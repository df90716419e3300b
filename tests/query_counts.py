"""Query counts of whole pages at growing data: the count must not grow with the rows.

A page's test seeds a few rows, counts the queries of one request, seeds up
to many more rows (each with what the page shows per row: photos, supports,
answers, translations, ...), counts again, and asserts both counts are equal
and at most `LIMIT`:

    counts = counts_at_growing_data(client, url, seed=lambda n: add_appeals(n))
    assert_flat(counts)

`seed(n)` adds `n` more rows; it is called once per size with the difference.

Every count is of a real render. The full-page cache for anonymous visitors
(mycity/pagecache.py) is off in the suite (`PAGE_CACHE_SECONDS = 0` in
tests/conftest.py; `page_query_count` checks it is still off). The Django
cache, which holds the per-fragment caches (alert banner, home blocks, the
appeal list's results, counts) and on Redis the cached sessions, is emptied
just before the counted request, so nothing comes from an earlier render. A
first, uncounted request warms what a process keeps for its lifetime
(content types, URL resolvers, templates), as a production process has.

`SHOW_QUERIES=1 pytest -s ...` prints the queries of every count.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

# Issue 20: a public or signed-in page makes at most this many queries.
LIMIT = 10
SIZES = (3, 30)


def forget_cache() -> None:
    """Empty the Django cache of this test, never anything outside it.

    The local-memory cache is the test's own (tests/conftest.py clears it);
    on Redis the test has its own key prefix and only those keys are deleted,
    so tests running alongside on the same Redis database keep theirs.
    """
    cache = caches["default"]
    config = settings.CACHES["default"]
    if "redis" not in config["BACKEND"].lower():
        cache.clear()
        return
    prefix = config.get("KEY_PREFIX", "")
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{prefix}:*", count=500))
    if keys:
        client.delete(*keys)


def page_query_count(
    client: Client, url: str, *, data=None, headers=None, prepare: Callable | None = None
) -> int:
    """The number of queries one GET of `url` makes on the default database, rendered for real.

    `prepare()` runs after the cache is emptied: for entries the app writes on
    every change rather than on a page's miss (the home page's latest news),
    which a page finds there in production and would leave out on a cold cache.
    """
    assert not settings.PAGE_CACHE_SECONDS, "the page cache would answer without a render"
    warm = client.get(url, data, headers=headers)
    assert warm.status_code == 200, (url, warm.status_code)
    forget_cache()
    if prepare is not None:
        prepare()
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as queries:
        response = client.get(url, data, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    if os.environ.get("SHOW_QUERIES"):
        sys.stdout.write(f"\n{url} {data or ''}: {len(queries)} queries\n")
        for query in queries.captured_queries:
            sys.stdout.write(f"   {query['sql'][:300]}\n")
    return len(queries)


def counts_at_growing_data(
    client: Client,
    url: str | Callable[[], str],
    *,
    seed: Callable[[int], object],
    sizes: Sequence[int] = SIZES,
    data=None,
    headers=None,
    prepare: Callable | None = None,
) -> list[int]:
    """Seed up to each size in turn and count the queries of the page at each.

    `url` may be a callable, for a page whose address is only known once rows exist.
    """
    counts, seeded = [], 0
    for size in sizes:
        seed(size - seeded)
        seeded = size
        address = url() if callable(url) else url
        counts.append(
            page_query_count(client, address, data=data, headers=headers, prepare=prepare)
        )
    return counts


def assert_flat(counts: Sequence[int], *, limit: int = LIMIT) -> None:
    """The same count at every size, and no more than `limit`."""
    assert len(set(counts)) == 1, f"the query count grows with the data: {list(counts)}"
    assert counts[0] <= limit, f"{counts[0]} queries, more than {limit}"
