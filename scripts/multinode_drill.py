#!/usr/bin/env python
# A command-line tool: it prints its figures and runs fixed local commands.
# ruff: noqa: T201, S603, S310
"""Two web nodes and two Celery workers, one of each stopped under load (issue 20, point 6).

    .venv/bin/python scripts/multinode_drill.py               # drain node2, then SIGTERM
    .venv/bin/python scripts/multinode_drill.py --stop term   # SIGTERM without draining
    .venv/bin/python scripts/multinode_drill.py --stop kill   # SIGKILL: a node and a worker die

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on
127.0.0.1:6379, and /usr/sbin/haproxy. Run by hand, not in CI. Everything runs
on loopback with production settings (DEBUG off) and is stopped by its PID:

- a database of its own (mycity_multinode: created, migrated, seeded with
  the demo data and RESIDENTS residents with verified e-mail addresses, one
  in ten of whom turned critical alerts off by e-mail and one in ten turned
  them on explicitly), dropped at the end; a Redis database of its own
  (--redis-db, refused unless empty), emptied at the end;
- an SMTP sink in this process (aiosmtpd) that keeps the Message-ID, the
  recipients and the subject of every message it receives;
- two gunicorn nodes (3 sync workers each) on 8041 and 8042, haproxy on 8040
  in front of them (health checks on /healthz, `option redispatch`, retries
  on a refused connection for every request and on an empty answer for GETs
  only: a POST is never sent twice);
- two Celery workers (concurrency 2 each) and one beat.

The load: threads reading public pages, and residents who sign in and file
appeals through the filing form, for --duration seconds. Early on, a staff
member publishes a critical alert for the whole city (news.services.alerts:
alert_save and alert_publish, as the admin does), which goes to every
resident who did not turn its e-mails off. In the middle of the load one web
node and one worker are stopped: `drain` (the default) is a rolling
restart: node2 is set to drain on haproxy's runtime API, and once it has no
request in progress it and worker2 get SIGTERM (gunicorn and Celery stop
gracefully, finishing what they hold); `term` sends SIGTERM without
draining first; `kill` SIGKILLs the node's and the worker's whole process
groups, as a machine that dies. Then the drill waits for the outbox to drain and reports:

- requests made, failed (no answer or a 5xx), and when the failures happened;
- appeals filed (answered 302) and stored (rows with the drill's titles),
  duplicates among them;
- alert e-mails expected (from the database: residents reached, minus those
  who turned them off), delivered (distinct recipients at the sink),
  duplicates (messages beyond one per recipient) and the outbox's rows;
- the most PostgreSQL connections seen to the drill's database at once
  (pg_stat_activity, polled every 0.2 s).

It exits 1 when a check fails: a failure other than in-flight ones, an
appeal filed but not stored, a duplicate, an e-mail missing.
"""

import argparse
import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from email import message_from_bytes
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PG = "postgres://postgres@127.0.0.1:5432"
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
LB_PORT, NODE_PORTS, SMTP_PORT = 8040, (8041, 8042), 2541
BASE = f"http://127.0.0.1:{LB_PORT}"
PAGES = ["/", "/requests/", "/news/", "/alerts/", "/requests/statistics/", "/proposals/"]
PASSWORD = "multinode-drill-password"
FILING = "/requests/new/?kind=problem&category=streetlight"

HAPROXY_CONFIG = """
global
    maxconn 1024
    stats socket {socket} mode 600 level admin

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    timeout check 2s
    # A refused or reset connection before the request reached a node is
    # tried again, on the other node (redispatch) ...
    retries 3
    option redispatch 1
    # ... and a GET whose node closed without answering (it died) too.
    retry-on conn-failure empty-response

frontend web
    bind 127.0.0.1:{lb}
    default_backend nodes

backend nodes
    balance roundrobin
    # A POST that reached a node is never sent again: it may have been stored.
    http-request disable-l7-retry if METH_POST
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    http-response set-header X-Node %s
    server node1 127.0.0.1:{node1} check inter 500ms fall 2 rise 2
    server node2 127.0.0.1:{node2} check inter 500ms fall 2 rise 2
"""


