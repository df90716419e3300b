"""Time the staff admin's appeal pages in-process, with their SQL.

    DEBUG=false SECRET_KEY=bench ALLOWED_HOSTS='*' SECURE_SSL_REDIRECT=false \
      SECURE_COOKIES=false LOG_LEVEL=WARNING \
      DATABASE_URL=postgres://postgres@127.0.0.1:5432/mycity_million \
      REDIS_URL=redis://127.0.0.1:6379/8 \
      .venv/bin/python scripts/bench_admin.py [--runs 5] [--explain 50] [--json out.json]

Signs in the demo moderator and the demo department staff member (seed_demo)
with Django's test Client (force_login plus the password + TOTP session
marker the test suite's `sign_in` writes), requests each page `--runs` times
after one warm-up and prints the median and 95th percentile wall time, the number of queries
and their summed database time. With `--explain MS`, every query slower
than MS milliseconds in the last run is EXPLAIN ANALYZEd (PostgreSQL).
Nothing is written except sessions.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mycity.settings")

import django

django.setup()

from allauth.account.internal.flows.login import (  # noqa: E402
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.account.internal.userkit import user_id_to_str  # noqa: E402
from allauth.mfa.models import Authenticator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from appeals.models import Appeal  # noqa: E402
from appeals.services.staff import appeals_for_staff  # noqa: E402

CHANGELIST = "/admin/appeals/appeal/"
QUEUE = "/admin/appeals/moderationqueue/"
DASHBOARD = "/admin/appeals/appeal/dashboard/"
STATIC_BACKEND = "django.contrib.staticfiles.storage.StaticFilesStorage"


def say(line: str) -> None:
    sys.stdout.write(f"{line}\n")


def sign_in(user) -> Client:
    client = Client()
    client.force_login(user)
    now = time.time()
    records = [{"method": "password", "at": now, "email": user.email}]
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is not None:
        records.append({"method": "mfa", "at": now, "id": totp.pk, "type": "totp"})
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()
    return client


def pages(user, *, moderator: bool) -> list[tuple[str, str]]:
    scoped = appeals_for_staff(user)
    some = scoped.order_by("-registered_at", "-pk").values_list("pk", "reference")[1000]
    prefix = some[1][: len(some[1]) - 3]  # e.g. KH-2026-0123: a thousand references
    items = [
        ("changelist page 1", CHANGELIST),
        # Counts past 10,000 rows are capped (EstimatedCountPaginator) unless the list is
        # the whole table: page 200 is the last a department's list reaches.
        ("changelist page 500", f"{CHANGELIST}?p=500")
        if moderator
        else ("changelist page 200", f"{CHANGELIST}?p=200"),
        ("status = in progress", f"{CHANGELIST}?status__exact=in_progress"),
        ("overdue", f"{CHANGELIST}?overdue=yes"),
    ]
    if moderator:
        items.append(("department", f"{CHANGELIST}?department__id__exact={_busiest()}"))
    items += [
        ("assigned to me", f"{CHANGELIST}?assigned=me"),
        (f"search reference {prefix}", f"{CHANGELIST}?q={prefix}"),
        ("search title word ліхтарі", f"{CHANGELIST}?q=ліхтарі"),
    ]
    if moderator:
        items.append(("moderation queue", QUEUE))
    items += [
        ("appeal change page", f"{CHANGELIST}{some[0]}/change/"),
        ("dashboard", DASHBOARD),
    ]
    return items


def _busiest() -> int:
    return Appeal.objects.order_by("department_id").values_list("department_id", flat=True).first()


def measure(client, url, runs):
    response = client.get(url)  # warm-up: caches, prepared plans, sessions
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
    queries = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
    # The 95th percentile of the runs (their slowest when fewer than 20).
    p95 = statistics.quantiles(times, n=20)[18] if runs >= 20 else max(times)
    return response.status_code, statistics.median(times), p95, queries


def explain(sql):
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", type=float, default=None, metavar="MS")
    parser.add_argument("--only", default="", help="measure pages whose name contains this")
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    args = parser.parse_args()
    # Not the manifest storage: no collectstatic needed, and hashing is not what we measure.
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": STATIC_BACKEND}}
    with override_settings(STORAGES=storages):
        run(args)


def run(args):

    users = get_user_model().objects
    people = [
        ("moderator", users.get(email="moderator@demo.mycity.test"), True),
        ("department staff", users.get(email="staff@demo.mycity.test"), False),
    ]
    say(f"{Appeal.objects.count():,} appeals; {connection.vendor}; DEBUG={settings.DEBUG}")
    say(
        f"{'who':<17} {'page':<36} {'status':>6} {'median ms':>10} {'p95 ms':>8}"
        f" {'queries':>8} {'SQL ms':>8}"
    )
    results = []
    for who, user, moderator in people:
        client = sign_in(user)
        for name, url in pages(user, moderator=moderator):
            if args.only and args.only not in name:
                continue
            status, median, p95, queries = measure(client, url, args.runs)
            sql_ms = sum(ms for ms, _sql in queries)
            say(
                f"{who:<17} {name:<36} {status:>6} {median:>10.1f} {p95:>8.1f}"
                f" {len(queries):>8} {sql_ms:>8.1f}"
            )
            slow = sorted(queries, reverse=True)[:3]
            for ms, sql in slow:
                say(f"{'':<17}   {ms:7.1f} ms  {sql[:150]}")
            if args.explain is not None and connection.vendor == "postgresql":
                for ms, sql in slow:
                    if ms >= args.explain and sql.lstrip().upper().startswith("SELECT"):
                        say(explain(sql))
            results.append(
                {
                    "who": who,
                    "page": name,
                    "url": url,
                    "status": status,
                    "median_ms": round(median, 1),
                    "p95_ms": round(p95, 1),
                    "queries": len(queries),
                    "sql_ms": round(sql_ms, 1),
                    "slowest": [(round(ms, 1), sql) for ms, sql in slow],
                }
            )
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
