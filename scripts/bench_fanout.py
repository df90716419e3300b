#!/usr/bin/env python
# A command-line tool: it prints its figures and runs fixed local commands.
# ruff: noqa: T201, S603
"""Benchmark a city-wide notification: notify_audience() for every resident,
fanned out and sent by a real Celery worker.

    .venv/bin/python scripts/bench_fanout.py                      # 100,000 residents, dummy mail
    .venv/bin/python scripts/bench_fanout.py --residents 10000 --mail smtp
    .venv/bin/python scripts/bench_fanout.py --mail smtp --lane   # an alert while a digest goes out

Needs PostgreSQL and Redis on 127.0.0.1. It creates a throw-away database
(mycity_fanout), fills it with residents that have a verified e-mail address
(bulk inserts, one precomputed password hash), commits one notify_audience()
for the whole city and measures, from that commit:

- until every Notification row is written (the broadcast is done),
- until every Delivery is sent,
- messages per second, and the peak resident memory (VmHWM) of the worker
  processes, read from /proc.

The worker is `celery -A mycity worker --concurrency=N` in its own process,
with production settings (DEBUG off) and a Redis database of its own that
must be empty when the run starts. Mail goes to:

- `dummy`: Django's dummy backend (messages are built, rendered and signed,
  then dropped), which measures the outbox itself;
- `smtp`: a real SMTP conversation with an aiosmtpd sink on loopback that
  counts and discards each message (one connection per delivery batch, as
  the e-mail channel sends them), which also proves each message crossed
  the wire exactly once.

With `--lane` (issue 21, the priority lane): a city-wide digest
(`news.digest`) is committed first and a critical alert (`news.alert_critical`)
to the same residents a second later, while a second worker reads only the
priority queue (`-Q priority`, `--lane-concurrency`). It reports, from each
commit, when the alert's messages were all sent and when the digest's were.

The database, the Redis keys and the processes are removed at the end.
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PG = "postgres://postgres@127.0.0.1:5432"

SINK = """
import asyncio, signal, sys, threading
from aiosmtpd.controller import Controller

class Count:
    received = 0
    async def handle_DATA(self, server, session, envelope):
        Count.received += 1
        return "250 OK"

controller = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: stop.set())
print("ready", flush=True)
stop.wait()
controller.stop()
print(Count.received, flush=True)
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--mail", choices=["dummy", "smtp"], default="dummy")
    parser.add_argument("--database", default="mycity_fanout")
    parser.add_argument("--redis-db", type=int, default=5)
    parser.add_argument("--smtp-port", type=int, default=8026)
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for sending")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--lane", action="store_true", help="an alert in the priority lane during a digest"
    )
    parser.add_argument("--lane-concurrency", type=int, default=2)
    return parser.parse_args()


