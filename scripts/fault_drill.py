#!/usr/bin/env python
"""The project's fault drill (issue 17): break a part of the running portal and measure.

    .venv/bin/python scripts/fault_drill.py                 # every scenario (about 6 minutes)
    .venv/bin/python scripts/fault_drill.py redis worker    # some of them

Run by hand, not in CI. It starts everything it needs on its own ports and
stops only what it started, by PID (the machine is shared):

- its own PostgreSQL cluster (initdb under DRILL_DIR, port 5441, run as the
  `postgres` user), so stopping the database stops nobody else's;
- its own Redis on port 6395;
- an SMTP sink on port 2526 (aiosmtpd) that records every message it receives
  with its Message-ID, and can answer slowly;
- the portal with production settings under gunicorn on port 8031, a Celery
  worker and Celery beat as separate processes.

Scenarios:
  redis   Redis stopped for 20 s under load, then started again: pages, a
          sign-in and a filed appeal while it is down, /healthz, recovery.
  worker  a worker SIGKILLed while it sends ten e-mails to a slow mail server,
          a new worker started: delivered, duplicated, time to deliver.
  beat    beat runs as its own process: killing the worker leaves one beat.
  db      PostgreSQL stopped for 10 s under load, then started: 503 not 500,
          Retry-After, time to recover.
  writers 200 concurrent supports of one proposal, then accounts deleted and
          erased: the counter equals its rows, check_counters reports nothing.

It prints one table: made / delivered / duplicated / 5xx / time to recover
per scenario (docs/benchmarks.md keeps the figures).
"""

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from fault_drill_http import (
    BASE,
    SMTP_PORT,
    WEB_PORT,
    Load,
    SmtpSink,
    codes,
    failures,
    file_appeal,
    request,
    sign_in,
    status,
)

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
WORK = Path(os.environ.get("DRILL_DIR", "/tmp/mycity-fault-drill"))  # noqa: S108
PG_PORT, REDIS_PORT = 5441, 6395
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
PGREP = shutil.which("pgrep") or "/usr/bin/pgrep"
PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)

ENV = {
    **os.environ,
    "DEBUG": "false",
    "SECRET_KEY": "drill-" + secrets.token_urlsafe(40),
    "ALLOWED_HOSTS": "127.0.0.1",
    "SITE_URL": BASE,
    "CSRF_TRUSTED_ORIGINS": BASE,
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_COOKIES": "false",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/mycity_drill",
    "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
    "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
    "LOG_LEVEL": "WARNING",
}


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def log(text: str) -> None:
    say(f"[{time.strftime('%H:%M:%S')}] {text}")


# --- processes we start and stop by PID ---------------------------------------


class Proc:
    """A process in its own session: stopped with its children by its PID."""

    def __init__(self, name: str, cmd: list[str], env=None, cwd=ROOT):
        self.name = name
        self.logfile = open(WORK / f"{name}.log", "ab")  # noqa: SIM115 (closed in stop)
        self.popen = subprocess.Popen(  # noqa: S603
            cmd,
            env=env or ENV,
            cwd=cwd,
            stdout=self.logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, sig=signal.SIGTERM, wait: float = 20) -> None:
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, sig)
            try:
                self.popen.wait(wait)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.popen.wait(5)
        self.logfile.close()


def run(cmd: list[str], **kwargs) -> str:
    result = subprocess.run(  # noqa: S603
        cmd, cwd=ROOT, env=kwargs.pop("env", ENV), capture_output=True, text=True, **kwargs
    )
    if result.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def manage(*args: str) -> str:
    return run([PY, "manage.py", *args])


def steps(*args: str) -> dict:
    """Run a step of scripts/fault_drill_steps.py (inside Django) and read its JSON."""
    out = run([PY, str(ROOT / "scripts" / "fault_drill_steps.py"), *args])
    return json.loads(out.strip().splitlines()[-1])


def as_postgres(*cmd: str) -> None:
    run(["runuser", "-u", "postgres", "--", *cmd], env=os.environ)


class Postgres:
    """A PostgreSQL cluster of the drill's own, under WORK/pg."""

    def __init__(self):
        self.data = WORK / "pg"
        if not (self.data / "PG_VERSION").exists():
            self.data.mkdir(parents=True, exist_ok=True)
            shutil.chown(self.data, "postgres", "postgres")
            as_postgres(
                str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"
            )

    def start(self) -> None:
        options = (
            f"-p {PG_PORT} -k {self.data} -c max_connections=300 -c listen_addresses=127.0.0.1"
        )
        as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
            "-l", str(self.data / "server.log"), "-w", "start",
        )  # fmt: skip

    def stop(self) -> None:
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")


def start_redis() -> Proc:
    proc = Proc(
        "redis",
        ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
    )  # fmt: skip
    wait_for(lambda: _redis_ping(), 10, "redis")
    return proc


def _redis_ping() -> bool:
    return (
        subprocess.run(  # noqa: S603
            [REDIS_CLI, "-p", str(REDIS_PORT), "ping"], capture_output=True, text=True
        ).stdout.strip()
        == "PONG"
    )


