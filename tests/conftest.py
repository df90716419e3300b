"""Shared settings for tests and the role table of users.

Roles (fixture names): anonymous, resident, other_resident, moderator,
department_staff, city_admin, staff_without_mfa, staff_with_mfa, superuser.
`client_for(user)` gives a fresh test client signed in as that user (or an
anonymous one for None), with the session marked the way allauth marks a
password + TOTP sign-in for users who have two-factor authentication.
"""

import copy
import time
import uuid
import warnings

import pytest
import redis
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.account.internal.userkit import user_id_to_str
from allauth.mfa.models import Authenticator
from django.core.cache import caches
from django.db import connections, router
from django.db.utils import load_backend
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from mycity.celery import app as celery_app
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    DistrictFactory,
    UserFactory,
    enable_mfa,
    give_role,
    totp_code,
    verify_email,
)

ROLES = [
    "anonymous",
    "resident",
    "other_resident",
    "moderator",
    "department_staff",
    "city_admin",
    "staff_without_mfa",
    "staff_with_mfa",
]
HEADLESS_AUTH = "/api/v1/auth/app/v1/auth"
STAFF_WITH_MFA = ["moderator", "department_staff", "city_admin", "staff_with_mfa"]


def pytest_configure(config):
    # WhiteNoise looks for collectstatic's output, which tests do not need.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")


def pytest_collection_modifyitems(config, items):
    # Tests that drive real PostgreSQL locks, Redis queues and Celery workers
    # share one Redis database: under pytest-xdist (--dist loadgroup) they run
    # one after another on one worker, the rest of the suite alongside.
    for item in items:
        if item.get_closest_marker("services"):
            item.add_marker(pytest.mark.xdist_group("services"))


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # Production serves static files from collectstatic's manifest; tests have none.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # DEBUG is off in tests (as in production), which turns the redirect on;
    # the test client speaks plain HTTP. tests/mycity/test_pages.py checks it.
    settings.SECURE_SSL_REDIRECT = False
    # A test's transaction never commits, so the page cache would never hear of
    # its changes: off, except in tests/mycity/test_pagecache.py.
    settings.PAGE_CACHE_SECONDS = 0
    settings.PERSONAL_PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language.

    A request through the test client activates its language in this thread
    and leaves it active afterwards; without this, a test that builds a URL
    (a news item's slug is per language) would depend on the language of the
    last request of whichever test ran before it on the same worker.
    """
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    """Private files (documents, answer attachments) go to a temporary folder of their own."""
    from django.utils.functional import empty

    from mycity.lib.storage import private_storage

    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "mycity.lib.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private-files")},
        },
    }
    # Django drops its storages when STORAGES changes; the lazy handle must follow.
    private_storage._wrapped = empty
    yield
    private_storage._wrapped = empty


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test starts with an empty cache: rate limits, used TOTP codes, sessions.

    On Redis (REDIS_URL set) the test gets its own key prefix and its keys are
    deleted afterwards, so the suite never flushes a whole Redis database.
    """
    default = settings.CACHES["default"]
    if "redis" not in default["BACKEND"].lower():
        # The object itself: a test may point CACHES elsewhere until teardown.
        local = caches["default"]
        local.clear()
        yield
        local.clear()
        return
    # A circuit left open by an earlier test (a Redis answer slow under load) would
    # send this test's counters to the process's own fallback for a few seconds.
    from mycity.lib import cache as resilient

    resilient._down_until.clear()
    prefixed = copy.deepcopy(settings.CACHES)
    prefix = f"mycity-test-{uuid.uuid4().hex}"
    prefixed["default"]["KEY_PREFIX"] = prefix
    settings.CACHES = prefixed
    yield
    # The Redis of the start: a test may have pointed CACHES at a dead one meanwhile.
    connection = redis.Redis.from_url(default["LOCATION"])
    try:
        keys = list(connection.scan_iter(match=f"{prefix}:*", count=500))
        if keys:
            connection.delete(*keys)
    finally:
        connection.close()


@pytest.fixture
def eager():
    """Celery tasks run in-process, whatever REDIS_URL says.

    With REDIS_URL the suite's Celery is not eager, and changing Django's
    settings in a test does not reach the app's conf: set the conf itself.
    """
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.task_eager_propagates
    conf.task_always_eager = conf.task_eager_propagates = True
    yield
    conf.task_always_eager, conf.task_eager_propagates = saved


def sign_in(client: Client, user) -> Client:
    """Sign `client` in as `user`; with MFA on, record a password + TOTP sign-in."""
    client.force_login(user)
    now = time.time()
    records = [{"method": "password", "at": now, "email": user.email}]
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is not None:
        records.append({"method": "mfa", "at": now, "id": authenticator.pk, "type": "totp"})
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()
    return client


def password_only(user) -> Client:
    """A web client signed in as `user` by password, the two-factor step not taken."""
    client = Client()
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email}
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()
    return client


