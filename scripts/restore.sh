#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a NEW database on the server
# of DATABASE_URL and into empty file folders, then verify it: the row count
# of every table and the checksum of every file must equal the backup's
# manifest. Exits non-zero on a damaged backup or on any difference.
#
#   DATABASE_URL=postgres://... MEDIA_ROOT=/srv/media-new PRIVATE_ROOT=/srv/private-new \
#     scripts/restore.sh /srv/backups/mycity-20261206T021516Z mycity_restored
#
# --media-root DIR and --private-root DIR override MEDIA_ROOT and PRIVATE_ROOT.
# It never overwrites: the database must not exist, the folders must be empty
# or absent. On a difference the database and files are left for inspection.
# docs/operations.md, "Backups and restore".
set -euo pipefail
# shellcheck source=scripts/backup_common.sh
source "$(dirname "$0")/backup_common.sh"

usage() { die "usage: restore.sh BACKUP_DIR DATABASE_NAME [--media-root DIR] [--private-root DIR]"; }
[ $# -ge 2 ] || usage
backup=$1
target=$2
shift 2
media=$(media_root)
private=$(private_root)
while [ $# -gt 0 ]; do
  case "$1" in
    --media-root) [ $# -ge 2 ] || usage; media=$2; shift 2 ;;
    --private-root) [ $# -ge 2 ] || usage; private=$2; shift 2 ;;
    *) usage ;;
  esac
done
case "$target" in
  '' | *[!A-Za-z0-9_]*) die "the database name may hold only letters, digits and _" ;;
esac

url=$(pg_url)
pg_connect "$url"
server=$PG_URL
target_url=$(pg_url_with_db "$server" "$target")
maintenance_url=$(pg_url_with_db "$server" postgres)

# The backup is whole: every part has the checksum it was written with.
[ -f "$backup/SHA256SUMS" ] && [ -f "$backup/MANIFEST" ] || die "$backup is not a backup (no SHA256SUMS or MANIFEST)"
grep -qx 'format: 1' "$backup/MANIFEST" || die "$backup has a manifest format this script does not know"
(cd "$backup" && sha256sum --quiet --strict -c SHA256SUMS) ||
  die "$backup is damaged: a part does not match SHA256SUMS; nothing was restored"
for part in database.dump rowcounts.tsv; do
  grep -q "  $part\$" "$backup/SHA256SUMS" || die "$backup has no $part"
done

kinds=()
for kind in media private; do
  if [ -f "$backup/$kind.tar" ]; then
    kinds+=("$kind")
    if [ "$kind" = media ]; then root=$media; else root=$private; fi
    if [ -d "$root" ] && [ -n "$(find "$root" -mindepth 1 -print -quit)" ]; then
      die "$root is not empty: restore files into an empty folder (move the old one aside)"
    fi
  fi
done
[ ${#kinds[@]} -gt 0 ] || say "this backup has no files ($(grep '^files:' "$backup/MANIFEST" || true))"

say "creating database $target"
createdb --maintenance-db="$maintenance_url" --template=template0 --encoding=UTF8 "$target"
if ! pg_restore --no-owner --no-acl --exit-on-error --single-transaction \
  --dbname="$target_url" "$backup/database.dump"; then
  dropdb --maintenance-db="$maintenance_url" "$target" || true
  die "pg_restore failed; database $target was removed again"
fi

for kind in "${kinds[@]}"; do
  if [ "$kind" = media ]; then root=$media; else root=$private; fi
  say "restoring $kind files into $root"
  mkdir -p "$root"
  tar -C "$root" -xf "$backup/$kind.tar"
done

# Verify against the manifest.
failed=0
if ! diff -u --label "backup: rowcounts.tsv" --label "restored: $target" \
  "$backup/rowcounts.tsv" <(row_counts "$target_url"); then
  say "MISMATCH: the row counts of $target differ from the backup's" >&2
  failed=1
fi
for kind in "${kinds[@]}"; do
  if [ "$kind" = media ]; then root=$media; else root=$private; fi
  if ! diff -u --label "backup: $kind.sha256" --label "restored: $root" \
    "$backup/$kind.sha256" <(file_checksums "$root"); then
    say "MISMATCH: the $kind files under $root differ from the backup's" >&2
    failed=1
  fi
done
if [ "$failed" -ne 0 ]; then
  die "the restore does not match the backup; database $target and the files are left for inspection"
fi

tables=$(wc -l <"$backup/rowcounts.tsv")
files=0
for kind in "${kinds[@]}"; do files=$((files + $(wc -l <"$backup/$kind.sha256"))); done
say "restored and verified: $tables tables, same row counts; $files files, same checksums"
say "next: point DATABASE_URL at $target (and MEDIA_ROOT/PRIVATE_ROOT at the folders), run 'manage.py migrate'"