def say(text: str = "") -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {text}", flush=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stop", choices=["drain", "term", "kill"], default="drain")
    parser.add_argument("--residents", type=int, default=10_000)
    parser.add_argument("--filers", type=int, default=8, help="residents filing appeals")
    parser.add_argument("--readers", type=int, default=6, help="threads reading pages")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--alert-at", type=float, default=8, help="seconds into the load")
    parser.add_argument("--stop-at", type=float, default=25, help="seconds into the load")
    parser.add_argument("--pool", type=int, default=0, help="DATABASE_POOL_SIZE of the nodes")
    parser.add_argument("--database", default="mycity_multinode")
    parser.add_argument("--redis-db", type=int, default=7)
    parser.add_argument("--timeout", type=float, default=300, help="seconds to wait for mail")
    parser.add_argument("--keep", action="store_true", help="keep the database and the logs")
    return parser.parse_args()


def environment(args) -> dict[str, str]:
    return {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "multinode-drill-" + os.urandom(24).hex(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": BASE,
        "CSRF_TRUSTED_ORIGINS": BASE,
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "DATABASE_URL": f"{PG}/{args.database}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
        "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
        "LOG_LEVEL": "WARNING",
        # The load comes from one address: the abuse limits would refuse it.
        "RATE_LIMIT_APPEAL_ACCOUNT": "10000/hour",
        "RATE_LIMIT_APPEAL_ADDRESS": "100000/hour",
        "RATE_LIMIT_LOGIN_ADDRESS": "1000/minute",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "mycity.settings",
    }


# --- processes, each in its own session, stopped by PID ------------------------------


class Proc:
    def __init__(self, name: str, cmd: list, env: dict, work: Path):
        self.name = name
        self.log = open(work / f"{name}.log", "ab")  # noqa: SIM115 (closed in stop)
        self.popen = subprocess.Popen(
            [str(c) for c in cmd],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal(self, sig: int, *, group: bool) -> None:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(self.popen.pid, sig)
            else:
                os.kill(self.popen.pid, sig)

    def stop(self, wait: float = 30) -> None:
        if self.alive():
            self.signal(signal.SIGTERM, group=False)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(wait)
        # Whatever is left of its group (a node's workers, a worker's pool).
        self.signal(signal.SIGKILL, group=True)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)
        self.log.close()


def wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what}: not ready after {seconds:.0f} s")


def haproxy_command(socket_path: Path, command: str) -> str:
    """One command on haproxy's runtime API (its stats socket)."""
    import socket

    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.connect(str(socket_path))
        conn.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := conn.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def node_sessions(socket_path: Path, node: str) -> int:
    """Requests haproxy has in progress on `node` (the scur column of `show stat`)."""
    lines = haproxy_command(socket_path, "show stat").splitlines()
    header = lines[0].lstrip("# ").split(",")
    for line in lines[1:]:
        row = dict(zip(header, line.split(","), strict=False))
        if row.get("pxname") == "nodes" and row.get("svname") == node:
            return int(row["scur"] or 0)
    raise LookupError(node)


