#!/usr/bin/env bash
# The restore drill: prove that a backup made by scripts/backup.sh restores.
# On the PostgreSQL server of DATABASE_URL (only its server is used; default
# postgres://postgres@127.0.0.1:5432/postgres) it creates a fresh database,
# migrates it, seeds the demo data and files (public and private), records
# every table's row count and every file's checksum, backs up, drops the
# database and deletes the files, restores into a new database and new
# folders with scripts/restore.sh, and compares. Then it checks that a
# damaged backup is refused. Exits non-zero on any difference; removes its
# databases and folders in every case. Runs in CI (.ci/run).
#
#   scripts/restore_drill.sh
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres DRILL_DB_PREFIX=mycity_drill scripts/restore_drill.sh
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/backup_common.sh
source scripts/backup_common.sh

started=$SECONDS
python=${PYTHON:-.venv/bin/python}
server_url=$(pg_url "${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}")
pg_connect "$server_url"
server=$PG_URL
maintenance_url=$(pg_url_with_db "$server" postgres)
prefix=${DRILL_DB_PREFIX:-mycity_drill}
src="${prefix}_src_$$"
dst="${prefix}_restored_$$"
bad="${prefix}_damaged_$$"
work=$(mktemp -d "${TMPDIR:-/tmp}/mycity-restore-drill.XXXXXX")

# Throw-away databases: commits need not wait for the disk (libpq passes
# PGOPTIONS to the server for every connection, the app's included).
export PGOPTIONS="${PGOPTIONS:-} -c synchronous_commit=off"

cleanup() {
  local db
  for db in "$src" "$dst" "$bad"; do
    dropdb --if-exists --maintenance-db="$maintenance_url" "$db" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The app's settings for a database and folders: django() DB MEDIA PRIVATE ARGS...
# Without REDIS_URL tasks run eagerly: seeding needs no worker.
django() {
  local db=$1 media=$2 private=$3
  shift 3
  env -u REDIS_URL DEBUG=true LOG_LEVEL=WARNING \
    DATABASE_URL="$(pg_url_with_db "$server_url" "$db")" MEDIA_ROOT="$media" PRIVATE_ROOT="$private" \
    "$python" "$@"
}

step() { printf 'restore_drill: %s (%d s)\n' "$*" $((SECONDS - started)); }

step "creating $src, migrating, seeding demo data and files"
createdb --maintenance-db="$maintenance_url" "$src"
django "$src" "$work/media" "$work/private" manage.py migrate --no-input -v 0
django "$src" "$work/media" "$work/private" manage.py seed_demo >/dev/null
django "$src" "$work/media" "$work/private" scripts/restore_drill_files.py seed

# What must come back, recorded independently of the backup's own manifest.
row_counts "$(pg_url_with_db "$server" "$src")" >"$work/rows.before"
file_checksums "$work/media" >"$work/media.before"
file_checksums "$work/private" >"$work/private.before"
[ -s "$work/media.before" ] && [ -s "$work/private.before" ] ||
  die "the seeded database has no public or no private files: the drill would prove nothing"
step "recorded $(wc -l <"$work/rows.before") tables," \
  "$(awk -F'\t' '{ n += $2 } END { print n + 0 }' "$work/rows.before") rows," \
  "$(wc -l <"$work/media.before") public and $(wc -l <"$work/private.before") private files"

step "backing up"
DATABASE_URL=$(pg_url_with_db "$server_url" "$src") BACKUP_DIR="$work/backups" \
  MEDIA_ROOT="$work/media" PRIVATE_ROOT="$work/private" MEDIA_STORAGE=local scripts/backup.sh
backup=$(find "$work/backups" -mindepth 1 -maxdepth 1 -type d -name 'mycity-*' | head -n 1)
[ -n "$backup" ] || die "backup.sh made no backup"

step "dropping $src and deleting its files"
dropdb --maintenance-db="$maintenance_url" "$src"
rm -rf "$work/media" "$work/private"

step "restoring into $dst"
DATABASE_URL="$server_url" scripts/restore.sh "$backup" "$dst" \
  --media-root "$work/media.restored" --private-root "$work/private.restored"

step "comparing with what was recorded before the backup"
failed=0
diff -u --label before --label restored "$work/rows.before" \
  <(row_counts "$(pg_url_with_db "$server" "$dst")") || failed=1
diff -u --label before --label restored "$work/media.before" \
  <(file_checksums "$work/media.restored") || failed=1
diff -u --label before --label restored "$work/private.before" \
  <(file_checksums "$work/private.restored") || failed=1
[ "$failed" -eq 0 ] || die "FAILED: the restored database or files differ from the original"
# The restored database is the code's: no migration is missing, and every
# file a row names is there.
django "$dst" "$work/media.restored" "$work/private.restored" scripts/restore_drill_files.py check ||
  die "FAILED: the restored database lacks migrations, or rows name files that are missing"

step "checking that a damaged backup is refused"
damaged="$work/damaged"
cp -r "$backup" "$damaged"
printf 'X' | dd of="$damaged/private.tar" bs=1 seek=1024 conv=notrunc status=none
if DATABASE_URL="$server_url" scripts/restore.sh "$damaged" "$bad" \
  --media-root "$work/media.bad" --private-root "$work/private.bad" >/dev/null 2>&1; then
  die "FAILED: restore.sh accepted a backup with a damaged file archive"
fi
# Consistent checksums but a manifest that disagrees with the dump: caught by
# the verification after the restore.
cp "$backup/private.tar" "$damaged/private.tar"
awk -F'\t' 'BEGIN { OFS = "\t" } NR == 1 { $2 += 1 } { print }' "$backup/rowcounts.tsv" >"$damaged/rowcounts.tsv"
(cd "$damaged" && grep -v '  SHA256SUMS$' "$backup/SHA256SUMS" | cut -c67- | xargs sha256sum --) >"$damaged/SHA256SUMS.new"
mv "$damaged/SHA256SUMS.new" "$damaged/SHA256SUMS"
if DATABASE_URL="$server_url" scripts/restore.sh "$damaged" "$bad" \
  --media-root "$work/media.bad" --private-root "$work/private.bad" >/dev/null 2>&1; then
  die "FAILED: restore.sh accepted a restore whose row counts differ from the manifest"
fi

step "passed: the backup restored with the same row counts and files"
