"""/healthz: 200 when the database, cache and broker answer, 503 otherwise."""

import json

import pytest
from django.core.cache import caches

from mycity import views
from mycity.celery import app as celery_app

pytestmark = pytest.mark.django_db

DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def dead_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Django's setting_changed handler has dropped the old cache connections.
    assert caches["default"]._servers == [DEAD_REDIS]


@pytest.fixture
def dead_broker(settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    # The view connects with celery_app.connection_for_write(), which reads the
    # broker URL from the app's configuration (loaded once from settings).
    monkeypatch.setitem(celery_app.conf, "broker_url", DEAD_REDIS)


def test_healthy_service_answers_200_with_status_ok(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert all(check["ok"] for check in body["checks"].values())
    assert set(body["checks"]) == {"database", "cache", "broker"}


def test_eager_celery_reports_the_broker_as_eager(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True

    assert client.get("/healthz").json()["checks"]["broker"] == {"ok": True, "mode": "eager"}


def test_unreachable_cache_gives_503(client, dead_cache):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_unreachable_broker_gives_503(client, dead_broker):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["cache"]["ok"] is True


def test_failing_database_gives_503(client, monkeypatch):
    def broken():
        raise RuntimeError("postgres://admin:secret@db.internal/mycity is down")

    monkeypatch.setitem(views.CHECKS, "database", broken)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "RuntimeError"}


@pytest.mark.parametrize("failure", ["dead_cache", "dead_broker"])
def test_failure_body_never_contains_the_connection_url(client, request, failure):
    request.getfixturevalue(failure)

    body = client.get("/healthz").content.decode()

    assert "redis://" not in body
    assert "127.0.0.1" not in body
    assert ":1/0" not in body
    json.loads(body)


def test_failure_body_never_contains_the_error_message(client, monkeypatch):
    def broken():
        raise RuntimeError("postgres://admin:secret@db.internal/mycity is down")

    monkeypatch.setitem(views.CHECKS, "database", broken)

    body = client.get("/healthz").content.decode()

    assert "secret" not in body
    assert "db.internal" not in body


def test_healthz_is_never_cached(client):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_healthz_answers_get_only(client):
    assert client.post("/healthz").status_code == 405


def test_healthz_answers_over_plain_http_when_https_is_enforced(client, settings):
    # The proxy and the orchestrator probe it inside the network, without TLS.
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301
