"""Time the big public lists in-process, cold (no page cache, no kept results), with their SQL.

    DEBUG=false SECRET_KEY=bench ALLOWED_HOSTS='*' SECURE_SSL_REDIRECT=false \
      SECURE_COOKIES=false LOG_LEVEL=WARNING PAGE_CACHE_SECONDS=0 \
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/mycity_million \
      REDIS_URL=redis://127.0.0.1:6379/8 \
      .venv/bin/python scripts/bench_lists.py [--runs 7] [--explain 50]

Requests each list anonymously `--runs` times after one warm-up, clearing
the cache before each request so that every run computes the list (what
the first visitor after a change pays), and prints the median wall time,
the number of queries and their summed database time. With `--explain MS`,
every query slower than MS milliseconds in the last run is EXPLAIN
ANALYZEd. Nothing is written but a session.

With `--as EMAIL` the pages are requested signed in as that person (the
cache is then left alone: it holds the session), by default the signed-in
pages: the cabinet, one's requests (the demo resident of `seed_appeals`
authored a third of the million), one's own appeal page and the inbox.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mycity.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from appeals.models import Appeal  # noqa: E402

PAGES = [
    "/requests/",
    "/requests/?page=2",
    "/requests/?page=5000",
    "/requests/?status=answered",
    "/requests/?status=answered&page=2000",
    "/requests/?q=%D0%BB%D1%96%D1%85%D1%82%D0%B0%D1%80",
    "/proposals/",
    "/proposals/?page=5000",
    "/proposals/?sort=newest",
    "/api/v1/appeals/",
    "/api/v1/appeals/?page=20000",
    "/open311/v2/requests.json",
    "/open311/v2/requests.json?page_size=1000&page=500",
]
SIGNED_IN = [
    "/me/",
    "/me/requests/",
    "/me/requests/?page=2000",
    "/me/notifications/",
    "/me/services/",
    "/me/surveys/",
]


def say(line: str) -> None:
    sys.stdout.write(f"{line}\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--explain", type=float, default=0)
    parser.add_argument("--as", dest="email", default=None)
    parser.add_argument("pages", nargs="*")
    args = parser.parse_args()
    client = Client(HTTP_ACCEPT_LANGUAGE="uk")
    pages = args.pages or PAGES
    if args.email:
        user = get_user_model().objects.get(email=args.email)
        client.force_login(user)
        # allauth's record of a password sign-in, as the test suite's sign_in writes it.
        session = client.session
        session["account_authentication_methods"] = [{"method": "password", "at": time.time()}]
        session.save()
        if not args.pages:
            own = Appeal.objects.filter(author=user).order_by("-pk").first()
            pages = [*SIGNED_IN, *([own.get_absolute_url()] if own else [])]
    clear = cache.clear if not args.email else (lambda: None)
    say(f"{'page':<50} {'status':>6} {'median ms':>10} {'queries':>8} {'SQL ms':>8}")
    for url in pages:
        clear()
        client.get(url)
        times, sql = [], []
        for _ in range(args.runs):
            clear()
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
            sql.append(sum(float(q["time"]) for q in queries.captured_queries) * 1000)
        say(
            f"{url:<50} {response.status_code:>6} {statistics.median(times):>10.1f} "
            f"{len(queries.captured_queries):>8} {statistics.median(sql):>8.1f}"
        )
        if args.explain:
            for query in queries.captured_queries:
                if float(query["time"]) * 1000 >= args.explain:
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN ANALYZE " + query["sql"])
                        plan = "\n    ".join(row[0] for row in cursor.fetchall())
                    say(f"  {float(query['time']) * 1000:.0f} ms: {query['sql'][:300]}\n    {plan}")


if __name__ == "__main__":
    with override_settings(
        STORAGES={
            **django.conf.settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ):
        main()
