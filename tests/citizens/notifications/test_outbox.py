"""The outbox: a notification exists exactly when the change it tells about was
saved, once per person and channel, and is queued only after commit."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation

from citizens.models import User
from citizens.notifications import events
from citizens.notifications.events import EMAIL, TELEGRAM, WEBPUSH, EventType
from citizens.notifications.models import (
    Broadcast,
    Delivery,
    Notification,
    NotificationPreference,
    NotificationSettings,
    PushSubscription,
    TelegramLink,
)
from citizens.notifications.services import (
    BATCH_SIZE,
    broadcast_fan_out_step,
    notify,
    notify_audience,
    release_time,
)
from mycity.lib import tasks as task_queue
from tests.factories import DistrictFactory, UserFactory, verify_email

pytestmark = pytest.mark.django_db

KYIV = ZoneInfo("Europe/Kyiv")
DELIVER = "citizens.tasks.deliver_batch"
FAN_OUT = "citizens.tasks.fan_out_broadcast"

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrent writers need PostgreSQL: SQLite serialises them, so there is no race",
)

URGENT = EventType(
    key="tests.urgent_alert",
    label="Urgent alert",
    title="Air raid alert",
    text="Go to a shelter.",
    urgent=True,
)
SECURITY = EventType(
    key="tests.security",
    label="Security",
    title="New sign-in",
    text="Someone signed in to your account.",
    default_channels=frozenset({EMAIL}),
    mutable=False,
)


class RollbackError(Exception):
    """Raised inside a transaction to roll it back."""


def write_then_roll_back(write, **kwargs):
    with transaction.atomic():
        write(**kwargs)
        raise RollbackError


@pytest.fixture
def queued(monkeypatch):
    """What would go to the broker, as (task name, args), instead of sending it."""
    calls = []

    def record(task, *args):
        calls.append((task if isinstance(task, str) else task.name, args))
        return True

    monkeypatch.setattr(task_queue, "queue", record)
    return calls


@pytest.fixture
def test_events(monkeypatch):
    """Two events no app declares: an urgent one and one that cannot be switched off."""
    for event in (URGENT, SECURITY):
        monkeypatch.setitem(events.registry(), event.key, event)


@pytest.fixture
def all_channels(settings):
    settings.VAPID_PUBLIC_KEY = "test-public-key"
    settings.VAPID_PRIVATE_KEY = "test-private-key"
    settings.TELEGRAM_BOT_TOKEN = "123:test-token"


def person(**fields) -> User:
    """A resident who can get e-mail (a verified address)."""
    user = UserFactory(**fields)
    verify_email(user)
    return user


def push_device(user, n=0) -> PushSubscription:
    return PushSubscription.objects.create(
        user=user, endpoint=f"https://push.example.com/{user.pk}/{n}", p256dh="k", auth="a"
    )


def channels_of(user) -> list[str]:
    return sorted(
        Delivery.objects.filter(notification__recipient=user).values_list("channel", flat=True)
    )


# --- Transactions ----------------------------------------------------------


def test_rolled_back_notify_leaves_no_rows_and_queues_nothing(
    resident, queued, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RollbackError),
    ):
        write_then_roll_back(notify, recipients=[resident], event="citizens.test")

    assert callbacks == []
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert queued == []


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_sends_nothing(eager):
    user = person()

    with pytest.raises(RollbackError):
        write_then_roll_back(notify, recipients=[user], event="citizens.test")

    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_delivery_is_queued_only_when_the_transaction_commits(queued):
    user = person()

    with transaction.atomic():
        notify(recipients=[user], event="citizens.test")
        assert queued == []

    delivery = Delivery.objects.get()
    assert queued == [(DELIVER, ([delivery.pk],))]


def test_committed_notify_writes_rows_and_queues_them_on_commit(
    resident, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        written = notify(recipients=[resident], event="citizens.test", url="/me/")

    notification = Notification.objects.get()
    delivery = Delivery.objects.get()
    assert written == 1
    assert (notification.recipient, notification.event, notification.url) == (
        resident,
        "citizens.test",
        "/me/",
    )
    assert (delivery.notification, delivery.channel, delivery.status) == (
        notification,
        EMAIL,
        Delivery.Status.PENDING,
    )
    assert queued == []

    for callback in callbacks:
        callback()

    assert queued == [(DELIVER, ([delivery.pk],))]


def test_committed_notify_is_delivered_once(resident, eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[resident], event="citizens.test")

    assert [m.to for m in mail.outbox] == [[resident.email]]
    assert Delivery.objects.get().status == Delivery.Status.SENT


# --- Channels, preferences, recipients -------------------------------------


def test_one_delivery_per_available_channel_and_push_device(all_channels, resident, queued):
    push_device(resident, 1)
    push_device(resident, 2)
    TelegramLink.objects.create(user=resident, chat_id=4242)

    notify(recipients=[resident], event="citizens.test")

    assert channels_of(resident) == [EMAIL, TELEGRAM, WEBPUSH, WEBPUSH]
    pushed = Delivery.objects.filter(channel=WEBPUSH).values_list("push_subscription", flat=True)
    assert set(pushed) == set(resident.push_subscriptions.values_list("pk", flat=True))


def test_unconfigured_channels_get_no_rows(resident, queued):
    push_device(resident)
    TelegramLink.objects.create(user=resident, chat_id=4242)

    notify(recipients=[resident], event="citizens.test")

    assert channels_of(resident) == [EMAIL]


def test_unlinked_telegram_gets_no_row(all_channels, resident, queued):
    TelegramLink.objects.create(user=resident, code="one-time-code")

    notify(recipients=[resident], event="citizens.test")

    assert channels_of(resident) == [EMAIL]


@pytest.mark.parametrize(
    ("address", "verified", "gets_email"),
    [
        (None, None, False),
        ("same", False, False),
        ("other@example.com", True, False),
        ("same", True, True),
        ("SAME", True, True),
    ],
    ids=["no-address", "unverified", "verified-old-address", "verified", "verified-other-case"],
)
def test_email_needs_a_verified_address_matching_the_account(address, verified, gets_email, queued):
    user = UserFactory(email="oksana@example.com")
    if address is not None:
        email = {"same": user.email, "SAME": user.email.upper()}.get(address, address)
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)

    notify(recipients=[user], event="citizens.test")

    assert Notification.objects.filter(recipient=user).count() == 1  # the inbox has it anyway
    assert channels_of(user) == ([EMAIL] if gets_email else [])


def test_switched_off_channel_gets_no_row(all_channels, resident, queued):
    TelegramLink.objects.create(user=resident, chat_id=4242)
    NotificationPreference.objects.create(
        user=resident, event="citizens.test", channel=EMAIL, enabled=False
    )

    notify(recipients=[resident], event="citizens.test")

    assert channels_of(resident) == [TELEGRAM]


def test_preference_for_another_event_changes_nothing(resident, queued):
    NotificationPreference.objects.create(
        user=resident, event="citizens.resident_verified", channel=EMAIL, enabled=False
    )

    notify(recipients=[resident], event="citizens.test")

    assert channels_of(resident) == [EMAIL]


def test_switched_on_channel_outside_the_defaults_gets_a_row(all_channels, resident, queued):
    TelegramLink.objects.create(user=resident, chat_id=4242)
    NotificationPreference.objects.create(
        user=resident, event="citizens.resident_verified", channel=TELEGRAM, enabled=True
    )

    notify(recipients=[resident], event="citizens.resident_verified")

    assert channels_of(resident) == [EMAIL, TELEGRAM]


def test_event_that_cannot_be_switched_off_ignores_preferences(
    all_channels, test_events, resident, queued
):
    TelegramLink.objects.create(user=resident, chat_id=4242)
    NotificationPreference.objects.create(
        user=resident, event=SECURITY.key, channel=EMAIL, enabled=False
    )
    NotificationPreference.objects.create(
        user=resident, event=SECURITY.key, channel=TELEGRAM, enabled=True
    )

    notify(recipients=[resident], event=SECURITY.key)

    assert channels_of(resident) == [EMAIL]


def test_inactive_user_gets_nothing(queued):
    user = person(is_active=False)

    written = notify(recipients=[user], event="citizens.test")

    assert written == 0
    assert not Notification.objects.exists()
    assert queued == []


def test_recipient_named_twice_gets_one_notification(resident, queued):
    written = notify(recipients=[resident, resident.pk], event="citizens.test")

    assert written == 1
    assert Notification.objects.count() == Delivery.objects.count() == 1


def test_unknown_event_is_refused_before_writing(resident):
    with pytest.raises(LookupError):
        notify(recipients=[resident], event="citizens.no_such_event")

    assert not Notification.objects.exists()


def test_many_recipients_are_written_in_a_bounded_number_of_queries(
    queued, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    count = 2500
    users = User.objects.bulk_create(
        User(email=f"bulk{i}@example.com", password="!") for i in range(count)
    )
    EmailAddress.objects.bulk_create(
        EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
    )
    batches = -(-count // BATCH_SIZE)
    # Per batch of 1,000: users, preferences, quiet hours, then the two bulk
    # inserts. SQLite caps a statement at 999 parameters, so Django splits each
    # insert into chunks of ~100 rows there: about 21 statements per batch,
    # against 5 on PostgreSQL. One query per row would be thousands.
    per_batch = 5 if connection.vendor == "postgresql" else 25

    with (
        django_capture_on_commit_callbacks() as callbacks,
        django_assert_max_num_queries(batches * per_batch),
    ):
        written = notify(recipients=users, event="citizens.test")

    assert written == count
    assert Notification.objects.count() == Delivery.objects.count() == count
    assert len(callbacks) == batches


# --- Quiet hours -----------------------------------------------------------


def kyiv(day: int, hour: int, minute: int = 0) -> dt.datetime:
    # March 2026, before the clocks change on the 29th.
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=KYIV)


T = dt.time
DAY = (T(13), T(15))
NIGHT = (T(22), T(7))


@pytest.mark.parametrize(
    ("now", "window", "urgent", "urgent_allowed", "expected"),
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
        "urgent-allowed",
        "urgent-not-allowed",
        "allowed-but-not-urgent",
        "start-equals-end",
        "start-equals-end-at-that-time",
        "end-with-seconds",
    ],
)
def test_release_time(now, window, urgent, urgent_allowed, expected):
    released = release_time(now=now, quiet=(*window, urgent_allowed), urgent=urgent)

    assert released == expected


def test_release_time_without_quiet_hours_is_now():
    now = timezone.now()

    assert release_time(now=now, quiet=None, urgent=False) == now


def test_release_time_reads_the_clock_in_kyiv():
    # 21:30 UTC is 23:30 in Kyiv in March (UTC+2): inside a 22:00-07:00 window.
    now = dt.datetime(2026, 3, 10, 21, 30, tzinfo=dt.UTC)

    released = release_time(now=now, quiet=(*NIGHT, False), urgent=False)

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


def test_urgent_alert_passes_quiet_hours_when_the_person_allowed_it(
    test_events, resident, queued, django_capture_on_commit_callbacks
):
    start, end, _end_at = window_around_now()
    NotificationSettings.objects.create(
        user=resident, quiet_hours_start=start, quiet_hours_end=end, urgent_ignores_quiet_hours=True
    )

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[resident], event=URGENT.key)

    delivery = Delivery.objects.get()
    assert delivery.next_attempt_at <= timezone.now()
    assert queued == [(DELIVER, ([delivery.pk],))]


def test_quiet_hours_of_one_person_do_not_hold_another(
    resident, other_resident, queued, django_capture_on_commit_callbacks
):
    start, end, _end_at = window_around_now()
    NotificationSettings.objects.create(user=resident, quiet_hours_start=start, quiet_hours_end=end)

    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[resident, other_resident], event="citizens.test")

    sent_now = Delivery.objects.get(notification__recipient=other_resident)
    assert queued == [(DELIVER, ([sent_now.pk],))]


# --- Broadcasts ------------------------------------------------------------


def residents(count: int, **fields) -> list[User]:
    return [person(**fields) for _ in range(count)]


def run_fan_out(broadcast, batch_size=BATCH_SIZE) -> list[bool]:
    steps = []
    while True:
        more = broadcast_fan_out_step(broadcast_id=broadcast.pk, batch_size=batch_size)
        steps.append(more)
        if not more:
            return steps


def recipients_of(broadcast) -> list[int]:
    return sorted(
        Notification.objects.filter(broadcast=broadcast).values_list("recipient", flat=True)
    )


def test_notify_audience_writes_only_a_broadcast_row_in_the_callers_transaction(
    queued, django_capture_on_commit_callbacks
):
    residents(3)

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        broadcast = notify_audience(event="citizens.test", context={"n": 1}, url="/news/")

    assert list(Broadcast.objects.values_list("pk", "status")) == [
        (broadcast.pk, Broadcast.Status.PENDING)
    ]
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()
    assert queued == []

    for callback in callbacks:
        callback()

    assert queued == [(FAN_OUT, (broadcast.pk,))]


def test_rolled_back_broadcast_leaves_nothing(queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RollbackError):
        write_then_roll_back(notify_audience, event="citizens.test")

    assert not Broadcast.objects.exists()
    assert queued == []


def test_fan_out_steps_write_each_recipient_once(queued):
    people = residents(5)
    broadcast = notify_audience(event="citizens.test")

    steps = run_fan_out(broadcast, batch_size=2)

    assert steps == [True, True, True, False]
    assert recipients_of(broadcast) == sorted(u.pk for u in people)
    assert Delivery.objects.filter(notification__broadcast=broadcast).count() == 5
    broadcast.refresh_from_db()
    assert broadcast.status == Broadcast.Status.DONE
    assert broadcast.recipient_count == 5
    assert broadcast.cursor == max(u.pk for u in people)


def test_fan_out_step_after_done_writes_nothing(queued):
    residents(3)
    broadcast = notify_audience(event="citizens.test")
    run_fan_out(broadcast, batch_size=2)

    assert broadcast_fan_out_step(broadcast_id=broadcast.pk) is False
    assert run_fan_out(broadcast) == [False]
    assert Notification.objects.filter(broadcast=broadcast).count() == 3


def test_fan_out_does_not_reach_people_who_joined_after_it_finished(queued):
    residents(2)
    broadcast = notify_audience(event="citizens.test")
    run_fan_out(broadcast)
    person()

    run_fan_out(broadcast)

    assert Notification.objects.filter(broadcast=broadcast).count() == 2


def test_replayed_step_with_a_stale_cursor_writes_nobody_twice(queued):
    residents(3)
    broadcast = notify_audience(event="citizens.test")
    broadcast_fan_out_step(broadcast_id=broadcast.pk, batch_size=2)
    # A step that read the broadcast before the first one committed: the
    # row lock makes it impossible, the unique constraint is the backstop.
    Broadcast.objects.filter(pk=broadcast.pk).update(cursor=0, recipient_count=0)

    with pytest.raises(IntegrityError):
        broadcast_fan_out_step(broadcast_id=broadcast.pk, batch_size=2)

    assert Notification.objects.filter(broadcast=broadcast).count() == 2
    assert Broadcast.objects.get(pk=broadcast.pk).cursor == 0


def test_database_refuses_a_second_notification_of_one_broadcast_to_one_person(resident):
    broadcast = Broadcast.objects.create(event="citizens.test")
    Notification.objects.create(recipient=resident, event="citizens.test", broadcast=broadcast)

    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=resident, event="citizens.test", broadcast=broadcast)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_fan_out_tasks_write_each_recipient_once(queued):
    people = [u.pk for u in residents(30)]
    broadcast = notify_audience(event="citizens.test")
    start = threading.Barrier(3)
    errors = []

    def worker():
        try:
            start.wait()
            while broadcast_fan_out_step(broadcast_id=broadcast.pk, batch_size=4):
                pass
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert recipients_of(broadcast) == sorted(people)
    broadcast.refresh_from_db()
    assert (broadcast.status, broadcast.recipient_count) == (Broadcast.Status.DONE, 30)


def test_fan_out_to_districts_reaches_only_their_residents(queued):
    north, south, east = DistrictFactory(), DistrictFactory(), DistrictFactory()
    in_north = residents(2, district=north)
    in_south = residents(1, district=south)
    residents(2, district=east)
    residents(1)  # no district given

    broadcast = notify_audience(event="citizens.test", district_ids=[north.pk, south.pk])
    run_fan_out(broadcast)

    assert recipients_of(broadcast) == sorted(u.pk for u in in_north + in_south)


def test_fan_out_to_verified_residents_only(queued):
    verified = [person(is_verified_resident=True, verified_at=timezone.now()) for _ in range(2)]
    residents(2)

    broadcast = notify_audience(event="citizens.test", verified_only=True)
    run_fan_out(broadcast)

    assert recipients_of(broadcast) == sorted(u.pk for u in verified)


def test_fan_out_combines_district_and_verified_filters(queued):
    north, south = DistrictFactory(), DistrictFactory()
    wanted = person(district=north, is_verified_resident=True, verified_at=timezone.now())
    person(district=north)
    person(district=south, is_verified_resident=True, verified_at=timezone.now())

    broadcast = notify_audience(event="citizens.test", district_ids=[north.pk], verified_only=True)
    run_fan_out(broadcast)

    assert recipients_of(broadcast) == [wanted.pk]


def test_fan_out_skips_inactive_accounts(queued):
    active = residents(2)
    residents(1, is_active=False)

    broadcast = notify_audience(event="citizens.test")
    run_fan_out(broadcast)

    assert recipients_of(broadcast) == sorted(u.pk for u in active)


def test_city_wide_broadcast_reaches_every_resident_once(eager, django_capture_on_commit_callbacks):
    people = residents(7)
    UserFactory()  # no verified address: inbox only

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify_audience(event="citizens.test")

    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in people)
    assert Notification.objects.count() == 8
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


# --- The recipient's language ----------------------------------------------


@pytest.mark.parametrize(("language", "other"), [("en", "uk"), ("uk", "en")])
def test_email_is_written_in_the_recipients_language(
    language, other, eager, django_capture_on_commit_callbacks
):
    user = person(preferred_language=language)
    event = events.get_event("citizens.test")
    with translation.override(language):
        expected_subject = str(event.title)
        expected_text = str(event.text)

    # Whoever triggers it, in whatever language their request is.
    with translation.override(other), django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[user], event="citizens.test")

    [message] = mail.outbox
    assert message.subject == expected_subject
    assert expected_text in message.body
    if language == "en":
        assert message.subject == "Test notification"
