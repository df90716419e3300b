"""mycity.lib.references: yearly counters and the reference numbers they give out.

appeals.ReferenceCounter and services.ReferenceCounter are the concrete
tables; each app keeps its own, so their numbers never mix.
"""

import datetime as dt

import pytest
from django.db import connection, transaction

from appeals.models import ReferenceCounter as AppealCounter
from mycity.lib.references import next_reference, reference
from services.models import ReferenceCounter as ApplicationCounter
from tests.concurrency import at_once

UTC = dt.UTC
MID_2026 = dt.datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


def test_numbers_start_at_one_and_follow_each_other():
    with transaction.atomic():
        assert next_reference(AppealCounter, "KH", MID_2026) == "KH-2026-000001"
        assert next_reference(AppealCounter, "KH", MID_2026) == "KH-2026-000002"
    assert AppealCounter.objects.get(year=2026).value == 2
    assert str(AppealCounter.objects.get(year=2026)) == "2026: 2"


def test_each_year_counts_from_one_again():
    with transaction.atomic():
        next_reference(AppealCounter, "KH", MID_2026)
        assert next_reference(AppealCounter, "KH", MID_2026.replace(year=2027)) == "KH-2027-000001"


def test_the_year_is_the_citys_local_year():
    # 23:30 UTC on 31 December is already 1 January in Kyiv.
    new_year_in_kyiv = dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    with transaction.atomic():
        assert next_reference(AppealCounter, "KH", new_year_in_kyiv) == "KH-2027-000001"


def test_each_apps_counter_is_its_own():
    with transaction.atomic():
        next_reference(AppealCounter, "KH", MID_2026)
        next_reference(AppealCounter, "KH", MID_2026)
        assert next_reference(ApplicationCounter, "KHS", MID_2026) == "KHS-2026-000001"


def test_a_block_of_numbers_is_taken_at_once():
    with transaction.atomic():
        next_reference(AppealCounter, "KH", MID_2026)
        assert AppealCounter.take(100, now=MID_2026) == (2026, 2)
        assert next_reference(AppealCounter, "KH", MID_2026) == "KH-2026-000102"


def test_a_rolled_back_submission_gives_its_number_back():
    def failed_submission():
        with transaction.atomic():
            next_reference(AppealCounter, "KH", MID_2026)
            raise RuntimeError("the submission failed")

    with pytest.raises(RuntimeError):
        failed_submission()
    with transaction.atomic():
        assert next_reference(AppealCounter, "KH", MID_2026) == "KH-2026-000001"


def test_numbers_past_six_digits_are_written_in_full():
    assert reference("KH", 2026, 42) == "KH-2026-000042"
    assert reference("KHS", 2026, 1_234_567) == "KHS-2026-1234567"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks and concurrent transactions need PostgreSQL (set DATABASE_URL)",
)
def test_submissions_at_once_never_share_a_number_even_the_years_first():
    def submit():
        with transaction.atomic():
            return next_reference(AppealCounter, "KH", MID_2026)

    numbers, errors = at_once([submit] * 8)

    assert errors == []
    assert sorted(numbers) == [f"KH-2026-{n:06d}" for n in range(1, 9)]
    assert AppealCounter.objects.get(year=2026).value == 8
