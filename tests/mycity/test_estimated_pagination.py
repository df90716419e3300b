"""mycity.lib.pagination: the one paginator of lists that may hold a million rows."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.test.utils import CaptureQueriesContext

from mycity.lib import pagination
from mycity.lib.pagination import EstimatedCountPaginator

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's"
)


@pytest.fixture
def groups():
    Group.objects.bulk_create(Group(name=f"group {n:02}") for n in range(30))
    return Group.objects.filter(name__startswith="group ").order_by("name")  # not the roles


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "CAP", 5)


def test_a_list_within_the_cap_is_counted_exactly(groups):
    paginator = EstimatedCountPaginator(groups, 10)

    assert paginator.count == 30
    assert paginator.is_estimate is False
    assert paginator.num_pages == 3


def test_the_count_stops_at_the_cap_without_counting_the_rest(groups, small_cap):
    with CaptureQueriesContext(connection) as queries:
        EstimatedCountPaginator(groups, 10).count  # noqa: B018

    assert any("LIMIT 6" in query["sql"] for query in queries.captured_queries)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the embedded default's behaviour")
def test_past_the_cap_without_postgresql_the_count_is_exact(groups, small_cap):
    paginator = EstimatedCountPaginator(groups, 10)

    assert paginator.count == 30
    assert paginator.is_estimate is False


@on_postgresql
def test_past_the_cap_on_postgresql_a_filtered_list_is_the_planners_estimate(groups, small_cap):
    paginator = EstimatedCountPaginator(groups.filter(name__startswith="group"), 10)

    with CaptureQueriesContext(connection) as queries:
        count = paginator.count

    assert paginator.is_estimate is True
    assert count >= 6  # never below what was counted for certain
    assert any(q["sql"].startswith("EXPLAIN") for q in queries.captured_queries)


@on_postgresql
def test_past_the_cap_on_postgresql_a_whole_table_is_its_reltuples(groups, small_cap):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE auth_group")

    paginator = EstimatedCountPaginator(Group.objects.order_by("name"), 10)
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count >= 6

    assert paginator.is_estimate is True
    assert any("reltuples" in q["sql"] for q in queries.captured_queries)


@pytest.fixture
def estimated(monkeypatch, small_cap):
    """What PostgreSQL would say of a list of 30 rows if it guessed 4,321."""
    monkeypatch.setattr(pagination, "estimated_count", lambda queryset: 4321)


def test_an_estimate_below_ten_thousand_is_rounded_to_hundreds(groups, estimated):
    paginator = EstimatedCountPaginator(groups, 10)

    assert paginator.count == 4300
    assert paginator.is_estimate is True
    assert paginator.num_pages == 430


def test_a_larger_estimate_is_rounded_to_thousands(groups, estimated, monkeypatch):
    monkeypatch.setattr(pagination, "estimated_count", lambda queryset: 54_321)

    assert EstimatedCountPaginator(groups, 10).count == 54_000


def test_a_list_given_its_own_cap_counts_exactly_up_to_it(groups, monkeypatch):
    monkeypatch.setattr(pagination, "estimated_count", lambda queryset: 4321)

    within = EstimatedCountPaginator(groups, 10, cap=30)
    past = EstimatedCountPaginator(groups, 10, cap=20)

    assert (within.count, within.is_estimate) == (30, False)
    assert (past.count, past.is_estimate) == (4300, True)


def test_from_an_estimate_a_full_page_has_a_next_and_a_short_one_does_not(groups, estimated):
    Group.objects.filter(name="group 29").delete()
    paginator = EstimatedCountPaginator(groups, 10)

    assert paginator.page(2).has_next() is True
    last = paginator.page(3)
    assert len(last) == 9
    assert last.has_next() is False


def test_a_page_past_the_real_end_of_an_estimate_is_empty_not_an_error(groups, estimated):
    paginator = EstimatedCountPaginator(groups, 10)

    page = paginator.get_page(7)

    assert page.number == 7
    assert list(page) == []
    assert page.has_next() is False


def test_a_page_far_past_an_estimate_is_the_last_page(groups, estimated):
    paginator = EstimatedCountPaginator(groups, 10)

    assert paginator.get_page(10_000).number == 430


def test_a_deep_page_has_the_rows_and_order_of_a_shallow_one(groups, monkeypatch):
    shallow = [g.name for g in EstimatedCountPaginator(groups, 7).page(3)]
    monkeypatch.setattr(EstimatedCountPaginator, "DEEP_OFFSET", 1)

    deep = [g.name for g in EstimatedCountPaginator(groups, 7).page(3)]

    assert deep == shallow == [f"group {n:02}" for n in range(14, 21)]


def test_a_deep_page_runs_the_rows_subqueries_for_its_own_rows_only(groups, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "DEEP_OFFSET", 1)
    annotated = groups.annotate(
        twin=Subquery(Group.objects.filter(name=OuterRef("name")).values("pk")[:1])
    )
    paginator = EstimatedCountPaginator(annotated, 7)
    paginator.count  # noqa: B018

    with CaptureQueriesContext(connection) as queries:
        rows = list(paginator.page(3))

    keys, page = (q["sql"] for q in queries.captured_queries)
    assert keys.count("FROM") == 1  # no subquery over the skipped rows
    assert "OFFSET 14" in keys
    assert page.count("FROM") == 2
    assert "OFFSET" not in page
    assert [row.twin for row in rows] == [row.pk for row in rows]


def test_read_slice_reads_a_deep_slice_of_a_values_list_by_key():
    Group.objects.bulk_create(Group(name=f"group {n:02}") for n in range(30))
    names = Group.objects.filter(name__startswith="group ").order_by("-name").values("name")

    with CaptureQueriesContext(connection) as queries:
        rows = pagination.read_slice(names, 10, 15, deep_offset=5)

    assert rows == [{"name": f"group {n:02}"} for n in range(19, 14, -1)]
    assert len(queries.captured_queries) == 2


def test_a_short_page_turns_an_estimate_into_the_exact_count(groups, estimated):
    paginator = EstimatedCountPaginator(groups, 7)

    page = paginator.page(5)

    assert len(page) == 2
    assert paginator.is_estimate is False
    assert paginator.count == 30
    assert paginator.num_pages == 5
    assert page.has_next() is False


def test_asked_to_estimate_first_a_large_estimate_is_taken_without_counting(groups, monkeypatch):
    monkeypatch.setattr(pagination, "estimated_count", lambda queryset: 250_400)

    with CaptureQueriesContext(connection) as queries:
        paginator = EstimatedCountPaginator(groups, 10, estimate_first=True)
        assert paginator.count == 250_000

    assert paginator.is_estimate is True
    assert queries.captured_queries == []


def test_asked_to_estimate_first_a_small_estimate_is_counted_exactly(groups, monkeypatch):
    monkeypatch.setattr(pagination, "estimated_count", lambda queryset: 99_000)

    paginator = EstimatedCountPaginator(groups, 10, estimate_first=True)

    assert paginator.count == 30
    assert paginator.is_estimate is False


def test_a_short_list_is_one_count_without_asking_the_planner(groups, monkeypatch):
    asked = []
    monkeypatch.setattr(pagination, "estimated_count", lambda queryset: asked.append(1) or 9)

    with CaptureQueriesContext(connection) as queries:
        assert EstimatedCountPaginator(groups, 10).count == 30

    assert asked == []
    assert len(queries.captured_queries) == 1


def test_a_cut_list_has_no_page_past_its_last(groups):
    paginator = EstimatedCountPaginator(groups, 10, max_pages=2)

    assert paginator.num_pages == 2
    assert paginator.is_cut is True
    assert paginator.page(2).has_next() is False
    assert paginator.get_page(3).number == 2


def test_a_cut_estimated_list_has_no_page_past_its_last(groups, estimated):
    paginator = EstimatedCountPaginator(groups, 10, max_pages=2)

    assert paginator.num_pages == 2
    assert paginator.page(2).has_next() is False
    assert paginator.get_page(3).number == 2


def test_a_list_shorter_than_its_cut_is_not_cut(groups):
    paginator = EstimatedCountPaginator(groups, 10, max_pages=5)

    assert paginator.num_pages == 3
    assert paginator.is_cut is False


@pytest.mark.parametrize(
    "empty",
    [lambda: Group.objects.none(), lambda: Group.objects.filter(pk__in=[])],
    ids=["none", "impossible-filter"],
)
def test_a_list_no_row_can_match_counts_zero_without_asking_the_planner(groups, empty):
    paginator = EstimatedCountPaginator(empty().order_by("pk"), 10)

    assert paginator.count == 0
    assert not paginator.is_estimate
    assert list(paginator.get_page(1)) == []