def start_web() -> Proc:
    proc = Proc(
        "gunicorn",
        [str(BIN / "gunicorn"), "mycity.wsgi:application", "-b", f"127.0.0.1:{WEB_PORT}",
         "-w", "3", "--timeout", "30", "--access-logfile", "/dev/null"],
    )  # fmt: skip
    wait_for(lambda: status("/accounts/login/") == 200, 60, "gunicorn")
    return proc


def start_worker(name="worker") -> Proc:
    return Proc(
        name,
        [str(BIN / "celery"), "-A", "mycity", "worker", "--loglevel=INFO", "--concurrency=2",
         "-n", f"{name}-{time.time_ns()}@drill"],
    )  # fmt: skip


def start_beat() -> Proc:
    return Proc(
        "beat",
        [str(BIN / "celery"), "-A", "mycity", "beat", "--loglevel=INFO",
         f"--schedule={WORK / 'celerybeat-schedule'}"],
    )  # fmt: skip


def wait_for(check, seconds: float, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        with contextlib.suppress(Exception):
            if check():
                return time.monotonic() - started
        time.sleep(0.2)
    raise RuntimeError(f"{what} not ready after {seconds} s")


# --- scenarios ---------------------------------------------------------------------


def scenario_redis(ctx) -> dict:
    """Redis down for 20 s under load."""
    load = Load()
    load.start()
    time.sleep(5)
    down_at = time.monotonic()
    ctx["redis"].stop(signal.SIGKILL)
    log("redis stopped")
    time.sleep(3)
    health = request("/healthz")
    opener, login_code = sign_in("resident@demo.mycity.test")
    filed = file_appeal(opener) if opener else 0
    time.sleep(max(0, 20 - (time.monotonic() - down_at)))
    up_at = time.monotonic()
    ctx["redis"] = start_redis()
    log("redis started again")
    recover = wait_for(lambda: status("/healthz") == 200, 120, "healthz after redis")
    worker = "worker kept running"
    if not ctx["worker"].alive():
        # kombu's worker exits when the broker goes while it holds unacked
        # messages (restore_unacked on a closed connection); its supervisor
        # (compose's restart policy, systemd) starts it again, as here.
        ctx["worker"] = start_worker()
        worker = "worker exited on the broker loss and was restarted (its supervisor's job)"
    mail = "resident@demo.mycity.test"
    try:
        queued = wait_for(
            lambda: any(mail in to for _id, to, _s in ctx["smtp"].received), 180, "queued mail"
        )
        worker += f"; the confirmation of the appeal filed while down arrived {queued:.0f} s later"
    except RuntimeError:
        worker += "; the confirmation of the appeal filed while down did NOT arrive in 180 s"
    time.sleep(5)
    results = load.stop()
    during = codes(results, down_at, up_at)
    after = codes(results, up_at + recover)
    health_body = json.loads(health[2] or b"{}")
    return {
        "made": len(results),
        "5xx": failures(results),
        "recover_s": round(recover, 1),
        "notes": (
            f"down: {dict(during)} (the 503s are /healthz, down: {health_body.get('down')}); "
            f"sign-in {login_code}, appeal POST {filed}; after: {dict(after)}; {worker}"
        ),
    }


def scenario_worker(ctx) -> dict:
    """A worker SIGKILLed while sending ten e-mails to a slow mail server."""
    sink, count = ctx["smtp"], 10
    sink.delay = 0.0
    if not ctx["worker"].alive():
        ctx["worker"] = start_worker()
    # The demo data's own mail goes out first, at full speed.
    wait_for(lambda: steps("pending")["pending"] == 0, 300, "the outbox drained")
    sink.received.clear()
    sink.delay = 3.0
    tag = secrets.token_hex(3)
    steps("notify", str(count), tag)
    ours = lambda: [r for r in sink.received if tag in " ".join(r[1])]  # noqa: E731
    wait_for(lambda: len(ours()) >= 2, 120, "first e-mails")
    ctx["worker"].stop(signal.SIGKILL)
    log(f"worker killed with {len(ours())} e-mails handed over")
    sink.delay = 0.2
    time.sleep(2)
    started = time.monotonic()
    ctx["worker"] = start_worker()
    try:
        took = wait_for(lambda: len({r[1] for r in ours()}) >= count, 600, "every e-mail delivered")
    except RuntimeError:
        took = None
    received = ours()
    by_id = Counter(message_id for message_id, _to, _subject in received)
    by_person = Counter(to for _id, to, _subject in received)
    ids_per_person = {}
    for message_id, to, _subject in received:
        ids_per_person.setdefault(to, set()).add(message_id)
    return {
        "made": count,
        "delivered": len(by_person),
        "duplicated": sum(n - 1 for n in by_person.values()),
        "recover_s": None if took is None else round(time.monotonic() - started, 1),
        "notes": (
            f"copies with the same Message-ID: {sum(n - 1 for n in by_id.values())}; "
            f"people who got two different Message-IDs: "
            f"{sum(1 for ids in ids_per_person.values() if len(ids) > 1)}"
        ),
    }


def scenario_beat(ctx) -> dict:
    """Beat is its own process: after the worker is killed and replaced, one beat runs."""
    ctx["worker"].stop(signal.SIGKILL)
    ctx["worker"] = start_worker()
    time.sleep(5)
    beats = subprocess.run(  # noqa: S603
        [PGREP, "-s", str(ctx["beat"].pid)], capture_output=True, text=True
    ).stdout.split()
    embedded = subprocess.run(  # noqa: S603
        [PGREP, "-s", str(ctx["worker"].pid), "-f", "beat"], capture_output=True, text=True
    ).stdout.split()
    return {
        "made": 1,
        "delivered": None,
        "duplicated": len(embedded),
        "5xx": 0,
        "notes": f"beat processes in beat's session: {len(beats)}; beats inside the worker: "
        f"{len(embedded)}",
    }


def scenario_db(ctx) -> dict:
    """PostgreSQL down for 10 s under load."""
    load = Load()
    load.start()
    time.sleep(5)
    down_at = time.monotonic()
    ctx["pg"].stop()
    log("postgresql stopped")
    time.sleep(10)
    up_at = time.monotonic()
    ctx["pg"].start()
    log("postgresql started again")
    recover = wait_for(lambda: status("/requests/") == 200, 120, "a database page")
    time.sleep(10)
    results = load.stop()
    during = codes(results, down_at, up_at)
    retry = sum(1 for at, _p, code, ra in results if down_at <= at < up_at and code == 503 and ra)
    after = codes(results, up_at + recover)
    return {
        "made": len(results),
        "5xx": failures(results, allow_503=True),
        "recover_s": round(recover, 1),
        "notes": f"down: {dict(during)} ({retry} 503 with Retry-After); after: {dict(after)}",
    }


def scenario_writers(ctx) -> dict:
    """200 concurrent supports, then deleted and erased supporters: counts stay true."""
    data = steps("writers", secrets.token_hex(3))
    exact = data["count"] == data["rows"] and data["after_count"] == data["after_rows"]
    return {
        "made": 200,
        "delivered": data["rows"],
        "duplicated": 0 if exact else abs(data["count"] - data["rows"]),
        "5xx": 0,
        "notes": f"count {data['count']} = rows {data['rows']}; after deleting 3 (refused "
        f"{data['delete_refused']}) and erasing 3: {data['after_count']} = {data['after_rows']}; "
        f"drift reported: {data['drift'] or 'none'}; errors: {data['errors'] or 'none'}",
    }


SCENARIOS = {
    "redis": scenario_redis,
    "worker": scenario_worker,
    "beat": scenario_beat,
    "db": scenario_db,
    "writers": scenario_writers,
}


def set_up() -> dict:
    WORK.mkdir(parents=True, exist_ok=True)
    ctx = {"pg": Postgres()}
    ctx["pg"].start()
    # Created once; a rerun with --keep finds it.
    subprocess.run(  # noqa: S603
        [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres",
         "mycity_drill"], capture_output=True,
    )  # fmt: skip
    ctx["redis"] = start_redis()
    ctx["smtp"] = SmtpSink()
    log("migrating and seeding the demo data")
    manage("migrate", "--no-input", "-v0")
    manage("seed_demo")
    manage("collectstatic", "--no-input", "-v0")
    ctx["web"] = start_web()
    ctx["worker"] = start_worker()
    ctx["beat"] = start_beat()
    time.sleep(5)
    return ctx


def tear_down(ctx) -> None:
    for name in ("beat", "worker", "web", "redis"):
        if name in ctx:
            ctx[name].stop()
    if "smtp" in ctx:
        ctx["smtp"].stop()
    if "pg" in ctx:
        with contextlib.suppress(Exception):
            ctx["pg"].stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("scenarios", nargs="*", help=f"any of {', '.join(SCENARIOS)} (default all)")
    parser.add_argument("--keep", action="store_true", help="keep DRILL_DIR (the data) afterwards")
    args = parser.parse_args()
    chosen = args.scenarios or list(SCENARIOS)
    unknown = set(chosen) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if PG_BIN is None:
        sys.stderr.write("PostgreSQL server programs not found under /usr/lib/postgresql\n")
        return 2
    ctx, rows, failed = {}, [], False
    try:
        ctx = set_up()
        for name in chosen:
            log(f"scenario {name}")
            try:
                rows.append((name, SCENARIOS[name](ctx)))
            except Exception as error:  # one scenario's failure is a row, not the end
                failed = True
                rows.append((name, {"notes": f"FAILED: {error}"}))
    finally:
        tear_down(ctx)
        if failed or args.keep:
            log(f"logs and data kept in {WORK}")
        else:
            shutil.rmtree(WORK, ignore_errors=True)
    say()
    say("| scenario | made | delivered | duplicated | 5xx | recover (s) | notes |")
    say("|---|---|---|---|---|---|---|")
    for name, row in rows:
        say(
            f"| {name} | {row.get('made', '')} | {row.get('delivered', '—')} | "
            f"{row.get('duplicated', '—')} | {row.get('5xx', '—')} | "
            f"{row.get('recover_s', '—')} | {row.get('notes', '')} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