def app_token(user, *, code: bool) -> str:
    """A session token from allauth's headless login, with or without the TOTP step."""
    app = APIClient()
    response = app.post(
        f"{HEADLESS_AUTH}/login", {"email": user.email, "password": PASSWORD}, "json"
    )
    token = response.json()["meta"]["session_token"]
    if code:
        response = app.post(
            f"{HEADLESS_AUTH}/2fa/authenticate",
            {"code": totp_code()},
            "json",
            HTTP_X_SESSION_TOKEN=token,
        )
        assert response.status_code == 200, response.content
        token = response.json()["meta"]["session_token"]
    return token


@pytest.fixture
def client_for(db):
    def make(user) -> Client:
        client = Client()
        return client if user is None else sign_in(client, user)

    return make


@pytest.fixture
def as_role(request, client_for):
    """A client for a role of the table, by its fixture name."""

    def make(role: str) -> Client:
        return client_for(request.getfixturevalue(role))

    return make


def _staff(role: str | None = None, *, mfa: bool = True, **fields):
    user = UserFactory(is_staff=True, **fields)
    verify_email(user)
    if mfa:
        enable_mfa(user)
    if role:
        give_role(user, role)
    return user


@pytest.fixture
def anonymous():
    return None


@pytest.fixture
def resident(db):
    user = UserFactory(email="resident@example.com", full_name="Оксана Коваленко")
    verify_email(user)
    return user


@pytest.fixture
def other_resident(db):
    user = UserFactory(email="neighbour@example.com", full_name="Тарас Мельник")
    verify_email(user)
    return user


@pytest.fixture
def moderator(db):
    return _staff("moderator", email="moderator@example.com")


# Two districts side by side, named as residents would see them (news, alerts, the API).
@pytest.fixture
def north(db):
    return DistrictFactory(slug="north", name_uk="Північний", name_en="North")


@pytest.fixture
def south(db):
    return DistrictFactory(slug="south", name_uk="Південний", name_en="South")


@pytest.fixture
def department(db):
    return DepartmentFactory(slug="roads", name_uk="Управління доріг", name_en="Roads")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(slug="housing", name_uk="Житлове управління", name_en="Housing")


@pytest.fixture
def department_staff(db, other_department):
    # Staff of another department than `department`: scoping tests use both.
    user = _staff("department_staff", email="staff@example.com")
    other_department.members.add(user)
    return user


@pytest.fixture
def city_admin(db):
    return _staff("city_admin", email="cityadmin@example.com")


@pytest.fixture
def staff_without_mfa(db):
    return _staff(mfa=False, email="newstaff@example.com")


@pytest.fixture
def staff_with_mfa(db):
    return _staff(email="securestaff@example.com")


@pytest.fixture
def service_officer(db):
    return _staff("service_officer", email="cnap@example.com")


@pytest.fixture
def superuser(db):
    return _staff(email="root@example.com", is_superuser=True)


def reset_routers():
    """Make Django read DATABASE_ROUTERS again (it keeps the first list it read)."""
    router._routers = None
    router.__dict__.pop("routers", None)


@pytest.fixture
def replica_connection(transactional_db, settings):
    """A live "replica" alias: a second connection to the test database.

    Committed rows (transactional_db), so the second connection sees them.
    The connection is made by hand and not listed in the connection
    handler's settings, which Django's test case treats as a connection
    made at run time; the settings the helper reads do list it.
    """
    databases = copy.deepcopy(settings.DATABASES)
    databases["replica"] = {**connections["default"].settings_dict, "TEST": {"MIRROR": "default"}}
    with warnings.catch_warnings(action="ignore", category=UserWarning):  # "can lead to..."
        settings.DATABASES = databases
    settings.DATABASE_ROUTERS = ["mycity.db_router.ReplicaRouter"]
    reset_routers()
    wrapper = load_backend(databases["replica"]["ENGINE"]).DatabaseWrapper
    connections["replica"] = wrapper(databases["replica"], "replica")
    yield connections["replica"]
    connections["replica"].close()
    del connections["replica"]
    settings.DATABASE_ROUTERS = []
    reset_routers()
