#!/usr/bin/env bash
# Back up the portal: the PostgreSQL database of DATABASE_URL (pg_dump custom
# format) and the files under MEDIA_ROOT (public) and PRIVATE_ROOT (private),
# into BACKUP_DIR/mycity-<UTC time>/, then prune old backups. Safe from cron:
# one run at a time (a lock in BACKUP_DIR), a backup appears under its final
# name only when complete, and any failure exits non-zero.
#
#   DATABASE_URL=postgres://... BACKUP_DIR=/srv/backups scripts/backup.sh
#
# A backup folder holds database.dump, media.tar, private.tar, rowcounts.tsv
# (rows per table, counted in the snapshot that was dumped), media.sha256 and
# private.sha256 (every file), MANIFEST and SHA256SUMS (of all of these).
# Retention (newest first): the newest backup of each of the last
# BACKUP_KEEP_DAILY days (7), of each of the last BACKUP_KEEP_WEEKLY ISO weeks
# (4) and of each of the last BACKUP_KEEP_MONTHLY months (6); the newest
# backup is always kept. docs/operations.md, "Backups and restore".
set -euo pipefail
# shellcheck source=scripts/backup_common.sh
source "$(dirname "$0")/backup_common.sh"

url=$(pg_url)
pg_connect "$url"
url=$PG_URL
backup_dir=${BACKUP_DIR:-}
[ -n "$backup_dir" ] || die "BACKUP_DIR is not set: the folder for backups (on another disk than the data)"
keep_daily=${BACKUP_KEEP_DAILY:-7}
keep_weekly=${BACKUP_KEEP_WEEKLY:-4}
keep_monthly=${BACKUP_KEEP_MONTHLY:-6}
for value in "$keep_daily" "$keep_weekly" "$keep_monthly"; do
  case "$value" in
    '' | *[!0-9]*) die "BACKUP_KEEP_DAILY, BACKUP_KEEP_WEEKLY and BACKUP_KEEP_MONTHLY must be whole numbers" ;;
  esac
done

umask 077 # personal data: readable by the backup's owner only
mkdir -p "$backup_dir"
exec 9>"$backup_dir/.lock"
flock -n 9 || die "another backup is running in $backup_dir"

name="mycity-$(date -u +%Y%m%dT%H%M%SZ)"
[ ! -e "$backup_dir/$name" ] || die "$backup_dir/$name exists already"
work="$backup_dir/.$name.partial"
snap_pid=
cleanup() {
  if [ -n "$snap_pid" ]; then kill "$snap_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir "$work"
started=$SECONDS

# The database. One transaction exports its snapshot; pg_dump and the row
# counts both read that snapshot, so the counts are those of the dump even
# while the site is writing.
coproc SNAP { psql -X -q -A -t -v ON_ERROR_STOP=1 --dbname="$url"; }
snap_pid=$SNAP_PID
printf 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\nSELECT pg_export_snapshot();\n' >&"${SNAP[1]}"
snapshot=
read -r -t 60 snapshot <&"${SNAP[0]}" || true
[ -n "$snapshot" ] || die "could not open a snapshot on the database"
pg_dump --format=custom --snapshot="$snapshot" --file="$work/database.dump" --dbname="$url"
row_counts "$url" "$snapshot" >"$work/rowcounts.tsv"
printf 'COMMIT;\n' >&"${SNAP[1]}"
eval "exec ${SNAP[1]}>&-"
wait "$snap_pid" || die "the snapshot's transaction failed"
snap_pid=
server_version=$(psql -X -q -A -t --dbname="$url" -c 'SHOW server_version')

# The files, after the database: a row committed before the dump points at a
# file written before it, so every file the dump refers to is here.
media_note=
for kind in media private; do
  if [ "$kind" = media ]; then root=$(media_root); else root=$(private_root); fi
  if [ "${MEDIA_STORAGE:-local}" = s3 ]; then
    media_note="MEDIA_STORAGE=s3: files are in the bucket, not in this backup"
    continue
  fi
  if [ ! -d "$root" ]; then
    say "warning: $kind folder $root does not exist; backing up no $kind files" >&2
    mkdir -p "$work/.empty" && root="$work/.empty"
  fi
  (cd "$root" && find . -type f -print0 | LC_ALL=C sort -z) >"$work/.$kind.list"
  (cd "$root" && xargs -0 -r sha256sum -- <"$work/.$kind.list") >"$work/$kind.sha256"
  tar -C "$root" --null --no-recursion -T "$work/.$kind.list" -cf "$work/$kind.tar"
  rm -f "$work/.$kind.list"
done
rm -rf "$work/.empty"

{
  echo "format: 1"
  echo "name: $name"
  echo "created: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "database: $(pg_url_db "$url")"
  echo "server_version: $server_version"
  echo "pg_dump: $(pg_dump --version)"
  echo "tables: $(wc -l <"$work/rowcounts.tsv")"
  echo "rows: $(awk -F'\t' '{ n += $2 } END { print n + 0 }' "$work/rowcounts.tsv")"
  if [ -n "$media_note" ]; then
    echo "files: $media_note"
  else
    echo "media_files: $(wc -l <"$work/media.sha256")"
    echo "private_files: $(wc -l <"$work/private.sha256")"
  fi
} >"$work/MANIFEST"
(cd "$work" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%f\n' | LC_ALL=C sort |
  xargs sha256sum --) >"$work/SHA256SUMS"

mv "$work" "$backup_dir/$name"
say "wrote $backup_dir/$name ($(du -sh "$backup_dir/$name" | cut -f1), $((SECONDS - started)) s)"

# Retention. Only folders named like a backup are ever removed.
declare -A keep=() seen_day=() seen_week=() seen_month=()
days=0 weeks=0 months=0
mapfile -t backups < <(find "$backup_dir" -mindepth 1 -maxdepth 1 -type d \
  -name 'mycity-[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z' \
  -printf '%f\n' | LC_ALL=C sort -r)
for backup in "${backups[@]}"; do
  stamp=${backup#mycity-}
  day=${stamp:0:8}
  month=${stamp:0:6}
  week=$(date -u -d "${stamp:0:4}-${stamp:4:2}-${stamp:6:2}" +%G-%V)
  if [ -z "${seen_day[$day]:-}" ]; then
    seen_day[$day]=1
    if [ "$days" -lt "$keep_daily" ]; then keep[$backup]=1; fi
    days=$((days + 1))
  fi
  if [ -z "${seen_week[$week]:-}" ]; then
    seen_week[$week]=1
    if [ "$weeks" -lt "$keep_weekly" ]; then keep[$backup]=1; fi
    weeks=$((weeks + 1))
  fi
  if [ -z "${seen_month[$month]:-}" ]; then
    seen_month[$month]=1
    if [ "$months" -lt "$keep_monthly" ]; then keep[$backup]=1; fi
    months=$((months + 1))
  fi
done
keep[$name]=1
for backup in "${backups[@]}"; do
  if [ -z "${keep[$backup]:-}" ]; then
    say "pruning $backup_dir/$backup"
    rm -rf "${backup_dir:?}/$backup"
  fi
done
# Left by a run that was killed: we hold the lock, so none is in progress.
find "$backup_dir" -mindepth 1 -maxdepth 1 -type d -name '.mycity-*.partial' -exec rm -rf {} +
