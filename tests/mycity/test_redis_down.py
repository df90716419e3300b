"""With Redis down the site keeps working: pages, sign-in, filing, the API; /healthz says 503.

The cache is pointed at a closed port with the production backend
(mycity/lib/cache.py) and the cached-database sessions; the broker is made to
refuse every task. The last tests start a Redis of their own, stop it and
start it again, to show the cache is used again without a restart.
"""

import datetime as dt
import shutil
import socket
import subprocess
import time
import uuid

import pytest
from celery.app.task import Task
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError
from rest_framework.throttling import SimpleRateThrottle

from appeals.models import Appeal
from mycity.lib import cache as resilient
from mycity.lib import ratelimit
from tests.factories import PASSWORD, CategoryFactory, DistrictFactory
from tests.news.factories import make_alert

pytestmark = pytest.mark.django_db

BACKEND = "mycity.lib.cache.ResilientRedisCache"
JSON = {"HTTP_ACCEPT": "application/json"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _fresh_circuits():
    """Each test starts with every Redis believed up: a port another test found
    closed (and marked down for a while) may be handed out again."""
    resilient._down_until.clear()
    yield
    resilient._down_until.clear()


def point_cache_at(settings, url: str, *, down_seconds: float = 5) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": BACKEND,
            "LOCATION": url,
            "KEY_PREFIX": f"mycity-test-{uuid.uuid4().hex}",
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 1,
                "down_seconds": down_seconds,
            },
        }
    }
    settings.SESSION_ENGINE = "mycity.sessions.cached_db"


@pytest.fixture
def redis_down(settings, monkeypatch):
    """No Redis at all: the cache's port is closed and the broker refuses tasks."""
    point_cache_at(settings, f"redis://127.0.0.1:{_free_port()}/0")

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(Task, "apply_async", refuse)
    # The per-process counters the rate limits fall back to start empty for each test.
    ratelimit._local.clear()
    yield
    ratelimit._local.clear()


@pytest.fixture
def category():
    return CategoryFactory(slug="pothole", name_en="Pothole", name_uk="Яма")


@pytest.fixture
def inside():
    west, south = DistrictFactory().boundary["coordinates"][0][0]
    return {"latitude": f"{south + 0.005:.6f}", "longitude": f"{west + 0.005:.6f}"}


def appeal_form(**fields) -> dict:
    return {
        "title": "Яма на дорозі біля зупинки",
        "description": "Велика яма на проїжджій частині, машини об'їжджають по тротуару.",
        "address": "",
        "visibility": "public",
        "idempotency_key": str(uuid.uuid4()),
        **fields,
    }


def filing_url(category) -> str:
    return f"{reverse('appeals:new')}?kind=problem&category={category.slug}"


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/offline/",
        "/news/",
        "/alerts/",
        "/requests/",
        "/requests/statistics/",
        "/surveys/",
        "/services/",
        "/api/v1/appeals/",
        "/api/v1/news/",
        "/accounts/login/",
    ],
)
def test_public_pages_answer_without_redis(client, redis_down, url):
    assert client.get(url).status_code == 200


def test_the_cache_answers_a_dead_redis_as_a_cold_cache(redis_down):
    cache.set("key", "value")

    assert cache.get("key") is None
    assert cache.get("key", "fallback") == "fallback"
    assert cache.get_or_set("key", "built") == "built"
    assert cache.get_many(["key"]) == {}
    assert cache.add("key", 1) is True
    assert cache.delete("key") is False
    with pytest.raises(ValueError, match="Key not found"):
        cache.incr("key")
    assert cache.available() is False


def test_the_banner_is_read_from_the_database_by_the_live_endpoint(client, redis_down):
    make_alert(whole_city=True, title_uk="Повітряна тривога")

    home = client.get("/")
    live = client.get(reverse("news:alerts_live"))

    assert home.status_code == 200
    # A cold banner marks itself stale; the page's script asks the live endpoint at once.
    assert home.context["urgent_alerts"].stale is True
    assert live.status_code == 200
    assert "Повітряна тривога" in live.content.decode()


def test_a_resident_signs_in_with_a_password(client, redis_down, resident):
    response = client.post(
        reverse("account_login"), {"login": resident.email, "password": PASSWORD}
    )

    assert response.status_code == 302
    # The session was written to the database alone, and it holds on the next request.
    assert client.get(reverse("citizens:cabinet")).status_code == 200


