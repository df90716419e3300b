#!/usr/bin/env bash
# Measure the Open311 and REST API lists (appeals, news, alerts, surveys,
# e-services, centres, districts) under load against the shared "floor" page.
#
#   scripts/bench_api.sh        # needs wrk, PostgreSQL and Redis on 127.0.0.1
#
# Data: seed_demo plus 20,000 public appeals (manage.py seed_appeals) in its own
# database mycity_api_bench and Redis database 14. Serves the portal with
# gunicorn (3 sync workers, production settings, persistent connections) on
# :8014 and the floor app on :8114, runs wrk on loopback for DURATION seconds
# per URL, and prints requests/s and the ratio to the floor measured in the
# same run. "cold" rows add a unique ?n= to every request (a wrk Lua script),
# so no answer comes from the cache: the cost of the query and serialisation.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
PORT=${PORT:-8014}
FLOOR_PORT=${FLOOR_PORT:-8114}
FLOOR_DIR=${FLOOR_DIR:-../shared/bench/floor}
# DB=mycity_million (scripts/bench_all.sh seeds it) for the million; PATHS and
# COLD_PATHS replace the URLs measured warm and cold.
DB=${DB:-mycity_api_bench}

export DEBUG=false SECRET_KEY="bench-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" \
  ALLOWED_HOSTS=127.0.0.1 SITE_URL=http://127.0.0.1:$PORT SECURE_SSL_REDIRECT=false \
  SECURE_COOKIES=false DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB \
  REDIS_URL=redis://127.0.0.1:6379/14 LOG_LEVEL=ERROR \
  OPEN311_ANON_RATE=100000000/minute API_ANON_RATE=100000000/minute API_USER_RATE=100000000/minute

psql -h 127.0.0.1 -U postgres -tc "select 1 from pg_database where datname='$DB'" | grep -q 1 \
  || createdb -h 127.0.0.1 -U postgres $DB
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo >/dev/null
count=$(.venv/bin/python manage.py shell -v0 -c "from appeals.models import Appeal; print(Appeal.objects.count())" | tail -1)
if [ "$count" -lt 20000 ]; then .venv/bin/python manage.py seed_appeals >/dev/null; fi
.venv/bin/python manage.py collectstatic --no-input -v0

.venv/bin/gunicorn mycity.wsgi:application -b 127.0.0.1:$PORT -w 3 \
  --access-logfile /dev/null --error-logfile /tmp/mycity-bench-api.err &
APP=$!
(PORT=$FLOOR_PORT WORKERS=3 exec bash "$FLOOR_DIR/run.sh") &
FLOOR=$!
trap 'kill $APP $FLOOR 2>/dev/null || true' EXIT
for port in $PORT $FLOOR_PORT; do
  for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 1; done
done

NONCE=$(mktemp --suffix=.lua)
cat >"$NONCE" <<'LUA'
local n = 0
request = function()
  n = n + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "n=" .. n .. "-" .. math.random(1e9))
end
LUA
rps() { wrk -t2 -c16 -d"${DURATION}s" "$@" | awk '/Requests\/sec/ {print $2}'; }
floor=$(rps "http://127.0.0.1:$FLOOR_PORT/")
printf '%-48s %10s %8s\n' url req/s floor%
printf '%-48s %10s %8s\n' "floor" "$floor" "100"
row() {
  local label=$1; shift
  local r; r=$(rps "$@")
  printf '%-48s %10s %8s\n' "$label" "$r" "$(awk -v a="$r" -v b="$floor" 'BEGIN {printf "%.0f", 100*a/b}')"
}
B=http://127.0.0.1:$PORT
PATHS=${PATHS:-"/open311/v2/requests.json /open311/v2/requests.xml \
  /open311/v2/requests.json?page_size=100 /open311/v2/services.json \
  /api/v1/appeals/ /api/v1/appeals/?page=50 /api/v1/news/ /api/v1/alerts/ \
  /api/v1/surveys/ /api/v1/services/ /api/v1/centres/ /api/v1/districts/"}
COLD_PATHS=${COLD_PATHS-"/open311/v2/requests.json /open311/v2/requests.xml \
  /open311/v2/requests.json?page_size=100 /api/v1/appeals/ /api/v1/news/ \
  /api/v1/surveys/ /api/v1/services/"}
for path in $PATHS; do
  row "$path" "$B$path"
done
for path in $COLD_PATHS; do
  row "$path (cold)" -s "$NONCE" "$B$path"
done
rm -f "$NONCE"
for path in "/open311/v2/requests.json" "/api/v1/appeals/" "/api/v1/news/" \
  "/api/v1/surveys/" "/api/v1/services/" "/api/v1/centres/"; do
  echo "$path: $(curl -s "$B$path" | wc -c) bytes"
done
