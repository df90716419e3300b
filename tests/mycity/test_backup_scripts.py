"""scripts/backup.sh and scripts/restore.sh against the test database (docs/operations.md).

The round trip on a seeded database (restore, compare, a manifest that
disagrees) is scripts/restore_drill.sh, run by CI; these check the backup's
contents, the retention rule and restore's refusals on every PostgreSQL run.
They create no database (dropping one costs a checkpoint) and commit nothing:
pg_dump reads the test database's committed state, its migrations.
"""

import hashlib
import os
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db.migrations.recorder import MigrationRecorder

SCRIPTS = Path(settings.BASE_DIR) / "scripts"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql"
        or not shutil.which("pg_dump"),
        reason="backups are of PostgreSQL: set DATABASE_URL (and have pg_dump)",
    ),
]


def database_url(name: str | None = None) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name or db['NAME']}"


def run(script: str, *args, env: dict) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "DATABASE_URL": database_url(), **env}
    return subprocess.run(
        ["bash", str(SCRIPTS / script), *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def roots(tmp_path):
    media, private = tmp_path / "media", tmp_path / "private"
    (media / "news" / "covers").mkdir(parents=True)
    (private / "applications").mkdir(parents=True)
    (media / "news" / "covers" / "cover one.jpg").write_bytes(os.urandom(500))
    (private / "applications" / "довідка.pdf").write_bytes(os.urandom(700))
    return {"MEDIA_ROOT": str(media), "PRIVATE_ROOT": str(private), "MEDIA_STORAGE": "local"}


def backups_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("mycity-"))


def fake_backups(folder: Path, days: list[date], hours=("010000", "130000")) -> None:
    for day in days:
        for hour in hours:
            (folder / f"mycity-{day:%Y%m%d}T{hour}Z").mkdir(parents=True)


def test_a_backup_holds_the_dump_files_and_their_checksums(tmp_path, roots):
    result = run("backup.sh", env={**roots, "BACKUP_DIR": str(tmp_path / "b")})

    assert result.returncode == 0, result.stderr
    [name] = backups_in(tmp_path / "b")
    backup = tmp_path / "b" / name
    assert {p.name for p in backup.iterdir()} == {
        "database.dump",
        "rowcounts.tsv",
        "media.tar",
        "media.sha256",
        "private.tar",
        "private.sha256",
        "MANIFEST",
        "SHA256SUMS",
    }
    counts = dict(line.split("\t") for line in (backup / "rowcounts.tsv").read_text().splitlines())
    assert counts["public.django_migrations"] == str(MigrationRecorder.Migration.objects.count())
    pdf = Path(roots["PRIVATE_ROOT"]) / "applications" / "довідка.pdf"
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert (backup / "private.sha256").read_text() == f"{digest}  ./applications/довідка.pdf\n"
    assert oct(backup.stat().st_mode & 0o777) == "0o700"


def test_a_backup_needs_backup_dir_and_a_postgresql_url(tmp_path, roots):
    assert run("backup.sh", env={**roots, "BACKUP_DIR": ""}).returncode != 0
    sqlite = run(
        "backup.sh",
        env={**roots, "BACKUP_DIR": str(tmp_path), "DATABASE_URL": "sqlite:///x.sqlite3"},
    )
    assert sqlite.returncode != 0
    assert "PostgreSQL" in sqlite.stderr
    assert backups_in(tmp_path) == []


def test_retention_keeps_the_newest_of_each_recent_day(tmp_path, roots):
    today = datetime.now(UTC).date()
    folder = tmp_path / "b"
    fake_backups(folder, [today - timedelta(days=n) for n in (1, 2, 3)])
    (folder / "unrelated").mkdir()
    (folder / ".mycity-20200101T000000Z.partial").mkdir()
    keep = {"BACKUP_KEEP_DAILY": "2", "BACKUP_KEEP_WEEKLY": "0", "BACKUP_KEEP_MONTHLY": "0"}

    result = run("backup.sh", env={**roots, **keep, "BACKUP_DIR": str(folder)})

    assert result.returncode == 0, result.stderr
    remaining = backups_in(folder)
    assert len(remaining) == 2
    assert remaining[0] == f"mycity-{today - timedelta(days=1):%Y%m%d}T130000Z"
    assert remaining[1].startswith(f"mycity-{today:%Y%m%d}T")
    assert (folder / "unrelated").is_dir()
    assert not (folder / ".mycity-20200101T000000Z.partial").exists()


def test_retention_keeps_the_newest_of_recent_weeks_and_months(tmp_path, roots):
    today = datetime.now(UTC).date()
    folder = tmp_path / "b"
    fake_backups(folder, [today - timedelta(days=n) for n in (7, 14, 21)])
    weekly = {"BACKUP_KEEP_DAILY": "1", "BACKUP_KEEP_WEEKLY": "2", "BACKUP_KEEP_MONTHLY": "0"}

    result = run("backup.sh", env={**roots, **weekly, "BACKUP_DIR": str(folder)})

    assert result.returncode == 0, result.stderr
    remaining = backups_in(folder)
    assert remaining[:-1] == [f"mycity-{today - timedelta(days=7):%Y%m%d}T130000Z"]

    shutil.rmtree(folder)
    ends = []
    month = today.replace(day=1)
    for _ in range(4):
        month = (month - timedelta(days=1)).replace(day=1)
        ends.append(month.replace(day=28))
    fake_backups(folder, ends)
    monthly = {"BACKUP_KEEP_DAILY": "1", "BACKUP_KEEP_WEEKLY": "0", "BACKUP_KEEP_MONTHLY": "3"}

    result = run("backup.sh", env={**roots, **monthly, "BACKUP_DIR": str(folder)})

    assert result.returncode == 0, result.stderr
    remaining = backups_in(folder)
    assert remaining[:-1] == [f"mycity-{day:%Y%m%d}T130000Z" for day in sorted(ends)[-2:]]


def test_restore_refuses_a_damaged_backup_an_existing_database_and_full_folders(tmp_path, roots):
    assert run("backup.sh", env={**roots, "BACKUP_DIR": str(tmp_path / "b")}).returncode == 0
    [name] = backups_in(tmp_path / "b")
    backup = tmp_path / "b" / name
    into = ["--media-root", str(tmp_path / "m2"), "--private-root", str(tmp_path / "p2")]
    unused_name = f"{settings.DATABASES['default']['NAME']}_never_created"

    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    with open(damaged / "private.tar", "r+b") as archive:
        archive.seek(1024)
        byte = archive.read(1)
        archive.seek(1024)
        archive.write(bytes([byte[0] ^ 0xFF]))
    refused = run("restore.sh", str(damaged), unused_name, *into, env={})
    assert refused.returncode != 0
    assert "private.tar: FAILED" in refused.stdout + refused.stderr
    assert "is damaged" in refused.stderr
    assert not (tmp_path / "m2").exists()

    existing = settings.DATABASES["default"]["NAME"]
    refused = run("restore.sh", str(backup), existing, *into, env={})
    assert refused.returncode != 0
    assert "already exists" in refused.stderr
    assert MigrationRecorder.Migration.objects.exists()  # untouched

    (tmp_path / "p2").mkdir()
    (tmp_path / "p2" / "left over").write_text("x")
    refused = run("restore.sh", str(backup), unused_name, *into, env={})
    assert refused.returncode != 0
    assert "is not empty" in refused.stderr
