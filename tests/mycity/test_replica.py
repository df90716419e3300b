"""The read replica (DATABASE_REPLICA_URL): only reads that opt in go there."""

import contextlib
import copy
import warnings

import pytest
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from mycity.db_router import ReplicaRouter
from mycity.lib.replica import read_alias, replica
from mycity.models import District
from tests.factories import DistrictFactory
from tests.mycity.test_settings import PRODUCTION, run, setup_django

# The replica is a second connection: it sees committed rows only. Marked here (not
# only through the fixture) so that pytest-django runs these after the other tests,
# whose data the flush at their end would otherwise remove (the footer pages...).
transactional = pytest.mark.django_db(transaction=True)

PRIMARY = "postgres://mycity@db.example/mycity"
COPY = "postgres://reader@replica.example/mycity"

SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(sorted(s.DATABASES)); print(s.DATABASE_ROUTERS); "
    "r = s.DATABASES.get('replica', {}); "
    "print(r.get('HOST'), r.get('USER'), r.get('CONN_MAX_AGE'), r.get('TEST', {}).get('MIRROR'))"
)


@contextlib.contextmanager
def with_replica_alias():
    """The settings' DATABASES plus a replica that is the default database itself."""
    from django.conf import settings

    databases = copy.deepcopy(settings.DATABASES)
    databases["replica"] = {**databases["default"], "TEST": {"MIRROR": "default"}}
    with (
        warnings.catch_warnings(action="ignore", category=UserWarning),  # "can lead to..."
        override_settings(DATABASES=databases),
    ):
        yield


# --- settings -----------------------------------------------------------------


def test_without_the_variable_there_is_one_database_and_no_router():
    result = run(["-c", SHOW], **PRODUCTION, DATABASE_URL=PRIMARY)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["['default']", "[]"]


def test_the_variable_adds_a_replica_alias_and_the_router():
    result = run(["-c", SHOW], **PRODUCTION, DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=COPY)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "['default', 'replica']",
        "['mycity.db_router.ReplicaRouter']",
        "replica.example reader 600 default",
    ]


def test_a_bad_replica_url_stops_startup_naming_it_without_the_password():
    result = setup_django(
        **PRODUCTION,
        DATABASE_URL=PRIMARY,
        DATABASE_REPLICA_URL="nonsense://reader:hunter2@replica/mycity",
    )

    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL" in result.stderr
    assert "hunter2" not in result.stderr


def test_the_pool_replaces_persistent_connections_on_both_aliases():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print([(s.DATABASES[a]['CONN_MAX_AGE'], s.DATABASES[a]['OPTIONS']['pool']['max_size'])"
        " for a in ('default', 'replica')])"
    )
    result = run(
        ["-c", code],
        **PRODUCTION,
        DATABASE_URL=PRIMARY,
        DATABASE_REPLICA_URL=COPY,
        DATABASE_POOL_SIZE="4",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[(0, 4), (0, 4)]"


def test_the_pool_needs_postgresql():
    result = setup_django(
        **PRODUCTION, DATABASE_URL="sqlite:////tmp/x.sqlite3", DATABASE_POOL_SIZE="4"
    )
    # SQLite keeps its defaults: no pool, no error.
    assert result.returncode == 0, result.stderr

    result = setup_django(**PRODUCTION, DATABASE_URL="mysql://u@h/mycity", DATABASE_POOL_SIZE="4")
    assert result.returncode != 0
    assert "DATABASE_POOL_SIZE" in result.stderr


def test_pgbouncer_turns_off_server_side_cursors():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS', False))"
    )
    plain = run(["-c", code], **PRODUCTION, DATABASE_URL=PRIMARY)
    bouncer = run(["-c", code], **PRODUCTION, DATABASE_URL=PRIMARY, DATABASE_PGBOUNCER="true")

    assert (plain.stdout.strip(), bouncer.stdout.strip()) == ("False", "True"), (
        plain.stderr + bouncer.stderr
    )


# --- the helper -----------------------------------------------------------------


def test_without_a_replica_the_helper_changes_nothing():
    queryset = District.objects.all()

    assert read_alias() == "default"
    assert replica(queryset) is queryset
    assert replica(queryset).db == "default"


def test_with_a_replica_the_helper_reads_there_and_nothing_else_does():
    with with_replica_alias():
        assert read_alias() == "replica"
        assert replica(District.objects.all()).db == "replica"
        assert District.objects.all().db == "default"


# --- the router -----------------------------------------------------------------


def test_router_writes_to_default_even_what_was_read_from_the_replica():
    district = District(name="Центральний", slug="central")
    district._state.db = "replica"
    rules = ReplicaRouter()

    assert rules.db_for_write(District, instance=district) == "default"
    assert rules.db_for_read(District) is None


def test_router_allows_relations_across_the_two_aliases_only():
    rules = ReplicaRouter()
    on_default, on_replica, elsewhere = District(), District(), District()
    on_default._state.db, on_replica._state.db, elsewhere._state.db = (
        "default",
        "replica",
        "archive",
    )

    assert rules.allow_relation(on_default, on_replica) is True
    assert rules.allow_relation(on_replica, on_default) is True
    assert rules.allow_relation(on_replica, elsewhere) is None


@pytest.mark.parametrize(("alias", "allowed"), [("default", True), ("replica", False)])
def test_router_migrates_the_primary_only(alias, allowed):
    assert ReplicaRouter().allow_migrate(alias, "appeals", model_name="appeal") is allowed


@transactional
def test_an_opted_in_read_runs_on_the_replica_connection_and_a_save_on_default(
    replica_connection,
):
    DistrictFactory(name_uk="Корабельний", slug="korabelnyi")

    with (
        CaptureQueriesContext(replica_connection) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        district = replica(District.objects.filter(slug="korabelnyi")).get()
        district.name_uk = "Корабельний район"
        district.save(update_fields=["name_uk"])

    assert district._state.db == "default"
    assert [q["sql"].split()[0] for q in on_replica.captured_queries] == ["SELECT"]
    assert [q["sql"].split()[0] for q in on_default.captured_queries] == ["UPDATE"]
    assert District.objects.get(slug="korabelnyi").name_uk == "Корабельний район"
