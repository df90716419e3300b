#!/usr/bin/env bash
# The public pages at a city's scale (issue 20): 1,000,000 appeals on PostgreSQL,
# each page under load against the shared floor page in the same sitting.
#
#   scripts/bench_all.sh                       # needs wrk, PostgreSQL and Redis on 127.0.0.1
#   PAGE_CACHE_SECONDS=0 scripts/bench_all.sh  # the same without the anonymous page cache
#
# Seeds the database `mycity_million` first when it is missing or holds fewer
# than a million appeals (migrate, seed_demo, seed_appeals --count 1000000
# --mix workflow, VACUUM ANALYZE: 5 to 17 minutes here), then finds one of
# each kind of page in it and runs scripts/bench.sh on them (gunicorn with 3
# sync workers, production settings, Redis cache; wrk -t1 -c8 for DURATION
# seconds a page; the first answer of each page is not timed). Prints req/s,
# the ratio to the floor and wrk's 99th percentile latency.
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_DB=${BENCH_DB:-mycity_million} THREADS=${THREADS:-1} CONNECTIONS=${CONNECTIONS:-8}
DB_URL=postgres://postgres@127.0.0.1:5432/$BENCH_DB

count=$(psql -h 127.0.0.1 -U postgres -d "$BENCH_DB" -Atc "select count(*) from appeals_appeal" 2>/dev/null || echo 0)
if [ "${count:-0}" -lt 1000000 ]; then
  psql -h 127.0.0.1 -U postgres -tc "select 1 from pg_database where datname='$BENCH_DB'" | grep -q 1 \
    || createdb -h 127.0.0.1 -U postgres "$BENCH_DB"
  DATABASE_URL=$DB_URL DEBUG=true .venv/bin/python manage.py migrate -v0
  DATABASE_URL=$DB_URL DEBUG=true .venv/bin/python manage.py seed_demo >/dev/null
  DATABASE_URL=$DB_URL DEBUG=true .venv/bin/python manage.py seed_appeals \
    --count $((1000000 - count)) --mix workflow
  psql -h 127.0.0.1 -U postgres -d "$BENCH_DB" -c "VACUUM ANALYZE" >/dev/null
fi

# One page of each kind from the data itself: a public appeal and proposal, a news
# item, a survey with its results, a service.
read -r appeal proposal news survey service own <<<"$(DATABASE_URL=$DB_URL DEBUG=true \
  .venv/bin/python manage.py shell -v0 -c "
from appeals.models import Appeal
from news.models import NewsItem
from services.models import Service
from surveys.models import Survey
# From the middle of the million, not the demo's few.
public = Appeal.objects.public().filter(pk__gt=500000).order_by('pk')
print(
    public.filter(kind='problem').values_list('reference', flat=True).first(),
    public.filter(kind='proposal').values_list('reference', flat=True).first(),
    NewsItem.objects.filter(status='published').values_list('slug', flat=True).first(),
    Survey.objects.filter(results_visibility='live').values_list('slug', flat=True).first(),
    Service.objects.values_list('slug', flat=True).first(),
    Appeal.objects.filter(author__email='resident@demo.mycity.test').order_by('-pk')
    .values_list('reference', flat=True).first(),
)")"

export PAGES=${PAGES:-"/ /requests/ /requests/?page=5000 /requests/?q=%D0%BB%D1%96%D1%85%D1%82%D0%B0%D1%80 \
/requests/$appeal/ /proposals/ /requests/$proposal/ /news/ /news/$news/ /alerts/ /surveys/ \
/surveys/$survey/results/ /services/ /services/$service/ \
/requests/map.json?bbox=32.40,46.55,32.80,46.75 /requests/map.json?bbox=32.60,46.63,32.62,46.64"}
# Signed in as the demo resident, who filed a third of the million (the worst case).
export SIGNED_IN_AS=${SIGNED_IN_AS:-resident@demo.mycity.test}
export SIGNED_IN_PAGES=${SIGNED_IN_PAGES:-"/me/ /me/requests/ /me/notifications/ /requests/$own/"}
exec scripts/bench.sh
