"""Event types: what a notification is about, how it reads, how loud it is.

Each app declares its own on its AppConfig as `notification_events`, a list
of EventType; citizens never imports a feature app to learn them.
"""

from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

EMAIL = "email"
WEBPUSH = "webpush"
TELEGRAM = "telegram"
SMS = "sms"
# Native push to the city's own phone app (channels/app.py).
APP = "app"
# The channels an event goes to by default unless it names its own; SMS is
# never a default (it costs the city money per message).
EXTERNAL_CHANNELS = (EMAIL, WEBPUSH, TELEGRAM, APP)


# Groups of the settings page, in the order it shows them. An event names its
# group; an event with staff permissions is in STAFF whatever it names.
REQUESTS = "requests"
ALERTS = "alerts"
SERVICES = "services"
ACCOUNT = "account"
STAFF = "staff"
GROUPS = {
    REQUESTS: _("My requests"),
    ALERTS: _("City alerts"),
    SERVICES: _("Surveys and services"),
    ACCOUNT: _("My account"),
    STAFF: _("Staff work"),
}


@dataclass(frozen=True)
class EventType:
    key: str  # "<app>.<event>", stored in rows: never rename one in use
    label: Promise  # what the preferences page calls it
    title: Promise  # "%(name)s"-style placeholders filled from the context
    text: Promise
    urgent: bool = False  # may pass quiet hours, if the person allowed that
    # Sent through the priority lane (its own Celery queue and workers), ahead
    # of digests, reminders and announcements: alerts a person must get now.
    priority: bool = False
    default_channels: frozenset[str] = field(default_factory=lambda: frozenset(EXTERNAL_CHANNELS))
    # Account-security messages cannot be switched off.
    mutable: bool = True
    group: str = ACCOUNT
    # Sent to staff only: shown to a person holding any of these permissions
    # (a staff session that passed two-factor authentication), never to residents.
    staff_permissions: frozenset[str] = frozenset()
    # SMS may be chosen for this kind of message (off unless the person
    # chooses it): only the few that are worth a paid message.
    sms: bool = False
    # A message of this kind that did not reach the person's devices by push
    # or Telegram comes by SMS instead (citizens.notifications.sms.fallback).
    sms_fallback: bool = False

    def __post_init__(self):
        # A push to the phone is a push: the app's default is web push's, so no
        # app has to name the new channel in each of its events.
        if WEBPUSH in self.default_channels and APP not in self.default_channels:
            object.__setattr__(self, "default_channels", self.default_channels | {APP})

    def allows(self, channel: str) -> bool:
        """Whether `channel` may carry this kind of message at all."""
        return channel != SMS or self.sms

    @property
    def section(self) -> str:
        return STAFF if self.staff_permissions else self.group

    def reaches(self, user) -> bool:
        """Whether this kind of message can ever reach `user`."""
        if not self.staff_permissions:
            return True
        return bool(user.is_staff) and any(user.has_perm(p) for p in self.staff_permissions)


class _Context(dict):
    """Missing placeholders render as empty rather than failing a delivery."""

    def __missing__(self, key):
        return ""


def _localise(value):
    """A {"uk": …, "en": …} value in the active language (Ukrainian as fallback)."""
    if isinstance(value, dict) and settings.LANGUAGE_CODE in value:
        return value.get(get_language(), value[settings.LANGUAGE_CODE])
    return value


def render(event: "EventType", context: dict) -> tuple[str, str]:
    """(title, text) in the active language."""
    values = _Context({key: _localise(value) for key, value in context.items()})
    return str(event.title) % values, str(event.text) % values


@cache
def registry() -> dict[str, EventType]:
    events: dict[str, EventType] = {}
    for config in apps.get_app_configs():
        for event in getattr(config, "notification_events", ()):
            if event.key in events:
                raise ValueError(f"Notification event {event.key!r} is declared twice")
            events[event.key] = event
    return events


def for_user(user, *, mutable_only: bool = True) -> list[EventType]:
    """The events that can reach `user`, grouped in the order of GROUPS."""
    order = list(GROUPS)
    found = [
        event
        for event in registry().values()
        if (event.mutable or not mutable_only) and event.reaches(user)
    ]
    return sorted(found, key=lambda event: order.index(event.section))


@cache
def priority_keys() -> frozenset[str]:
    """The events whose messages go through the priority lane."""
    return frozenset(key for key, event in registry().items() if event.priority)


@cache
def sms_fallback_keys() -> frozenset[str]:
    """The events whose undelivered pushes fall back to SMS."""
    return frozenset(key for key, event in registry().items() if event.sms and event.sms_fallback)


def get_event(key: str) -> EventType:
    try:
        return registry()[key]
    except KeyError:
        raise LookupError(f"Unknown notification event {key!r}") from None


# citizens' own events (listed on CitizensConfig).
CITIZENS_EVENTS = [
    EventType(
        key="citizens.resident_verified",
        label=_("Your resident status is confirmed"),
        title=_("You are now a verified resident"),
        text=_(
            "A service centre confirmed that you live in the city. Surveys for verified residents are now open to you."  # noqa: E501
        ),
        default_channels=frozenset({EMAIL}),
    ),
    EventType(
        key="citizens.priority_decided",
        label=_("The decision on my priority status"),
        title=_("Your priority status: %(outcome)s"),
        text=_("The decision on the priority status you declared: %(outcome)s. %(reason)s"),
        default_channels=frozenset({EMAIL}),
    ),
    EventType(
        key="citizens.data_export_ready",
        label=_("Your data archive is ready"),
        title=_("Your data archive is ready"),
        text=_(
            "The archive of all your data you asked for can be downloaded for %(days)s days, while you are signed in."  # noqa: E501
        ),
        default_channels=frozenset({EMAIL}),
        mutable=False,
    ),
    EventType(
        key="citizens.saved_place",
        label=_("Outages and alerts at my saved places"),
        title=_("%(icon)s %(place)s: %(title)s"),
        text=_("%(what)s. %(text)s"),
        priority=True,
        default_channels=frozenset({EMAIL, WEBPUSH, TELEGRAM}),
        group=ALERTS,
    ),
    EventType(
        key="citizens.test",
        label=_("Test messages you ask for"),
        title=_("Test notification"),
        text=_("This is the test you asked for: notifications reach you here."),
    ),
]
