# Shared by scripts/backup.sh, scripts/restore.sh and scripts/restore_drill.sh
# (sourced, not run). Needs only bash, coreutils, tar and the PostgreSQL client
# programs, so the scripts also run in the postgres:15 image (docs/operations.md).

# The project's folder: the defaults of MEDIA_ROOT and PRIVATE_ROOT are under it,
# as in mycity/settings/base.py.
PROJECT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

die() {
  printf '%s: %s\n' "$(basename "$0")" "$*" >&2
  exit 1
}

say() { printf '%s: %s\n' "$(basename "$0")" "$*"; }

# The libpq form of DATABASE_URL (postgres://, postgresql://, pgsql:// and
# postgis:// are Django's spellings; libpq knows the first two only).
pg_url() {
  local url=${1:-${DATABASE_URL:-}}
  [ -n "$url" ] || die "DATABASE_URL is not set (postgres://user:pass@host:5432/name)"
  case "$url" in
    postgres://* | postgresql://*) ;;
    pgsql://* | postgis://*) url="postgresql://${url#*://}" ;;
    *) die "DATABASE_URL is not a PostgreSQL URL: backups cover PostgreSQL only" ;;
  esac
  printf '%s\n' "$url"
}

# pg_connect URL: export the URL's password as PGPASSWORD (percent-decoded) and
# set PG_URL to the URL without it, so that no password shows in the process
# list. Not in $(...): the export must reach the caller.
pg_connect() {
  local url=$1 scheme rest authority path userinfo host password
  scheme=${url%%://*}
  rest=${url#*://}
  authority=${rest%%/*}
  path=${rest#"$authority"}
  case "$authority" in
    *@*) ;;
    *) PG_URL=$url; return ;;
  esac
  userinfo=${authority%@*}
  host=${authority##*@}
  case "$userinfo" in
    *:*)
      password=${userinfo#*:}
      userinfo=${userinfo%%:*}
      PGPASSWORD=$(printf '%b' "${password//%/\\x}")
      export PGPASSWORD
      ;;
  esac
  PG_URL="$scheme://$userinfo@$host$path"
}

# The same server, another database: pg_url_with_db URL NAME.
pg_url_with_db() {
  local url=$1 name=$2 base query
  base=${url%%\?*}
  query=${url#"$base"}
  case "${base#*://}" in
    */*) base=${base%/*} ;;
  esac
  printf '%s/%s%s\n' "$base" "$name" "$query"
}

# The database name of a URL (the last path segment, before any query).
pg_url_db() {
  local base=${1%%\?*}
  case "${base#*://}" in
    */*) printf '%s\n' "${base##*/}" ;;
    *) printf '\n' ;;
  esac
}

media_root() { printf '%s\n' "${MEDIA_ROOT:-$PROJECT_DIR/media}"; }

private_root() { printf '%s\n' "${PRIVATE_ROOT:-${SERVICES_PRIVATE_ROOT:-$PROJECT_DIR/private}}"; }

# Exact row counts of every table, "schema.table<TAB>count" sorted by name.
# row_counts URL [SNAPSHOT]: with SNAPSHOT (from pg_export_snapshot()), the
# counts are those of that snapshot, the one pg_dump was given.
ROWCOUNT_SQL="SELECT coalesce(string_agg(format('SELECT %L, count(*) FROM %I.%I',
    n.nspname || '.' || c.relname, n.nspname, c.relname), ' UNION ALL '), 'SELECT NULL, NULL WHERE false')
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg_toast%'
    AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')"

row_counts() {
  local url=$1 snapshot=${2:-}
  {
    if [ -n "$snapshot" ]; then
      printf "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\nSET TRANSACTION SNAPSHOT '%s';\n" "$snapshot"
    fi
    printf '%s \\gexec\n' "$ROWCOUNT_SQL"
    if [ -n "$snapshot" ]; then printf 'COMMIT;\n'; fi
  } | psql -X -q -A -t -F $'\t' -v ON_ERROR_STOP=1 --dbname="$url" | LC_ALL=C sort
}

# "sha256  ./path" of every file under a folder, sorted by path (empty if none).
file_checksums() {
  local root=$1
  [ -d "$root" ] || return 0
  (cd "$root" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum --)
}