def test_a_signed_in_resident_files_an_appeal_on_the_web(
    client_for, resident, redis_down, category, inside, django_capture_on_commit_callbacks
):
    client = client_for(resident)
    assert client.get(filing_url(category)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(filing_url(category), appeal_form(**inside))

    assert response.status_code == 302
    assert Appeal.objects.filter(author=resident).count() == 1


def test_the_offline_outbox_delivers_an_appeal(
    client_for, resident, redis_down, category, inside, django_capture_on_commit_callbacks
):
    client = client_for(resident)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(filing_url(category), appeal_form(**inside), **JSON)

    assert response.status_code == 201
    assert response.json()["reference"] == Appeal.objects.get().reference


def test_the_api_lists_appeals_for_a_signed_in_resident(client_for, resident, redis_down):
    assert client_for(resident).get("/api/v1/appeals/").status_code == 200


def test_a_data_export_requested_while_the_broker_is_down_does_not_fail_the_request(
    client_for, resident, redis_down, django_capture_on_commit_callbacks
):
    from citizens.models import DataExport

    client = client_for(resident)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("api:data_export"))

    assert response.status_code == 202
    assert DataExport.objects.filter(user=resident).count() == 1


def test_an_export_whose_task_was_lost_is_built_by_the_catch_up_task(resident, eager):
    from citizens.models import DataExport
    from citizens.tasks import build_missed_data_exports

    lost = DataExport.objects.create(
        user=resident, created_at=timezone.now() - dt.timedelta(hours=2)
    )
    recent = DataExport.objects.create(user=resident)

    assert build_missed_data_exports() == 1
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert lost.ready_at is not None
    assert lost.file
    assert recent.ready_at is None  # its task may still be on its way
    assert build_missed_data_exports() == 0


def test_rate_limits_count_in_the_process_while_redis_is_down(rf, redis_down, settings):
    settings.RATE_LIMITS = {
        **settings.RATE_LIMITS,
        "test": {"address": "2/hour", "account": "2/hour"},
    }
    request = rf.post("/", REMOTE_ADDR="203.0.113.9")

    ratelimit.acquire(request, "test")
    ratelimit.acquire(request, "test")
    with pytest.raises(ratelimit.RateLimitedError):
        ratelimit.acquire(request, "test")


def test_the_apis_throttle_counts_in_the_process_while_redis_is_down(
    client, redis_down, monkeypatch
):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "3/minute"}
    )

    codes = [client.get("/api/v1/categories/").status_code for _ in range(3)]

    assert codes == [200, 200, 429]


def test_healthz_names_the_cache_as_down(client, redis_down):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert "cache" in body["down"]
    assert body["checks"]["cache"] == {"ok": False, "error": "ConnectionError"}
    assert body["checks"]["database"]["ok"] is True


def test_after_one_failure_redis_is_left_alone_for_a_while(settings, monkeypatch):
    point_cache_at(settings, f"redis://127.0.0.1:{_free_port()}/0", down_seconds=60)
    calls = []
    real = resilient.RedisCache.get

    def counted(self, *args, **kwargs):
        calls.append(args)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(resilient.RedisCache, "get", counted)

    for _ in range(5):
        assert cache.get("key") is None

    assert len(calls) == 1


# --- Redis going away and coming back ------------------------------------------------

REDIS_SERVER = shutil.which("redis-server")


class OwnRedis:
    """A redis-server of the test's own, on a free port, never the shared one."""

    def __init__(self):
        self.port = _free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=5)


@pytest.fixture
def own_redis():
    server = OwnRedis()
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server installed")
def test_the_site_uses_redis_again_when_it_comes_back_without_a_restart(
    client, settings, own_redis, resident
):
    point_cache_at(settings, own_redis.url, down_seconds=0.2)
    cache.set("before", "kept")
    assert client.get("/healthz").json()["checks"]["cache"]["ok"] is True

    own_redis.stop()
    assert client.get("/").status_code == 200
    assert (
        client.post(
            reverse("account_login"), {"login": resident.email, "password": PASSWORD}
        ).status_code
        == 302
    )
    assert client.get("/healthz").status_code == 503
    assert cache.get("before") is None

    own_redis.start()  # an empty Redis, as after a crash without persistence
    time.sleep(0.3)
    cache.set("after", "stored")

    assert cache.get("after") == "stored"
    assert cache.available() is True
    assert client.get(reverse("citizens:cabinet")).status_code == 200
    assert client.get("/healthz").json()["checks"]["cache"]["ok"] is True
