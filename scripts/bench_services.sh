#!/usr/bin/env bash
# Measure the e-services pages under load, against the floor page.
#
#   scripts/bench_services.sh    # needs wrk, PostgreSQL and Redis on 127.0.0.1
#
# wrk (2 threads, 16 connections, DURATION s each) on loopback against the
# floor page (../shared/bench/floor) and, on the portal: the catalogue, a
# search, a service page, the centres page (anonymous), and, signed in as the
# demo resident, the booking page with a day's free times and "My
# applications and appointments". Portal: gunicorn, 3 sync workers, DEBUG
# off, PostgreSQL database mycity_bench_services, Redis db 13, demo data.
# Prints figures; changes nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
PORT=8032
FLOOR_PORT=8093
FLOOR_DIR=${FLOOR_DIR:-../shared/bench/floor}

export DEBUG=false SECRET_KEY="bench-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" \
  ALLOWED_HOSTS=127.0.0.1 SITE_URL=http://127.0.0.1:$PORT SECURE_SSL_REDIRECT=false \
  SECURE_COOKIES=false DATABASE_URL=postgres://postgres@127.0.0.1:5432/mycity_bench_services \
  REDIS_URL=redis://127.0.0.1:6379/13 LOG_LEVEL=WARNING \
  SERVICES_PRIVATE_ROOT=/tmp/mycity-bench-services-private

psql -h 127.0.0.1 -U postgres -tc "select 1 from pg_database where datname='mycity_bench_services'" \
  | grep -q 1 || createdb -h 127.0.0.1 -U postgres mycity_bench_services
.venv/bin/python manage.py migrate -v0
.venv/bin/python manage.py seed_demo >/dev/null 2>&1
.venv/bin/python manage.py collectstatic --no-input -v0
# A signed-in resident's session cookie (the demo resident has no MFA).
session=$(.venv/bin/python manage.py shell -c "
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.cached_db import SessionStore
user = get_user_model().objects.get(email='resident@demo.mycity.test')
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = 'django.contrib.auth.backends.ModelBackend'
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
print(s.session_key)" | tail -1)
booking=$(.venv/bin/python manage.py shell -c "
import datetime as dt
from django.utils import timezone
from services.models import ServiceCentre
c = ServiceCentre.objects.get(slug='cnap-centre')
day = timezone.localdate() + dt.timedelta(days=1)
while day.weekday() == 6:
    day += dt.timedelta(days=1)
print(f'/services/registered-persons-certificate/book/?centre={c.pk}&day={day}')" | tail -1)

.venv/bin/gunicorn mycity.wsgi:application -b 127.0.0.1:$PORT -w 3 \
  --access-logfile /dev/null --error-logfile /tmp/mycity-bench-services.err &
APP=$!
(PORT=$FLOOR_PORT WORKERS=3 exec bash "$FLOOR_DIR/run.sh") &
FLOOR=$!
cleanup() { kill $APP $FLOOR 2>/dev/null || true; }
trap cleanup EXIT
for port in $PORT $FLOOR_PORT; do
  for _ in $(seq 1 120); do curl -sf -o /dev/null "http://127.0.0.1:$port/" && break; sleep 1; done
done

base=http://127.0.0.1:$PORT
rps() { wrk -t2 -c16 -d"${DURATION}s" "${@:2}" "$1" | awk '/Requests\/sec/ {r=$2} /Latency/ {l=$2} /Non-2xx/ {e=$0} END {print r, l, (e ? e : "")}'; }
floor=$(rps "http://127.0.0.1:$FLOOR_PORT/" | cut -d' ' -f1)
printf '%-44s %10s %9s %8s\n' page req/s latency floor%
printf '%-44s %10s %9s %8s\n' floor "$floor" "" 100
line() {
  read -r r l e <<<"$(rps "$@")"
  printf '%-44s %10s %9s %8s %s\n' "$LABEL" "$r" "$l" "$(awk -v a="$r" -v b="$floor" 'BEGIN {printf "%.0f", 100*a/b}')" "$e"
}
LABEL="/ (the home page, for reference)" line "$base/"
LABEL="/services/" line "$base/services/"
LABEL="/services/?q=довідка" line "$base/services/?q=%D0%B4%D0%BE%D0%B2%D1%96%D0%B4%D0%BA%D0%B0"
LABEL="/services/public-information-request/" line "$base/services/public-information-request/"
LABEL="/services/centres/" line "$base/services/centres/"
LABEL="booking page, a day's times (signed in)" line "$base$booking" -H "Cookie: sessionid=$session"
LABEL="/me/services/ (signed in)" line "$base/me/services/" -H "Cookie: sessionid=$session"
