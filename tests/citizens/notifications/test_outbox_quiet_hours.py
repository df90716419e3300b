"""The outbox and quiet hours: a delivery is held until a person's quiet hours
end, unless it is an urgent alert they allowed through."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from citizens.notifications.models import (
    Delivery,
    NotificationSettings,
)
from citizens.notifications.services import (
    notify,
    release_time,
)
from tests.citizens.notifications.outbox_helpers import (
    DELIVER,
    URGENT,
)

pytestmark = pytest.mark.django_db


KYIV = ZoneInfo("Europe/Kyiv")

# --- Quiet hours -----------------------------------------------------------


def kyiv(day: int, hour: int, minute: int = 0) -> dt.datetime:
    # March 2026, before the clocks change on the 29th.
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=KYIV)


T = dt.time
DAY = (T(13), T(15))
NIGHT = (T(22), T(7))


@pytest.mark.parametrize(
    ("now", "window", "urgent", "not_held", "expected"),
    [
        (kyiv(10, 12), DAY, False, False, kyiv(10, 12)),
        (kyiv(10, 14, 30), DAY, False, False, kyiv(10, 15)),
        (kyiv(10, 13), DAY, False, False, kyiv(10, 15)),
        (kyiv(10, 15), DAY, False, False, kyiv(10, 15)),
        (kyiv(10, 23, 30), NIGHT, False, False, kyiv(11, 7)),
        (kyiv(10, 3), NIGHT, False, False, kyiv(10, 7)),
        (kyiv(10, 22), NIGHT, False, False, kyiv(11, 7)),
        (kyiv(10, 12), NIGHT, False, False, kyiv(10, 12)),
        (kyiv(10, 7), NIGHT, False, False, kyiv(10, 7)),
        (kyiv(10, 23), NIGHT, True, True, kyiv(10, 23)),
        (kyiv(10, 23), NIGHT, True, False, kyiv(11, 7)),
        (kyiv(10, 23), NIGHT, False, True, kyiv(11, 7)),
        (kyiv(10, 23), (T(8), T(8)), False, False, kyiv(10, 23)),
        (kyiv(10, 8), (T(8), T(8)), False, False, kyiv(10, 8)),
        (
            kyiv(10, 7).replace(second=10),
            (T(22), T(7, 0, 30)),
            False,
            False,
            kyiv(10, 7).replace(second=30),
        ),
    ],
    ids=[
        "day-window-before",
        "day-window-inside",
        "day-window-at-start",
        "day-window-at-end",
        "night-window-evening",
        "night-window-early-morning",
        "night-window-at-start",
        "night-window-midday",
        "night-window-at-end",
        "urgent-not-held",
        "urgent-held",
        "not-held-but-not-urgent",
        "start-equals-end",
        "start-equals-end-at-that-time",
        "end-with-seconds",
    ],
)
def test_release_time(now, window, urgent, not_held, expected):
    # An urgent kind passes quiet hours unless the person holds it.
    released = release_time(now=now, quiet=(*window, urgent and not_held))

    assert released == expected


def test_release_time_without_quiet_hours_is_now():
    now = timezone.now()

    assert release_time(now=now, quiet=None) == now


def test_release_time_reads_the_clock_in_kyiv():
    # 21:30 UTC is 23:30 in Kyiv in March (UTC+2): inside a 22:00-07:00 window.
    now = dt.datetime(2026, 3, 10, 21, 30, tzinfo=dt.UTC)

    released = release_time(now=now, quiet=(*NIGHT, False))

    assert released == kyiv(11, 7)


def window_around_now() -> tuple[dt.time, dt.time, dt.datetime]:
    """Quiet hours from an hour ago to an hour ahead, and when they end."""
    local = timezone.localtime(timezone.now(), KYIV)
    start = (local - dt.timedelta(hours=1)).time()
    end_at = (local + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    return start, end_at.time(), end_at


def test_notify_during_quiet_hours_holds_the_delivery_until_they_end(
    resident, queued, django_capture_on_commit_callbacks
):
    start, end, end_at = window_around_now()
    NotificationSettings.objects.create(user=resident, quiet_hours_start=start, quiet_hours_end=end)

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[resident], event="citizens.test")

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at == end_at
    assert queued == []


def test_an_urgent_alert_passes_quiet_hours_by_default(
    test_events, resident, queued, django_capture_on_commit_callbacks
):
    start, end, _end_at = window_around_now()
    NotificationSettings.objects.create(user=resident, quiet_hours_start=start, quiet_hours_end=end)

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[resident], event=URGENT.key)
        notify(recipients=[resident], event="citizens.test")

    urgent = Delivery.objects.get(notification__event=URGENT.key)
    assert urgent.next_attempt_at <= timezone.now()
    assert Delivery.objects.get(notification__event="citizens.test").next_attempt_at > (
        timezone.now()
    )


def test_an_urgent_kind_the_person_holds_waits_for_the_end_of_quiet_hours(
    test_events, resident, queued, django_capture_on_commit_callbacks
):
    start, end, end_at = window_around_now()
    NotificationSettings.objects.create(
        user=resident,
        quiet_hours_start=start,
        quiet_hours_end=end,
        held_in_quiet_hours=[URGENT.key],
    )

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[resident], event=URGENT.key)

    assert Delivery.objects.get().next_attempt_at == end_at
    assert queued == []


def test_quiet_hours_of_one_person_do_not_hold_another(
    resident, other_resident, queued, django_capture_on_commit_callbacks
):
    start, end, _end_at = window_around_now()
    NotificationSettings.objects.create(user=resident, quiet_hours_start=start, quiet_hours_end=end)

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[resident, other_resident], event="citizens.test")

    sent_now = Delivery.objects.get(notification__recipient=other_resident)
    assert queued == [(DELIVER, ([sent_now.pk],))]
