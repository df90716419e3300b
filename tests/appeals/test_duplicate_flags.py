"""Likely duplicates: flagged to moderators when filed, never shown publicly.

Two reports of one category about (nearly) one place, filed close in time, are
flagged on the later one; the moderator sees the flag in the queue and on the
appeal's admin page, merges it with the workflow's MERGE or dismisses the flag.
"""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from appeals.models import Appeal, AppealAudit, DuplicateFlag
from appeals.services import transition
from appeals.services.duplicates import duplicate_flag_dismiss
from appeals.services.registration import appeal_register
from appeals.workflow import MODERATOR, Action, Status
from tests.factories import CategoryFactory, DistrictFactory, UserFactory, submit_appeal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("everything_in_english")]

METRE_LAT = 1 / 111_195  # one metre north, in degrees of latitude


@pytest.fixture
def district():
    return DistrictFactory()


@pytest.fixture
def pin(district):
    west, south = district.boundary["coordinates"][0][0]
    return south + 0.005, west + 0.005


@pytest.fixture
def category():
    return CategoryFactory()


def filed(category, district, pin, *, north_m=0.0, author=None, **fields):
    return submit_appeal(
        author or UserFactory(),
        category,
        district=district,
        latitude=pin[0] + north_m * METRE_LAT,
        longitude=pin[1],
        **fields,
    )


def flagged(appeal) -> set[str]:
    return set(
        DuplicateFlag.objects.filter(appeal=appeal, dismissed_at__isnull=True).values_list(
            "other__reference", flat=True
        )
    )


def backdate(appeal, **delta):
    Appeal.objects.filter(pk=appeal.pk).update(registered_at=timezone.now() - dt.timedelta(**delta))


# --- flagging at filing ------------------------------------------------------------------


def test_same_category_100_m_apart_5_minutes_apart_is_flagged(category, district, pin):
    first = filed(category, district, pin)
    backdate(first, minutes=5)

    second = filed(category, district, pin, north_m=100)

    assert flagged(second) == {first.reference}
    assert flagged(first) == set()


def test_the_same_author_filing_twice_is_flagged_too(category, district, pin):
    author = UserFactory()
    first = filed(category, district, pin, author=author)

    second = filed(category, district, pin, author=author, north_m=20)

    assert flagged(second) == {first.reference}


def test_another_category_is_not_flagged(category, district, pin):
    filed(category, district, pin)

    other = filed(CategoryFactory(), district, pin)

    assert flagged(other) == set()


def test_a_place_farther_than_the_radius_is_not_flagged(settings, category, district, pin):
    settings.DUPLICATE_RADIUS_METRES = 150
    filed(category, district, pin)

    far = filed(category, district, pin, north_m=200)

    assert flagged(far) == set()


def test_days_apart_is_not_flagged(settings, category, district, pin):
    settings.DUPLICATE_WINDOW_HOURS = 24
    first = filed(category, district, pin)
    backdate(first, days=2)

    later = filed(category, district, pin)

    assert flagged(later) == set()


@pytest.mark.parametrize("status", [Status.MERGED, Status.REJECTED])
def test_merged_or_rejected_appeals_are_not_originals(status, category, district, pin):
    first = filed(category, district, pin)
    Appeal.objects.filter(pk=first.pk).update(status=status)

    assert flagged(filed(category, district, pin)) == set()


def test_private_and_sensitive_appeals_are_flagged_to_moderators(district, pin):
    sensitive = CategoryFactory(sensitive=True)
    first = filed(sensitive, district, pin, is_public=False)

    second = filed(sensitive, district, pin, north_m=50, is_public=False)

    assert flagged(second) == {first.reference}


def test_without_a_pin_the_same_typed_address_is_flagged(category):
    category.location_required = False
    category.save(update_fields=["location_required"])
    first = submit_appeal(
        UserFactory(), category, latitude=None, longitude=None, address="вул. Соборна, 5"
    )

    same = submit_appeal(
        UserFactory(), category, latitude=None, longitude=None, address="  Вул. Соборна,  5 "
    )
    other = submit_appeal(
        UserFactory(), category, latitude=None, longitude=None, address="вул. Соборна, 7"
    )

    assert flagged(same) == {first.reference}
    assert flagged(other) == set()


def test_a_paper_letter_registered_by_staff_is_flagged_against_online_reports(
    category, district, pin, moderator
):
    import uuid

    first = filed(category, district, pin)

    appeal, _code, _created = appeal_register(
        staff=moderator,
        channel="letter",
        full_name="Петро Іваненко",
        residence="Херсон, вул. Соборна, 1",
        postal_address="73000, Херсон, вул. Соборна, 1",
        kind="problem",
        category=category,
        title="Яма",
        description="Яма біля зупинки.",
        idempotency_key=uuid.uuid4(),
        received_at=timezone.now() - dt.timedelta(hours=3),
        latitude=pin[0],
        longitude=pin[1],
    )

    assert flagged(appeal) == {first.reference}


# --- the moderator's side ----------------------------------------------------------------