def admin_sql(*statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


# --- the mail server ------------------------------------------------------------------


class SmtpSink:
    """aiosmtpd on SMTP_PORT: (Message-ID, recipients, subject) of each message."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.received, self.lock = [], threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                message = message_from_bytes(envelope.content)
                subject = str(message.get("Subject", ""))
                with sink.lock:
                    sink.received.append(
                        (message.get("Message-ID"), tuple(envelope.rcpt_tos), subject)
                    )
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=SMTP_PORT)
        self.controller.start()

    def matching(self, token: str) -> list:
        from email.header import decode_header, make_header

        with self.lock:
            rows = list(self.received)
        return [r for r in rows if token in str(make_header(decode_header(r[2])))]

    def stop(self) -> None:
        self.controller.stop()


# --- HTTP -------------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def request(path: str, *, opener=None, data=None, headers=None, timeout=30):
    """(status, headers, body); status 0 when no answer came."""
    req = urllib.request.Request(BASE + path, data=data, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener(NoRedirect)).open(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()  # headers: case-insensitive
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
    except Exception:  # refused, reset, timed out: no answer
        return 0, {}, b""


def sign_in(email: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    code, _headers, body = request("/accounts/login/", opener=opener)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if code != 200 or not token:
        return None
    form = {"csrfmiddlewaretoken": token.group(1).decode(), "login": email, "password": PASSWORD}
    code, _headers, _body = request(
        "/accounts/login/",
        opener=opener,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": BASE + "/accounts/login/"},
    )
    return opener if code == 302 else None


class Load:
    """Readers GET the public pages; filers file appeals with titles the drill can find."""

    def __init__(self, args, run: str, filers: list[str]):
        self.args, self.run, self.filers = args, run, filers
        self.results, self.filed, self.lock = [], [], threading.Lock()
        self.running, self.started = True, time.monotonic()
        self.threads = [
            threading.Thread(target=self.read, args=(i,), daemon=True) for i in range(args.readers)
        ] + [threading.Thread(target=self.file, args=(email,), daemon=True) for email in filers]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.running = False
        for thread in self.threads:
            thread.join(30)

    def record(self, method: str, path: str, code: int, headers, at: float) -> None:
        with self.lock:
            self.results.append((at, method, path, code, headers.get("X-Node", "")))

    def read(self, offset: int) -> None:
        number = offset
        while self.running:
            path = PAGES[number % len(PAGES)]
            at = time.monotonic()
            code, headers, _body = request(path)
            self.record("GET", path, code, headers, at)
            number += 1
            time.sleep(0.1)

    def file(self, email: str) -> None:
        opener = sign_in(email)
        if opener is None:
            self.record("POST", "sign-in " + email, 0, {}, time.monotonic())
            return
        number = 0
        while self.running:
            at = time.monotonic()
            code, headers, body = request(FILING, opener=opener)
            self.record("GET", FILING, code, headers, at)
            if code != 200:
                time.sleep(0.5)
                continue
            fields = dict(re.findall(rb'<input type="hidden" name="([^"]+)" value="([^"]*)"', body))
            fields = {k.decode(): v.decode() for k, v in fields.items()}
            number += 1
            title = f"Навчання {self.run} {email.split('@')[0]} {number}"
            fields.update(
                title=title,
                description="Навчальне звернення: не світить ліхтар біля будинку вже тиждень.",
                address="вул. Перекопська, 1",
                visibility="private",
            )
            at = time.monotonic()
            code, headers, _body = request(
                FILING,
                opener=opener,
                data=urllib.parse.urlencode(fields).encode(),
                headers={"Referer": BASE + FILING},
            )
            self.record("POST", FILING, code, headers, at)
            with self.lock:
                self.filed.append((title, code, at))
            time.sleep(1.0)


class ConnectionWatch(threading.Thread):
    """The most connections to the drill's database at once, from pg_stat_activity."""

    def __init__(self, database: str):
        super().__init__(daemon=True)
        self.database, self.peak, self.running = database, 0, True
        self.peak_by_name: dict[str, int] = {}

    def run(self) -> None:
        import psycopg

        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            while self.running:
                rows = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s",
                    [self.database],
                ).fetchone()
                self.peak = max(self.peak, rows[0])
                time.sleep(0.2)


# --- the drill ----------------------------------------------------------------------------