def environment(args) -> dict[str, str]:
    mail = f"smtp://127.0.0.1:{args.smtp_port}" if args.mail == "smtp" else "dummymail://"
    return {
        **os.environ,
        "DEBUG": "false",  # DEBUG would keep every query in memory
        "SECRET_KEY": "bench-fanout-" + os.urandom(24).hex(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1:8000",
        "DATABASE_URL": f"{PG}/{args.database}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "EMAIL_URL": mail,
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "mycity.settings",
    }


def admin_sql(*statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def memory_kib(pid: int, field: str = "VmHWM") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def residents_in_batches(count: int, *, domain: str, password: str, step: int = 5000):
    """Create `count` residents with verified addresses in bulk; yield each batch of users.

    Shared with scripts/multinode_drill.py, which adds its own rows to each batch.
    """
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password

    from citizens.models import User

    hashed = make_password(password)
    for start in range(0, count, step):
        users = User.objects.bulk_create(
            User(
                email=f"resident{i}@{domain}",
                password=hashed,
                full_name=f"Resident {i}",
                preferred_language="en" if i % 10 == 0 else "uk",
            )
            for i in range(start, min(start + step, count))
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
        )
        yield start, users


def seed(count: int) -> float:
    """Residents with verified addresses, in bulk. Returns seconds taken."""
    started = time.monotonic()
    for _batch in residents_in_batches(
        count, domain="fanout.example", password="bench-fanout-password"
    ):
        pass
    return time.monotonic() - started


ALERT = {"icon": "🚨", "title": "Повітряна тривога", "text": "Пройдіть до укриття."}


def start_worker(env, name: str, concurrency: int, *, queues: str | None = None):
    command = [
        VENV_BIN / "celery",
        "-A",
        "mycity",
        "--quiet",
        "worker",
        f"--concurrency={concurrency}",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "-n",
        name,
    ]
    if queues:
        command += ["-Q", queues]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def wait_for_worker(app, count: int = 1, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(app.control.ping(timeout=1.0)) >= count:
            return
    raise SystemExit("the workers did not answer within a minute")


def watch(broadcasts: dict, commits: dict, timeout: float) -> dict[str, dict[str, float]]:
    """When each broadcast was written in full, and when its last message was sent."""
    from citizens.notifications.models import Broadcast, Delivery

    done: dict[str, dict[str, float]] = {name: {} for name in broadcasts}
    started = min(commits.values())
    progress_at = started
    while True:
        now = time.monotonic()
        for name, broadcast in broadcasts.items():
            marks = done[name]
            if "written" not in marks:
                status = Broadcast.objects.filter(pk=broadcast.pk).values_list("status", flat=True)
                if status[0] == Broadcast.Status.DONE:
                    marks["written"] = now
            if "written" in marks and "sent" not in marks:
                still = Delivery.objects.filter(
                    notification__broadcast=broadcast,
                    status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING],
                ).exists()
                if not still:
                    marks["sent"] = now
        if all("sent" in marks for marks in done.values()):
            return done
        if now - started > timeout:
            print(f"timed out after {timeout:.0f}s", file=sys.stderr)
            return done
        if now - progress_at >= 15:
            sent = Delivery.objects.filter(status=Delivery.Status.SENT).count()
            print(f"{now - started:6.0f}s  sent {sent:>7}  {done}", flush=True)
            progress_at = now
        time.sleep(0.5)


def figures(broadcasts: dict, commits: dict, done: dict, worker) -> dict:
    from django.db.models import Count

    from citizens.notifications.models import Delivery

    counts = dict(Delivery.objects.order_by().values_list("status").annotate(n=Count("pk")))
    found = {
        "deliveries": counts,
        "attempts_other_than_1": Delivery.objects.exclude(attempts=1).count(),
        "worker_parent_peak_rss_mib": round(memory_kib(worker.pid) / 1024, 1),
        "worker_children_peak_rss_mib": [
            round(memory_kib(p) / 1024, 1) for p in children(worker.pid)
        ],
    }
    for name, broadcast in broadcasts.items():
        broadcast.refresh_from_db()
        prefix = "" if name == "broadcast" else f"{name}_"
        sent = Delivery.objects.filter(
            notification__broadcast=broadcast, status=Delivery.Status.SENT
        ).count()
        found[f"{prefix}notifications"] = broadcast.recipient_count
        for mark in ("written", "sent"):
            if mark in done[name]:
                found[f"{prefix}commit_to_{mark}_s"] = round(done[name][mark] - commits[name], 1)
        if "sent" in done[name]:
            found[f"{prefix}messages_per_s"] = round(sent / (done[name]["sent"] - commits[name]))
    return found


def main() -> int:
    args = parse_args()
    env = environment(args)

    import redis

    broker = redis.Redis.from_url(env["REDIS_URL"])
    if broker.dbsize():
        raise SystemExit(f"Redis database {args.redis_db} is not empty: choose another --redis-db")

    admin_sql(
        f'DROP DATABASE IF EXISTS "{args.database}"',
        f'CREATE DATABASE "{args.database}"',
    )
    processes: list[subprocess.Popen] = []
    results: dict = {
        "residents": args.residents,
        "mail": args.mail,
        "concurrency": args.concurrency,
        "lane": args.lane,
        "load_average_at_start": round(
            os.getloadavg()[0], 1
        ),  # the machine is shared: say how busy
    }
    try:
        t = time.monotonic()
        subprocess.run(
            [VENV_BIN / "python", "manage.py", "migrate", "--no-input", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        results["migrate_s"] = round(time.monotonic() - t, 1)

        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.db import connection, transaction

        from citizens.notifications.services import notify_audience
        from mycity.celery import app

        results["seed_s"] = round(seed(args.residents), 1)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics for the freshly filled tables

        sink = None
        if args.mail == "smtp":
            sink = subprocess.Popen(
                [VENV_BIN / "python", "-c", SINK, str(args.smtp_port)],
                stdout=subprocess.PIPE,
                text=True,
            )
            processes.append(sink)
            assert sink.stdout.readline().strip() == "ready"

        worker = start_worker(env, "fanout-bench@%h", args.concurrency)
        processes.append(worker)
        lane_worker = None
        if args.lane:
            lane_worker = start_worker(
                env, "lane-bench@%h", args.lane_concurrency, queues="priority"
            )
            processes.append(lane_worker)
        wait_for_worker(app, 2 if args.lane else 1)

        if args.lane:
            sends = [
                ("digest", "news.digest", {"count": 3, "items": "Новини міста"}),
                ("alert", "news.alert_critical", ALERT),
            ]
        else:
            sends = [("broadcast", "citizens.test", {})]
        broadcasts, commits = {}, {}
        for index, (name, event, context) in enumerate(sends):
            if index:
                time.sleep(1)  # the digest is under way when the alert comes
            marks: dict[str, float] = {}
            with transaction.atomic():
                transaction.on_commit(lambda m=marks: m.setdefault("commit", time.monotonic()))
                broadcasts[name] = notify_audience(event=event, context=context)
            commits[name] = marks["commit"]

        done = watch(broadcasts, commits, args.timeout)

        results.update(figures(broadcasts, commits, done, worker))
        results["load_average_at_end"] = round(os.getloadavg()[0], 1)
        for process in (worker, lane_worker):
            if process is not None:
                process.send_signal(signal.SIGTERM)
                process.wait(60)
        if sink is not None:
            sink.send_signal(signal.SIGTERM)
            results["smtp_messages_received"] = int(sink.stdout.read().split()[-1])
            sink.wait(10)
        connection.close()
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        # The Redis database was empty at the start: every key in it is ours.
        keys = list(broker.scan_iter(count=1000))
        if keys:
            broker.delete(*keys)
        broker.close()
        if not args.keep:
            admin_sql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')

    print(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
