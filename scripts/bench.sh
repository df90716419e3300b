#!/usr/bin/env bash
# Measure pages of the portal under load against the shared "floor" page.
#
#   scripts/bench.sh            # needs wrk (apt-get install wrk), PostgreSQL and Redis on 127.0.0.1
#
# Serves the portal with gunicorn (3 sync workers, production settings,
# PostgreSQL + Redis, persistent connections) on :8002 and the floor app
# (../shared/bench/floor) on :8099, runs wrk on loopback for DURATION
# seconds per page and prints requests/s and the ratio to the floor,
# measured in the same run (these machines are shared and noisy).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
PORT=8002
FLOOR_DIR=${FLOOR_DIR:-../shared/bench/floor}
PAGES=${PAGES:-"/ /accounts/login/ /accounts/signup/ /healthz"}
# The database: the 20,000-appeal bench by default; scripts/bench_all.sh passes the million.
BENCH_DB=${BENCH_DB:-mycity_bench}
# SIGNED_IN_AS=email: SIGNED_IN_PAGES are requested with that person's session cookie.
SIGNED_IN_AS=${SIGNED_IN_AS:-}
SIGNED_IN_PAGES=${SIGNED_IN_PAGES:-}
# wrk's threads and connections (the issue-20 table uses 1 and 8).
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}

export DEBUG=false SECRET_KEY="bench-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" \
  ALLOWED_HOSTS=127.0.0.1 SITE_URL=http://127.0.0.1:$PORT SECURE_SSL_REDIRECT=false \
  SECURE_COOKIES=false DATABASE_URL=postgres://postgres@127.0.0.1:5432/$BENCH_DB \
  REDIS_URL=redis://127.0.0.1:6379/4 LOG_LEVEL=WARNING
# PAGE_CACHE_SECONDS=0 turns both page caches off: the anonymous one and the
# signed-in resident's own (PERSONAL_PAGE_CACHE_SECONDS, unless given).
if [ "${PAGE_CACHE_SECONDS:-}" = 0 ]; then
  export PERSONAL_PAGE_CACHE_SECONDS=${PERSONAL_PAGE_CACHE_SECONDS:-0}
fi

psql -h 127.0.0.1 -U postgres -tc "select 1 from pg_database where datname='$BENCH_DB'" | grep -q 1 \
  || createdb -h 127.0.0.1 -U postgres "$BENCH_DB"
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo >/dev/null
.venv/bin/python manage.py collectstatic --no-input -v0
COOKIE=
if [ -n "$SIGNED_IN_AS" ]; then
  # A session as a password sign-in makes it (allauth's record of the method included).
  COOKIE="sessionid=$(.venv/bin/python manage.py shell -v0 -c "
import time
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
user = get_user_model().objects.get(email='$SIGNED_IN_AS')
store = import_module(settings.SESSION_ENGINE).SessionStore()
store.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[0],
              HASH_SESSION_KEY: user.get_session_auth_hash(),
              'account_authentication_methods': [{'method': 'password', 'at': time.time()}]})
store.create()
print(store.session_key)")"
fi

.venv/bin/gunicorn mycity.wsgi:application -b 127.0.0.1:$PORT -w 3 \
  --access-logfile /dev/null --error-logfile /tmp/mycity-bench.err &
APP=$!
# run.sh execs gunicorn, so $FLOOR is the floor's gunicorn master: stop it by that PID.
(PORT=8099 WORKERS=3 exec bash "$FLOOR_DIR/run.sh") &
FLOOR=$!
trap 'kill $APP $FLOOR 2>/dev/null || true' EXIT
for port in $PORT 8099; do
  for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 1; done
done

# "req/s p99": wrk's requests per second and its 99th percentile latency.
rps() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency ${2:+-H "Cookie: $2"} "$1" \
    | awk '/Requests\/sec/ {r=$2} / 99%/ {p=$2} END {print r, p}'
}
read -r floor floor_p99 <<<"$(rps "http://127.0.0.1:8099/")"
printf '%-48s %10s %8s %10s\n' page req/s floor% p99
printf '%-48s %10s %8s %10s\n' "floor" "$floor" "100" "$floor_p99"
for page in $PAGES; do
  curl -s -o /dev/null "http://127.0.0.1:$PORT$page"  # the first (cold) answer is not timed
  read -r r p99 <<<"$(rps "http://127.0.0.1:$PORT$page")"
  printf '%-48s %10s %8s %10s\n' "$page" "$r" "$(awk -v a="$r" -v b="$floor" 'BEGIN {printf "%.0f", 100*a/b}')" "$p99"
done
if [ -n "$COOKIE" ]; then
  # Then the cookies a browser holds after its first page (CSRF, language).
  jar=$(mktemp)
  curl -s -o /dev/null -c "$jar" -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/me/"
  COOKIE=$(awk -v c="$COOKIE" '(!/^#/ || /^#HttpOnly_/) && NF >= 7 {c = c "; " $6 "=" $7} END {print c}' "$jar")
  rm -f "$jar"
fi
for page in $SIGNED_IN_PAGES; do
  curl -s -o /dev/null -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$page"
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT$page")
  [ "$code" = 200 ] || { echo "signed in, $page answered $code" >&2; exit 1; }
  read -r r p99 <<<"$(rps "http://127.0.0.1:$PORT$page" "$COOKIE")"
  printf '%-48s %10s %8s %10s\n' "signed in: $page" "$r" "$(awk -v a="$r" -v b="$floor" 'BEGIN {printf "%.0f", 100*a/b}')" "$p99"
done