def seed(residents: int) -> dict:
    """Residents with verified addresses and their choices about critical alerts."""
    from bench_fanout import residents_in_batches

    from citizens.notifications.models import NotificationPreference

    off, on = 0, 0
    batches = residents_in_batches(
        residents, domain="multinode.example", password=PASSWORD, step=2000
    )
    for start, users in batches:
        choices = []
        for index, user in enumerate(users, start):
            if index % 10 in (3, 7):
                choices.append(
                    NotificationPreference(
                        user=user,
                        event="news.alert_critical",
                        channel="email",
                        enabled=index % 10 == 7,
                    )
                )
        NotificationPreference.objects.bulk_create(choices)
        off += sum(1 for c in choices if not c.enabled)
        on += sum(1 for c in choices if c.enabled)
    return {"residents": residents, "email_off": off, "email_on_explicitly": on}


def expected_alert_emails() -> int:
    """Active people with a verified address who did not turn critical alerts off by e-mail."""
    from allauth.account.models import EmailAddress
    from django.db.models import Exists, OuterRef

    from citizens.models import User
    from citizens.notifications.models import NotificationPreference

    verified = EmailAddress.objects.filter(
        user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=True
    )
    off = NotificationPreference.objects.filter(
        user=OuterRef("pk"), event="news.alert_critical", channel="email", enabled=False
    )
    return User.objects.filter(is_active=True).filter(Exists(verified)).exclude(Exists(off)).count()


def publish_alert(token: str) -> int:
    """A critical alert for the whole city, published as staff publish it. Returns its broadcast."""
    from django.db import connections

    from citizens.models import User
    from citizens.notifications.models import Broadcast
    from news.models import Alert, AlertKind, Severity
    from news.services.alerts import alert_publish, alert_save

    staff = User.objects.filter(is_staff=True).order_by("pk").first()
    alert = Alert(
        kind=AlertKind.SHELTER,
        severity=Severity.CRITICAL,
        title_uk=f"Укриття {token}",
        title_en=f"Shelter {token}",
        text_uk="Навчання: укриття на вул. Перекопській відкрите цілодобово.",
        text_en="Drill: the shelter on Perekopska Street is open day and night.",
        whole_city=True,
    )
    alert_save(alert=alert, author=staff)
    alert_publish(alert=alert, by=staff)
    broadcast = Broadcast.objects.filter(event="news.alert_critical").latest("created_at").pk
    connections.close_all()  # the drill's own connection is not counted as the portal's
    return broadcast


def outbox(broadcast_id: int) -> dict:
    from django.db import connections
    from django.db.models import Count

    from citizens.notifications.models import Broadcast, Delivery

    rows = Delivery.objects.filter(notification__broadcast_id=broadcast_id, channel="email")
    counts = dict(rows.order_by().values_list("status").annotate(n=Count("pk")))
    status = Broadcast.objects.get(pk=broadcast_id).status
    attempts = rows.exclude(attempts=1).count()
    connections.close_all()
    return {"broadcast": status, "rows": counts, "attempts_other_than_1": attempts}


def appeals_stored(run: str) -> Counter:
    from django.db import connections

    from appeals.models import Appeal

    titles = Counter(
        Appeal.objects.filter(title__startswith=f"Навчання {run} ").values_list("title", flat=True)
    )
    connections.close_all()
    return titles


def start_node(port: int, env: dict, work: Path, name: str) -> Proc:
    return Proc(
        name,
        [BIN / "gunicorn", "mycity.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "3",
         "--timeout", "30", "--graceful-timeout", "20", "--access-logfile", "/dev/null"],
        env, work,
    )  # fmt: skip


def start_worker(name: str, env: dict, work: Path) -> Proc:
    return Proc(
        name,
        [BIN / "celery", "-A", "mycity", "worker", "--loglevel=WARNING", "--concurrency=2",
         "-n", f"{name}@multinode"],
        env, work,
    )  # fmt: skip


