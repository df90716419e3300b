"""Issue 16 point 1: the terms of Art. 20 counted the way the law words them."""

import datetime as dt
import zoneinfo

import pytest

from appeals.models import (
    TERM_CAP_DAYS,
    TERM_NO_STUDY_DAYS,
    TERM_ONE_MONTH,
    add_calendar_month,
    legal_deadline,
)

KYIV = zoneinfo.ZoneInfo("Europe/Kyiv")


@pytest.mark.parametrize(
    ("registered", "due"),
    [
        (dt.date(2027, 1, 31), dt.date(2027, 2, 28)),
        (dt.date(2028, 1, 31), dt.date(2028, 2, 29)),
        (dt.date(2027, 2, 14), dt.date(2027, 3, 14)),
        (dt.date(2027, 3, 31), dt.date(2027, 4, 30)),
        (dt.date(2027, 12, 15), dt.date(2028, 1, 15)),
    ],
)
def test_one_month_is_a_calendar_month(registered, due):
    assert add_calendar_month(registered) == due
    assert legal_deadline(registered, TERM_ONE_MONTH) == due


def test_one_month_counts_from_the_kyiv_date_of_registration():
    # 23:30 UTC on 30 January is already 31 January in Kyiv.
    registered = dt.datetime(2027, 1, 30, 23, 30, tzinfo=dt.UTC)

    assert legal_deadline(registered, TERM_ONE_MONTH) == dt.date(2027, 2, 28)
    assert legal_deadline(registered.astimezone(KYIV), TERM_ONE_MONTH) == dt.date(2027, 2, 28)


@pytest.mark.parametrize(
    ("days", "due"),
    [
        (TERM_NO_STUDY_DAYS, dt.date(2027, 2, 15)),
        (TERM_CAP_DAYS, dt.date(2027, 3, 17)),
        (20, dt.date(2027, 2, 20)),
    ],
)
def test_day_terms_are_calendar_days(days, due):
    assert legal_deadline(dt.date(2027, 1, 31), days) == due


@pytest.mark.django_db
@pytest.mark.parametrize(("days", "valid"), [(1, True), (15, True), (30, True), (31, False)])
def test_a_category_first_term_is_at_most_one_month(days, valid):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    from tests.factories import CategoryFactory

    category = CategoryFactory()
    category.answer_days = days
    if valid:
        category.full_clean()
        category.save()
    else:
        with pytest.raises(ValidationError):
            category.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            category.save()
