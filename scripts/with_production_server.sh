#!/usr/bin/env bash
# Run a command against the portal served with production settings: DEBUG off,
# hashed and compressed static files through WhiteNoise, gunicorn, demo data,
# on :8003 with a throw-away SQLite database. The command gets BASE.
#
#   scripts/with_production_server.sh .venv/bin/python scripts/page_weight.py
#   scripts/with_production_server.sh .venv/bin/python scripts/lighthouse.py
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=8003
WORK=$(mktemp -d)
export DEBUG=false SECRET_KEY="prod-like-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" \
  ALLOWED_HOSTS=127.0.0.1 SITE_URL=http://127.0.0.1:$PORT SECURE_SSL_REDIRECT=false \
  SECURE_COOKIES=false DATABASE_URL="sqlite:///$WORK/db.sqlite3" \
  MEDIA_ROOT="$WORK/media" LOG_LEVEL=WARNING
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo >/dev/null
.venv/bin/python manage.py collectstatic --no-input -v0
.venv/bin/gunicorn mycity.wsgi:application -b 127.0.0.1:$PORT -w 2 \
  --access-logfile /dev/null --error-logfile "$WORK/gunicorn.err" &
APP=$!
trap 'kill $APP 2>/dev/null; wait $APP 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 60); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 1; done
# Playwright reports the service worker's own requests only when asked to.
export PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS=1 BASE=http://127.0.0.1:$PORT
"$@"
