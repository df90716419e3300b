"""The SSE alternative to polling, for the benchmark only (scripts/bench_news.sh).

A WSGI app that serves the portal and, at /alerts/stream/, what a
Server-Sent Events endpoint for the banner would be under gunicorn's sync
workers: the banner's items now, then a check of the same cache entry every
second, an event when it changes, for STREAM_SECONDS (a real one would stay
open for as long as the page is open). It is not part of the portal: the
measurement in docs/benchmarks.md is why.
"""

import json
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mycity.settings")

from django.core.wsgi import get_wsgi_application

portal = get_wsgi_application()
STREAM_SECONDS = int(os.environ.get("STREAM_SECONDS", "60"))


def _stream():
    from news import live

    last = None
    deadline = time.monotonic() + STREAM_SECONDS
    while time.monotonic() < deadline:
        alerts = live.visible_alerts(district_id=None, language="uk")
        tag = live.etag_for(alerts, "uk", None)
        if tag != last:
            last = tag
            yield f"data: {json.dumps([a['id'] for a in alerts])}\n\n".encode()
        time.sleep(1)


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/alerts/stream/":
        start_response(
            "200 OK", [("Content-Type", "text/event-stream"), ("Cache-Control", "no-cache")]
        )
        return _stream()
    return portal(environ, start_response)
