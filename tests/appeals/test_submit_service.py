"""appeal_submit called directly: idempotency, numbering, deadlines, privacy, location."""

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from appeals.models import Appeal, AppealEvent, Kind, ReferenceCounter
from appeals.services import AppealError, appeal_submit
from appeals.workflow import Action, Status
from mycity.models import DistrictQuerySet
from tests.factories import CategoryFactory, DistrictFactory, UserFactory, submit_appeal

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def district(db):
    return DistrictFactory()


@pytest.fixture
def inside(district):
    """A point in the middle of `district` (a 0.01° square)."""
    west, south = district.boundary["coordinates"][0][0]
    return {"latitude": south + 0.005, "longitude": west + 0.005}


def submit(author, category, **fields):
    values = {
        "kind": Kind.PROBLEM,
        "category": category,
        "title": "Яма на дорозі",
        "description": "Велика яма біля зупинки, машини об'їжджають.",
        "is_public": True,
        "idempotency_key": uuid.uuid4(),
    }
    values.update(fields)
    return appeal_submit(author=author, **values)


@pytest.mark.django_db
def test_same_idempotency_key_twice_files_one_appeal(resident, inside):
    category = CategoryFactory()
    key = uuid.uuid4()

    first, created_first = submit(resident, category, idempotency_key=key, **inside)
    second, created_second = submit(resident, category, idempotency_key=key, **inside)

    assert (created_first, created_second) == (True, False)
    assert second.pk == first.pk
    assert Appeal.objects.count() == 1


@pytest.mark.django_db
def test_same_key_from_another_author_files_their_own_appeal(resident, other_resident, inside):
    category = CategoryFactory()
    key = uuid.uuid4()

    mine, _ = submit(resident, category, idempotency_key=key, **inside)
    theirs, created = submit(other_resident, category, idempotency_key=key, **inside)

    assert created is True
    assert theirs.pk != mine.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_files_one_appeal(monkeypatch, eager):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL and its row locks")
    author = UserFactory()
    category = CategoryFactory()
    district = DistrictFactory()
    west, south = district.boundary["coordinates"][0][0]
    key = uuid.uuid4()
    # Both requests get past the "already filed?" check before either writes.
    barrier = threading.Barrier(2, timeout=10)
    locate = DistrictQuerySet.locate

    def locate_together(self, **point):
        barrier.wait()
        return locate(self, **point)

    monkeypatch.setattr(DistrictQuerySet, "locate", locate_together)
    results, errors = [], []

    def tap():
        try:
            results.append(
                submit(
                    author,
                    category,
                    idempotency_key=key,
                    latitude=south + 0.005,
                    longitude=west + 0.005,
                )
            )
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(created for _appeal, created in results) == [False, True]
    assert len({appeal.pk for appeal, _created in results}) == 1
    assert Appeal.objects.filter(author=author).count() == 1
    # The loser's reference number was rolled back with it: no gap in the numbering.
    assert ReferenceCounter.objects.get().value == 1


@pytest.mark.django_db
def test_reference_numbers_are_sequential_within_the_year(resident):
    category = CategoryFactory()
    year = timezone.localdate().year

    references = [submit_appeal(resident, category).reference for _ in range(3)]

    assert references == [f"KH-{year}-000001", f"KH-{year}-000002", f"KH-{year}-000003"]


@pytest.mark.django_db
def test_deadline_is_registration_day_plus_the_category_answer_days(resident):
    category = CategoryFactory(answer_days=20)

    appeal = submit_appeal(resident, category)

    registered = timezone.localdate(appeal.registered_at)
    assert appeal.deadline == registered + dt.timedelta(days=20)


@pytest.mark.django_db
def test_a_one_month_category_is_due_a_calendar_month_after_registration(resident):
    from appeals.models import add_calendar_month

    appeal = submit_appeal(resident, CategoryFactory(answer_days=30))

    assert appeal.deadline == add_calendar_month(timezone.localdate(appeal.registered_at))


@pytest.mark.django_db
def test_new_appeal_waits_for_moderation_with_a_submit_event(resident):
    appeal = submit_appeal(resident)

    assert appeal.status == Status.MODERATION
    event = AppealEvent.objects.get(appeal=appeal)
    assert (event.action, event.to_status, event.actor) == (
        Action.SUBMIT,
        Status.MODERATION,
        resident,
    )


@pytest.mark.django_db
def test_sensitive_category_forces_a_private_appeal(resident):
    category = CategoryFactory(sensitive=True)

    appeal = submit_appeal(resident, category, is_public=True)

    assert appeal.is_public is False


@pytest.mark.django_db
def test_point_outside_the_city_is_refused(resident, district):
    category = CategoryFactory()

    with pytest.raises(AppealError, match="outside the city"):
        submit(resident, category, latitude=50.45, longitude=30.52)  # Kyiv

    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_category_requiring_a_location_refuses_an_appeal_without_one(resident):
    category = CategoryFactory(location_required=True)

    with pytest.raises(AppealError, match="map or type its address"):
        submit(resident, category)

    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_typed_address_is_enough_where_a_location_is_required(resident):
    category = CategoryFactory(location_required=True)

    appeal, created = submit(resident, category, address="  вул. Перекопська, 10  ")

    assert created
    assert (appeal.address, appeal.latitude, appeal.district) == (
        "вул. Перекопська, 10",
        None,
        None,
    )


@pytest.mark.django_db
def test_point_inside_a_district_picks_that_district(resident, district, inside):
    appeal, _ = submit(resident, CategoryFactory(), **inside)

    assert appeal.district == district


@pytest.mark.django_db
def test_half_a_point_is_refused_rather_than_breaking_the_location_constraint(resident, district):
    with pytest.raises(AppealError):
        submit(resident, CategoryFactory(location_required=True), latitude=46.605)

    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_category_that_does_not_take_the_kind_is_refused(resident, inside):
    category = CategoryFactory(kinds=["proposal"])

    with pytest.raises(AppealError, match="does not take"):
        submit(resident, category, **inside)


@pytest.mark.django_db
def test_inactive_category_is_refused(resident, inside):
    with pytest.raises(AppealError):
        submit(resident, CategoryFactory(is_active=False), **inside)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "   "), ("title", "я" * 151), ("description", ""), ("description", "я" * 5001)],
)
def test_empty_or_overlong_text_is_refused(resident, inside, field, value):
    with pytest.raises(AppealError):
        submit(resident, CategoryFactory(), **inside, **{field: value})

    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_proposal_collects_supports_for_the_configured_period(resident, settings, inside):
    settings.PROPOSAL_SUPPORT_DAYS = 60

    appeal, _ = submit(resident, CategoryFactory(), kind=Kind.PROPOSAL, **inside)

    assert appeal.support_until == timezone.localdate(appeal.registered_at) + dt.timedelta(days=60)