@pytest.fixture
def pair(category, district, pin):
    first = filed(category, district, pin)
    first = transition(appeal=first, action=Action.ACCEPT, actor=first.author, role=MODERATOR)
    second = filed(category, district, pin, north_m=100)
    return first, second


def test_the_moderation_queue_shows_the_flag_with_a_link(client_for, moderator, pair):
    first, _second = pair

    html = client_for(moderator).get(reverse("admin:appeals_moderationqueue_changelist"))
    html = html.content.decode()

    assert "likely duplicate" in html.lower()
    assert reverse("admin:appeals_appeal_change", args=[first.pk]) in html
    assert 'class="appeal-duplicate"' in html


def test_the_queue_does_not_grow_queries_with_flags(
    client_for, moderator, category, district, pin, django_assert_max_num_queries
):
    client = client_for(moderator)
    url = reverse("admin:appeals_moderationqueue_changelist")
    filed(category, district, pin)
    filed(category, district, pin)
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for _ in range(6):
        filed(category, district, pin)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_the_appeal_admin_page_links_the_other_and_offers_merge_and_dismiss(
    client_for, moderator, pair
):
    first, second = pair

    html = client_for(moderator).get(reverse("admin:appeals_appeal_change", args=[second.pk]))
    html = html.content.decode()

    assert 'id="appeal-duplicates"' in html
    assert reverse("admin:appeals_appeal_change", args=[first.pk]) in html
    assert f'name="merge-into" value="{first.reference}"' in html
    assert reverse("admin:appeals_appeal_action", args=[second.pk, "merge"]) in html
    flag = DuplicateFlag.objects.get(appeal=second)
    assert reverse("admin:appeals_appeal_duplicate_dismiss", args=[second.pk, flag.pk]) in html


def test_the_earlier_appeal_page_names_the_later_one(client_for, moderator, pair):
    first, second = pair

    html = client_for(moderator).get(reverse("admin:appeals_appeal_change", args=[first.pk]))
    html = html.content.decode()

    assert "A later request may repeat this one:" in html
    assert reverse("admin:appeals_appeal_change", args=[second.pk]) in html
    assert 'type="hidden" name="merge-into"' not in html


def test_the_moderator_merges_with_the_flags_button(client_for, moderator, pair):
    first, second = pair

    client_for(moderator).post(
        reverse("admin:appeals_appeal_action", args=[second.pk, "merge"]),
        {"merge-into": first.reference, "do": "merge"},
    )

    second.refresh_from_db()
    assert second.status == Status.MERGED
    assert second.merged_into == first
    html = client_for(moderator).get(reverse("admin:appeals_appeal_change", args=[second.pk]))
    assert 'id="appeal-duplicates"' not in html.content.decode()


def test_the_moderator_dismisses_the_flag(client_for, moderator, pair):
    _first, second = pair
    flag = DuplicateFlag.objects.get(appeal=second)
    client = client_for(moderator)

    response = client.post(
        reverse("admin:appeals_appeal_duplicate_dismiss", args=[second.pk, flag.pk])
    )

    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.dismissed_by == moderator
    assert AppealAudit.objects.filter(appeal=second, action="appeals.duplicate_dismiss").exists()
    assert flagged(second) == set()
    html = client.get(reverse("admin:appeals_moderationqueue_changelist")).content.decode()
    assert 'class="appeal-duplicate"' not in html


def test_dismiss_is_post_only_and_moderators_only(client_for, moderator, department_staff, pair):
    _first, second = pair
    flag = DuplicateFlag.objects.get(appeal=second)
    url = reverse("admin:appeals_appeal_duplicate_dismiss", args=[second.pk, flag.pk])

    assert client_for(moderator).get(url).status_code == 405
    # Department staff of another department cannot open the appeal at all.
    assert client_for(department_staff).post(url).status_code in (403, 404)
    with pytest.raises(Exception, match="Only moderators"):
        duplicate_flag_dismiss(flag=flag, moderator=department_staff)
    flag.refresh_from_db()
    assert flag.dismissed_at is None


def test_a_flag_of_another_appeal_cannot_be_dismissed_through_this_one(
    client_for, moderator, pair, category, district, pin
):
    _first, second = pair
    unrelated = filed(CategoryFactory(), district, pin)
    flag = DuplicateFlag.objects.get(appeal=second)

    response = client_for(moderator).post(
        reverse("admin:appeals_appeal_duplicate_dismiss", args=[unrelated.pk, flag.pk])
    )

    assert response.status_code == 404


def test_residents_never_see_flags(client, resident, pair):
    first, second = pair
    second = transition(appeal=second, action=Action.ACCEPT, actor=second.author, role=MODERATOR)

    html = client.get(second.get_absolute_url()).content.decode()
    detail = APIClient().get(f"/api/v1/appeals/{second.reference}/").json()

    assert first.reference not in html
    assert first.reference not in json.dumps(detail)
    assert "duplicate" not in json.dumps(detail).lower()
    assert client.get(reverse("admin:appeals_appeal_change", args=[second.pk])).status_code == 302