def main() -> int:  # noqa: C901 - one drill, read top to bottom
    args = parse_args()
    if not Path(HAPROXY).exists():
        raise SystemExit("haproxy is missing: apt-get install -y haproxy")
    env = environment(args)
    import redis

    broker = redis.Redis.from_url(env["REDIS_URL"])
    if broker.dbsize():
        raise SystemExit(f"Redis database {args.redis_db} is not empty: choose another --redis-db")

    work = Path(tempfile.mkdtemp(prefix="mycity-multinode-"))
    run = os.urandom(3).hex()
    procs: dict[str, Proc] = {}
    sink = watch = load = None
    report: dict = {"stop": args.stop, "load_average_at_start": round(os.getloadavg()[0], 1)}
    ok = False
    admin_sql(
        f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)',
        f'CREATE DATABASE "{args.database}"',
    )
    try:
        say(f"migrating and seeding {args.database} (logs in {work})")
        for command in (["migrate", "--no-input", "-v0"], ["seed_demo"],
                        ["collectstatic", "--no-input", "-v0"]):  # fmt: skip
            subprocess.run(
                [BIN / "python", "manage.py", *command], cwd=ROOT, env=env, check=True,
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
        os.environ.update(env)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.db import connection, connections

        report["seed"] = seed(args.residents)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        filers = [f"resident{i}@multinode.example" for i in range(1, 1 + 10 * args.filers, 10)]
        connections.close_all()

        sink = SmtpSink()
        node_env = {**env, "DATABASE_POOL_SIZE": str(args.pool)} if args.pool else env
        for number, port in enumerate(NODE_PORTS, 1):
            procs[f"node{number}"] = start_node(port, node_env, work, f"node{number}")
        config = work / "haproxy.cfg"
        config.write_text(
            HAPROXY_CONFIG.replace("{lb}", str(LB_PORT))
            .replace("{socket}", str(work / "haproxy.sock"))
            .replace("{node1}", str(NODE_PORTS[0]))
            .replace("{node2}", str(NODE_PORTS[1]))
        )
        procs["haproxy"] = Proc("haproxy", [HAPROXY, "-f", config, "-db"], env, work)
        procs["worker1"] = start_worker("worker1", env, work)
        procs["worker2"] = start_worker("worker2", env, work)
        procs["beat"] = Proc(
            "beat",
            [BIN / "celery", "-A", "mycity", "beat", "--loglevel=WARNING",
             f"--schedule={work / 'beat-schedule'}"],
            env, work,
        )  # fmt: skip
        for port in NODE_PORTS:
            wait_for(
                lambda p=port: urllib.request.urlopen(
                    f"http://127.0.0.1:{p}/healthz", timeout=5
                ).status == 200,
                90,
                f"node on {port}",
            )  # fmt: skip
        wait_for(lambda: {request("/healthz")[1].get("X-Node") for _ in range(4)} ==
                 {"node1", "node2"}, 30, "haproxy with both nodes")  # fmt: skip
        # Each gunicorn worker's first requests load templates and code: warm them up.
        for port in NODE_PORTS:
            for path in [*PAGES, "/accounts/login/"] * 3:
                with contextlib.suppress(Exception):
                    urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30).read()
        from mycity.celery import app

        wait_for(lambda: len(app.control.ping(timeout=1.0)) >= 2, 60, "both workers")
        say("both nodes behind haproxy, both workers answering; load starts")

        watch = ConnectionWatch(args.database)
        watch.start()
        load = Load(args, run, filers)
        load.start()
        time.sleep(args.alert_at)
        token = f"drill-{run}"
        alert_at = time.monotonic()
        broadcast_id = publish_alert(token)
        say(f"critical alert published (broadcast {broadcast_id})")
        time.sleep(max(0, args.stop_at - args.alert_at))
        stop_at = time.monotonic()
        mail_before = len(sink.matching(token))
        if args.stop == "drain":
            # A rolling restart: no new requests for node2, then the graceful stop.
            haproxy_command(work / "haproxy.sock", "set server nodes/node2 state drain")
            wait_for(lambda: node_sessions(work / "haproxy.sock", "node2") == 0, 30, "drain")
            time.sleep(0.5)
        if args.stop in ("drain", "term"):
            procs["node2"].signal(signal.SIGTERM, group=False)
            procs["worker2"].signal(signal.SIGTERM, group=False)
        else:
            procs["node2"].signal(signal.SIGKILL, group=True)
            procs["worker2"].signal(signal.SIGKILL, group=True)
        say(f"node2 and worker2 stopped ({args.stop}; {mail_before} alert e-mails out by then)")
        time.sleep(max(0, args.duration - (time.monotonic() - load.started)))
        load.stop()
        say(f"load stopped: {len(load.results)} requests")

        deadline = time.monotonic() + args.timeout
        state = outbox(broadcast_id)
        while time.monotonic() < deadline:
            state = outbox(broadcast_id)
            open_rows = sum(n for s, n in state["rows"].items() if s in ("pending", "sending"))
            if state["broadcast"] == "done" and not open_rows:
                break
            time.sleep(2)
        done_at = time.monotonic()
        time.sleep(3)  # a last message on the wire
        watch.running = False
        watch.join(5)

        # --- the figures ---
        results = load.results
        failed = [r for r in results if r[3] == 0 or r[3] >= 500]
        node2_gone = not procs["node2"].alive()
        served = Counter(r[4] or "none" for r in results)
        titles_ok = {title for title, code, _at in load.filed if code == 302}
        unanswered = [(title, code) for title, code, _at in load.filed if code != 302]
        stored = appeals_stored(run)
        received = sink.matching(token)
        by_person = Counter(to for _id, tos, _s in received for to in tos)
        by_id = Counter(message_id for message_id, _tos, _s in received)
        expected = expected_alert_emails()
        connections.close_all()
        report.update(
            {
                "requests": len(results),
                "requests_by_node": dict(served),
                "failed": len(failed),
                "failed_detail": [
                    {"t_after_stop_s": round(at - stop_at, 2), "method": m, "code": c}
                    for at, m, _p, c, _n in failed
                ],
                "status_codes": dict(Counter(r[3] for r in results)),
                "node2_stopped": node2_gone,
                "worker2_stopped": not procs["worker2"].alive(),
                "appeals_filed_302": len(titles_ok),
                "appeals_posts_without_302": unanswered,
                "appeals_stored": sum(stored.values()),
                "appeals_filed_not_stored": len(titles_ok - set(stored)),
                "appeals_stored_twice": sum(n - 1 for n in stored.values()),
                "alert_emails_expected": expected,
                "alert_emails_delivered": len(by_person),
                "alert_emails_duplicates": sum(n - 1 for n in by_person.values()),
                "alert_copies_same_message_id": sum(n - 1 for n in by_id.values()),
                "alert_emails_at_stop": mail_before,
                "outbox": state,
                "alert_to_all_sent_s": round(done_at - alert_at, 1),
                "max_pg_connections": watch.peak,
                "web_db_pool": args.pool or "persistent connections (CONN_MAX_AGE)",
                "load_average_at_end": round(os.getloadavg()[0], 1),
            }
        )
        in_flight_only = all(
            -1 <= f["t_after_stop_s"] <= 5 for f in report["failed_detail"]
        )  # a failure far from the stop is not an in-flight one
        ok = (
            in_flight_only
            and (args.stop != "drain" or report["failed"] == 0)
            and report["appeals_filed_not_stored"] == 0
            and report["appeals_stored_twice"] == 0
            and report["alert_emails_delivered"] == expected
            and (args.stop == "kill" or report["alert_emails_duplicates"] == 0)
            and report["alert_copies_same_message_id"] == report["alert_emails_duplicates"]
        )
        report["passed"] = ok
    finally:
        if load is not None:
            load.running = False
        if watch is not None:
            watch.running = False
        for name in ("haproxy", "node1", "node2", "beat", "worker1", "worker2"):
            if name in procs:
                procs[name].stop()
        if sink is not None:
            sink.stop()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        keys = list(broker.scan_iter(count=1000))
        if keys:
            broker.delete(*keys)
        broker.close()
        if not args.keep:
            admin_sql(f'DROP DATABASE IF EXISTS "{args.database}" WITH (FORCE)')
        if ok and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            say(f"logs kept in {work}")

    print(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
