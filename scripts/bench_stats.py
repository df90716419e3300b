"""Time the statistics pages and the open-data downloads in-process, cold and warm.

    . /tmp/benchenv.sh   # DEBUG=false, PAGE_CACHE_SECONDS=0, DATABASE_URL, REDIS_URL
    .venv/bin/python scripts/bench_stats.py [--runs 5] [--explain 200] [--skip-downloads]

For each page: the median of `--runs` cold requests (the cache cleared
before each: what the first visitor after the figures expire pays, every
source's figures computed) and of `--runs` warm ones (the figures kept, as
every other visitor within 10 minutes gets them), with the query count and
SQL time of the last cold one. Then each dataset: streamed straight from
the database (the first download of a day: time to the last byte, bytes,
rows, the process's peak memory growth), built to a file (the nightly job),
and served from that file. Nothing is written but the built files.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mycity.settings")

import django

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.utils import translation  # noqa: E402

from mycity import transparency  # noqa: E402
from mycity.models import Department  # noqa: E402
from stats import files, formats  # noqa: E402
from stats.models import PublishedFile  # noqa: E402


def say(line: str) -> None:
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


def pages() -> list[str]:
    busiest = Department.objects.order_by("pk").first()
    return [
        "/stats/",
        "/stats/?period=2026-q3",
        "/stats/?period=2026",
        "/stats/?period=custom&start=2024-01-01&end=2026-12-01",
        f"/stats/{busiest.slug}/",
        f"/stats/{busiest.slug}/?period=2026",
        "/stats/data/",
        "/stats/data/appeals/",
        "/stats/data/catalog.jsonld",
    ]


def timed(client, url, clear: bool):
    if clear:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        elapsed = (time.perf_counter() - start) * 1000
    sql = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    return response.status_code, elapsed, len(queries.captured_queries), sql, queries, len(body)


def explain(queries, threshold: float) -> None:
    for query in queries.captured_queries:
        if float(query["time"]) * 1000 >= threshold:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN ANALYZE " + query["sql"])
                plan = "\n    ".join(row[0] for row in cursor.fetchall())
            say(f"  {float(query['time']) * 1000:.0f} ms: {query['sql'][:300]}\n    {plan}")


def bench_pages(client, runs: int, threshold: float) -> None:
    say(f"{'page':<58} {'cold ms':>8} {'warm ms':>8} {'queries':>8} {'SQL ms':>8}")
    for url in pages():
        timed(client, url, clear=True)  # templates, resolvers
        cold = [timed(client, url, clear=True) for _ in range(runs)]
        warm = [timed(client, url, clear=False) for _ in range(runs)]
        status, _ms, count, sql, queries, _size = cold[-1]
        say(
            f"{url:<58} {statistics.median(c[1] for c in cold):>8.1f} "
            f"{statistics.median(w[1] for w in warm):>8.1f} {count:>8} {sql:>8.1f}"
            + ("" if status == 200 else f"  status {status}")
        )
        if threshold:
            explain(queries, threshold)


def peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def bench_downloads(client) -> None:
    say(
        f"\n{'download':<34} {'streamed s':>10} {'MB':>7} {'peak +MB':>9} "
        f"{'build s':>8} {'file ms':>8}"
    )
    for dataset in transparency.open_datasets():
        for fmt in formats.formats_of(dataset):
            url = f"/stats/data/{dataset.slug}.{fmt}"
            PublishedFile.objects.filter(dataset=dataset.slug, format=fmt).delete()
            cache.clear()
            before = peak_kb()
            with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
                start = time.perf_counter()
                response = client.get(url)
                size = sum(len(chunk) for chunk in response.streaming_content)
                streamed = time.perf_counter() - start
            grew = (peak_kb() - before) / 1024
            start = time.perf_counter()
            with translation.override("uk"):
                files.build(dataset, fmt, "uk")
            built = time.perf_counter() - start
            served = statistics.median(timed(client, url, clear=False)[1] for _ in range(5))
            say(
                f"{url:<34} {streamed:>10.2f} {size / 1e6:>7.1f} {grew:>9.1f} "
                f"{built:>8.2f} {served:>8.1f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", type=float, default=0)
    parser.add_argument("--skip-downloads", action="store_true")
    args = parser.parse_args()
    client = Client(HTTP_ACCEPT_LANGUAGE="uk")
    bench_pages(client, args.runs, args.explain)
    if not args.skip_downloads:
        bench_downloads(client)


if __name__ == "__main__":
    with override_settings(
        STORAGES={
            **django.conf.settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ):
        main()
