import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from .celery import app as celery_app
from .home import home_blocks
from .pages import page_for, page_html

logger = logging.getLogger(__name__)


@require_GET
def page(request, slug):
    """One of the footer's pages (terms of use, contacts, accessibility)."""
    if slug == "privacy":
        return redirect("privacy", permanent=True)
    found = page_for(slug)
    if found is None:
        raise Http404
    return render(request, "pages/page.html", {"page": found, "body": page_html(found)})


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, home_blocks=home_blocks())


def _check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True}


def _check_cache() -> dict:
    # The Redis cache answers a dead Redis as an empty cache (mycity/lib/cache.py):
    # ask Redis itself, so the error says what failed.
    ping = getattr(cache, "ping", None)
    if ping is not None:
        ping()
    cache.set("healthz", "ok", timeout=10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("value written was not read back")
    return {"ok": True}


def _check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"ok": True, "mode": "eager"}
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    return {"ok": True}


CHECKS = {"database": _check_database, "cache": _check_cache, "broker": _check_broker}


@never_cache
@require_GET
def healthz(request):
    """Liveness and readiness for the proxy and the orchestrator: 200 or 503, as JSON."""
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:
            logger.warning("healthz: %s check failed: %s", name, exc)
            # Only the kind of failure, never connection strings or hosts.
            results[name] = {"ok": False, "error": type(exc).__name__}
    down = [name for name, result in results.items() if not result["ok"]]
    return JsonResponse(
        {"status": "unavailable" if down else "ok", "down": down, "checks": results},
        status=503 if down else 200,
    )
