"""Helpers shared by the outbox tests: events no app declares, a transaction
that rolls back, and people with the channels they can be reached on."""

from django.db import transaction

from citizens.models import User
from citizens.notifications.events import EMAIL, EventType
from citizens.notifications.models import (
    Delivery,
    PushSubscription,
)
from tests.factories import UserFactory, verify_email

DELIVER = "citizens.tasks.deliver_batch"
FAN_OUT = "citizens.tasks.fan_out_broadcast"

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
