#!/usr/bin/env bash
# Measure the news pages and the live-alert endpoint under load, against the floor page.
#
#   scripts/bench_news.sh        # needs wrk, PostgreSQL and Redis on 127.0.0.1
#
# 1. wrk (2 threads, 16 connections, DURATION s each) against the floor page
#    (../shared/bench/floor) and /, /news/, a news item, /alerts/, and the
#    live endpoint both ways: unchanged (If-None-Match -> 304) and changed (200).
# 2. wrk with 1,000 connections against the live endpoint (304): capacity
#    with a thousand pages connected.
# 3. 1,000 simulated open pages polling every 10 s with ETags for POLL_SECONDS
#    (scripts/bench_news_pages.py poll).
# 4. The alternative: 1,000 pages on Server-Sent Events through the same
#    gunicorn (3 sync workers; scripts/bench_news_sse_app.py), counting the
#    pages that get their first event within 10 s.
# Portal: gunicorn, 3 sync workers, DEBUG off, PostgreSQL database
# mycity_bench_news, Redis db 11, demo data. Prints figures; changes nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
POLL_SECONDS=${POLL_SECONDS:-30}
PORT=8012
SSE_PORT=8013
FLOOR_PORT=8097
FLOOR_DIR=${FLOOR_DIR:-../shared/bench/floor}

export DEBUG=false SECRET_KEY="bench-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" \
  ALLOWED_HOSTS=127.0.0.1 SITE_URL=http://127.0.0.1:$PORT SECURE_SSL_REDIRECT=false \
  SECURE_COOKIES=false DATABASE_URL=postgres://postgres@127.0.0.1:5432/mycity_bench_news \
  REDIS_URL=redis://127.0.0.1:6379/11 LOG_LEVEL=WARNING

psql -h 127.0.0.1 -U postgres -tc "select 1 from pg_database where datname='mycity_bench_news'" | grep -q 1 \
  || createdb -h 127.0.0.1 -U postgres mycity_bench_news
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo >/dev/null 2>&1
.venv/bin/python manage.py collectstatic --no-input -v0

.venv/bin/gunicorn mycity.wsgi:application -b 127.0.0.1:$PORT -w 3 \
  --access-logfile /dev/null --error-logfile /tmp/mycity-bench-news.err &
APP=$!
(PORT=$FLOOR_PORT WORKERS=3 exec bash "$FLOOR_DIR/run.sh") &
FLOOR=$!
SSE=
cleanup() { kill $APP $FLOOR $SSE 2>/dev/null || true; }
trap cleanup EXIT
for port in $PORT $FLOOR_PORT; do
  for _ in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 1; done
done

base=http://127.0.0.1:$PORT
item=$(curl -s "$base/news/" | grep -o 'href="/news/[a-z0-9-]*/"' | grep -v subscriptions | head -1 | cut -d'"' -f2)
etag=$(curl -sI "$base/alerts/live/" | awk -F': ' 'tolower($1)=="etag" {print $2}' | tr -d '\r')

rps() { wrk -t2 -c"${2:-16}" -d"${DURATION}s" "${@:3}" "$1" | awk '/Requests\/sec/ {r=$2} /Latency/ {l=$2} /Socket errors/ {e=$0} END {print r, l, (e ? e : "")}'; }
floor=$(rps "http://127.0.0.1:$FLOOR_PORT/" | cut -d' ' -f1)
printf '%-34s %10s %9s %8s\n' page req/s latency floor%
printf '%-34s %10s %9s %8s\n' floor "$floor" "" 100
line() {
  read -r r l e <<<"$(rps "$@")"
  printf '%-34s %10s %9s %8s %s\n' "$LABEL" "$r" "$l" "$(awk -v a="$r" -v b="$floor" 'BEGIN {printf "%.0f", 100*a/b}')" "$e"
}
LABEL="/" line "$base/" 16
LABEL="/news/" line "$base/news/" 16
LABEL="/news/?district=korabelnyi" line "$base/news/?district=korabelnyi" 16
LABEL="$item" line "$base$item" 16
LABEL="/alerts/" line "$base/alerts/" 16
LABEL="/news/feed/uk/atom/" line "$base/news/feed/uk/atom/" 16
LABEL="/alerts/live/ 200" line "$base/alerts/live/" 16
LABEL="/alerts/live/ 304" line "$base/alerts/live/" 16 -H "If-None-Match: $etag"
LABEL="/alerts/live/ 304, 1000 conns" line "$base/alerts/live/" 1000 -H "If-None-Match: $etag"

echo "1,000 open pages polling every 10 s for ${POLL_SECONDS} s:"
.venv/bin/python scripts/bench_news_pages.py poll --url "$base/alerts/live/" --pages 1000 --duration "$POLL_SECONDS"

kill $APP; wait $APP 2>/dev/null || true
STREAM_SECONDS=60 .venv/bin/gunicorn --pythonpath .,scripts bench_news_sse_app:application \
  -b 127.0.0.1:$SSE_PORT -w 3 --timeout 120 --access-logfile /dev/null --error-logfile /tmp/mycity-bench-news-sse.err &
SSE=$!
for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$SSE_PORT/healthz" && break; sleep 1; done
echo "1,000 open pages on Server-Sent Events (3 sync workers):"
.venv/bin/python scripts/bench_news_pages.py sse --url "http://127.0.0.1:$SSE_PORT/alerts/stream/" --pages 1000 --deadline 10
