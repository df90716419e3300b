"""The outbox: a notification exists exactly when the change it tells about was
saved, once per person and channel, is queued only after commit, and is written
in the recipient's language."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection, transaction
from django.utils import translation

from citizens.models import User
from citizens.notifications import events
from citizens.notifications.events import EMAIL, TELEGRAM, WEBPUSH
from citizens.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    TelegramLink,
)
from citizens.notifications.services import (
    BATCH_SIZE,
    notify,
)
from tests.citizens.notifications.outbox_helpers import (
    DELIVER,
    SECURITY,
    RollbackError,
    channels_of,
    person,
    push_device,
    write_then_roll_back,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


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
    # Per batch, after the commit: the recipients' kept pages are dropped (their
    # bell counts one more), then the deliveries are queued.
    assert len(callbacks) == 2 * batches


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
