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

With `--push-share` and `--telegram-share`, that share of the residents also
has a web push device and a linked Telegram chat, served by fake providers
on loopback (one aiohttp process) that answer after `--provider-latency-ms`,
as a distant push service or the Bot API does. The figures then say when
each channel's last message of each broadcast was sent.

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


PROVIDERS = """
import asyncio, signal, sys
from aiohttp import web

latency = int(sys.argv[2]) / 1000
counts = {"push": 0, "telegram": 0}

async def push(request):
    await request.read()
    await asyncio.sleep(latency)
    counts["push"] += 1
    return web.Response(status=201)

async def telegram(request):
    await request.read()
    await asyncio.sleep(latency)
    counts["telegram"] += 1
    return web.json_response({"ok": True, "result": {"message_id": counts["telegram"]}})

async def main():
    app = web.Application()
    app.router.add_post("/push/{device}", push)
    app.router.add_post("/bot{token}/sendMessage", telegram)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", int(sys.argv[1]), backlog=1024).start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    await stop.wait()
    print(counts["push"], counts["telegram"], flush=True)

asyncio.run(main())
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
    parser.add_argument(
        "--push-share", type=float, default=0.0, help="share of residents with a push device"
    )
    parser.add_argument(
        "--telegram-share", type=float, default=0.0, help="share with a linked Telegram chat"
    )
    parser.add_argument(
        "--telegram-paid",
        action="store_true",
        help="TELEGRAM_PAID_BROADCAST=true: the alert's chats at up to 1,000 a second",
    )
    parser.add_argument("--provider-latency-ms", type=int, default=50)
    parser.add_argument("--provider-port", type=int, default=8027)
    return parser.parse_args()


def vapid_keys() -> tuple[str, str]:
    """A fresh VAPID key pair (public, private), as `manage.py vapid_keys` makes."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    vapid = Vapid()
    vapid.generate_keys()
    public = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64(public), b64(vapid.private_key.private_numbers().private_value.to_bytes(32, "big"))


def environment(args) -> dict[str, str]:
    mail = f"smtp://127.0.0.1:{args.smtp_port}" if args.mail == "smtp" else "dummymail://"
    providers = {}
    if args.push_share:
        public, private = vapid_keys()
        providers.update(
            VAPID_PUBLIC_KEY=public, VAPID_PRIVATE_KEY=private, WEBPUSH_ALLOW_LOOPBACK="true"
        )
    if args.telegram_share:
        providers.update(
            TELEGRAM_BOT_TOKEN="123456:bench-token",
            TELEGRAM_BOT_USERNAME="mycity_bench_bot",
            TELEGRAM_WEBHOOK_SECRET="bench-webhook-secret",
            TELEGRAM_PAID_BROADCAST="true" if args.telegram_paid else "false",
            TELEGRAM_API_URL=f"http://127.0.0.1:{args.provider_port}",
        )
    return {
        **providers,
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


def seed(count: int, *, push_share: float = 0, telegram_share: float = 0, port: int = 0) -> float:
    """Residents with verified addresses, in bulk, and the given shares of them
    with a push device and a linked Telegram chat. Returns seconds taken."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.utils import timezone

    from citizens.notifications.models import PushSubscription, TelegramLink

    # One browser's keys for every device: the payload is still encrypted per message.
    browser = ec.generate_private_key(ec.SECP256R1()).public_key()
    p256dh = base64.urlsafe_b64encode(
        browser.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    ).rstrip(b"=")
    auth = base64.urlsafe_b64encode(os.urandom(16)).rstrip(b"=")
    now = timezone.now()
    started = time.monotonic()
    for start, users in residents_in_batches(
        count, domain="fanout.example", password="bench-fanout-password"
    ):
        PushSubscription.objects.bulk_create(
            PushSubscription(
                user=u,
                endpoint=f"http://127.0.0.1:{port}/push/{u.pk}",
                p256dh=p256dh.decode(),
                auth=auth.decode(),
            )
            for i, u in enumerate(users, start)
            if push_share and i % round(1 / push_share) == 0
        )
        TelegramLink.objects.bulk_create(
            TelegramLink(user=u, chat_id=10_000_000 + u.pk, linked_at=now)
            for i, u in enumerate(users, start)
            if telegram_share and i % round(1 / telegram_share) == 0
        )
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
    """When each broadcast was written in full, and when its last message (on
    each channel) was sent."""
    from citizens.notifications.channels import available
    from citizens.notifications.models import Broadcast, Delivery

    channels = set(available())

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
                waiting = set(
                    Delivery.objects.filter(
                        notification__broadcast=broadcast,
                        status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING],
                    )
                    .order_by()
                    .values_list("channel", flat=True)
                    .distinct()
                )
                for channel in channels - waiting:
                    marks.setdefault(f"sent_{channel}", now)
                if not waiting:
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
        by_channel = dict(
            Delivery.objects.filter(notification__broadcast=broadcast, status=Delivery.Status.SENT)
            .order_by()
            .values_list("channel")
            .annotate(n=Count("pk"))
        )
        found[f"{prefix}sent_by_channel"] = by_channel
        for mark in sorted(done[name]):
            if mark.startswith("sent_") and mark.removeprefix("sent_") not in by_channel:
                continue  # a channel this broadcast has no messages on
            found[f"{prefix}commit_to_{mark}_s"] = round(done[name][mark] - commits[name], 1)
        if "sent" in done[name]:
            found[f"{prefix}messages_per_s"] = round(sent / (done[name]["sent"] - commits[name]))
    return found


def start_fakes(args, processes: list) -> tuple:
    """The SMTP sink and the fake push and Telegram services the run asked for."""
    sink = providers = None
    if args.mail == "smtp":
        sink = subprocess.Popen(
            [VENV_BIN / "python", "-c", SINK, str(args.smtp_port)],
            stdout=subprocess.PIPE,
            text=True,
        )
        processes.append(sink)
        assert sink.stdout.readline().strip() == "ready"
    if args.push_share or args.telegram_share:
        providers = subprocess.Popen(
            [
                VENV_BIN / "python",
                "-c",
                PROVIDERS,
                str(args.provider_port),
                str(args.provider_latency_ms),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        processes.append(providers)
        assert providers.stdout.readline().strip() == "ready"
    return sink, providers


def stop_fakes(sink, providers) -> dict:
    """Stop the fakes; what each received."""
    found = {}
    if sink is not None:
        sink.send_signal(signal.SIGTERM)
        found["smtp_messages_received"] = int(sink.stdout.read().split()[-1])
        sink.wait(10)
    if providers is not None:
        providers.send_signal(signal.SIGTERM)
        push, telegram = providers.stdout.read().split()[-2:]
        found["fake_push_received"], found["fake_telegram_received"] = int(push), int(telegram)
        providers.wait(10)
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
        "push_share": args.push_share,
        "telegram_share": args.telegram_share,
        "telegram_paid": args.telegram_paid,
        "provider_latency_ms": args.provider_latency_ms,
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

        results["seed_s"] = round(
            seed(
                args.residents,
                push_share=args.push_share,
                telegram_share=args.telegram_share,
                port=args.provider_port,
            ),
            1,
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics for the freshly filled tables

        sink, providers = start_fakes(args, processes)

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
        results.update(stop_fakes(sink, providers))
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
