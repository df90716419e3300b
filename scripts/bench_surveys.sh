#!/usr/bin/env bash
# Surveys under load: the list, a survey's page and the results of a survey
# with 100,000 responses, as a ratio of the shared floor page, same run.
#
#   scripts/bench_surveys.sh      # needs wrk, PostgreSQL and Redis on 127.0.0.1
#
# Production settings, gunicorn with 3 sync workers on :8212, the floor app on
# :8213, PostgreSQL database mycity_bench_surveys, Redis db 12. Seeds the demo
# data and a survey "bench-100k" (8 questions, every countable type) with
# 100,000 responses once (generated inside PostgreSQL). Then prints:
# - the results aggregation uncached (what one request a minute pays),
#   median of 5, and its query count;
# - requests/s of each page with wrk, and the ratio to the floor page.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
PORT=${PORT:-8212}
FLOOR_PORT=${FLOOR_PORT:-8213}
FLOOR_DIR=${FLOOR_DIR:-../shared/bench/floor}
DB=mycity_bench_surveys

export DEBUG=false SECRET_KEY="bench-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" \
  ALLOWED_HOSTS=127.0.0.1 SITE_URL=http://127.0.0.1:$PORT SECURE_SSL_REDIRECT=false \
  SECURE_COOKIES=false DATABASE_URL=postgres://postgres@127.0.0.1:5432/$DB \
  REDIS_URL=redis://127.0.0.1:6379/12 LOG_LEVEL=WARNING CELERY_TASK_ALWAYS_EAGER=true

psql -h 127.0.0.1 -U postgres -tc "select 1 from pg_database where datname='$DB'" | grep -q 1 \
  || createdb -h 127.0.0.1 -U postgres $DB
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo >/dev/null 2>&1
.venv/bin/python manage.py collectstatic --no-input -v0
.venv/bin/python manage.py shell -v0 < scripts/bench_surveys_seed.py

for port in $PORT $FLOOR_PORT; do
  if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
    echo "port $port is in use (another benchmark?): set PORT / FLOOR_PORT" >&2
    exit 1
  fi
done
.venv/bin/gunicorn mycity.wsgi:application -b 127.0.0.1:$PORT -w 3 \
  --access-logfile /dev/null --error-logfile /tmp/mycity-bench-surveys.err &
APP=$!
# Not in a subshell: run.sh execs gunicorn, so $! is the floor's master.
PORT=$FLOOR_PORT WORKERS=3 bash "$FLOOR_DIR/run.sh" &
FLOOR=$!
cleanup() {
  kill "$APP" "$FLOOR" 2>/dev/null || true
}
trap cleanup EXIT
for port in $PORT $FLOOR_PORT; do
  for _ in $(seq 1 90); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 1; done
done

kill -0 "$APP" || { echo "gunicorn did not start: /tmp/mycity-bench-surveys.err" >&2; exit 1; }
PAGES=${PAGES:-"/ /surveys/ /surveys/bench-100k/ /surveys/bench-100k/results/"}
rps() { wrk -t2 -c16 -d"${DURATION}s" "$1" | awk '/Requests\/sec/ {print $2}'; }
for page in $PAGES; do curl -sf -o /dev/null "http://127.0.0.1:$PORT$page"; done  # warm caches
floor=$(rps "http://127.0.0.1:$FLOOR_PORT/")
printf '%-34s %10s %8s\n' page req/s floor%
printf '%-34s %10s %8s\n' "floor" "$floor" "100"
for page in $PAGES; do
  r=$(rps "http://127.0.0.1:$PORT$page")
  printf '%-34s %10s %8s\n' "$page" "$r" "$(awk -v a="$r" -v b="$floor" 'BEGIN {printf "%.1f", 100*a/b}')"
done
