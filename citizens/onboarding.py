"""The welcome step after a resident's first sign-in: home district and alert channels.

Today's alerts reach people by their home district, which sign-up never asks;
this one short, skippable page asks it (and where urgent alerts should go)
right after the first sign-in, then sends the person on to where they were
going. `User.onboarded_at` records that it was shown (then saved, skipped or
left): it is not shown again on its own, and the cabinet links to it.
"""

from urllib.parse import urlencode

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from mycity.models import District

from .models import User
from .notifications import events
from .notifications.channels import available as available_channels
from .notifications.models import NotificationPreference
from .notifications.services import preferences_set


def safe_next(request, value: str | None) -> str | None:
    """`value` if it is a path on this site (never another host), else None."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return None
    host = request.get_host() if request is not None else None
    secure = request.is_secure() if request is not None else False
    if not url_has_allowed_host_and_scheme(value, allowed_hosts={host}, require_https=secure):
        return None
    return value


def is_wanted(user, target: str) -> bool:
    """Whether the welcome step comes before `target` for this sign-in."""
    # Staff signing in to work in the administration are not residents arriving.
    if target.startswith(reverse("admin:index")):
        return False
    # An account that already has a home district (set in the apps or the
    # profile) has nothing to be asked for.
    return user.onboarded_at is None and user.district_id is None


def welcome_url(target: str) -> str:
    return f"{reverse('citizens:welcome')}?{urlencode({'next': target})}"


def alert_events(user) -> list[events.EventType]:
    """The events whose channels the welcome step sets: the city's alerts."""
    return [e for e in events.for_user(user) if e.section == events.ALERTS]


def welcome_channels() -> list[str]:
    """The channels the welcome step offers: those this installation has, but
    SMS, which needs a phone confirmed with a code on its own page first."""
    return [c for c in available_channels() if c != events.SMS]


def alert_channels(user) -> list[str]:
    """The channels on today for the first alert event (stored choice or default)."""
    found = alert_events(user)
    if not found:
        return []
    first = found[0]
    stored = dict(
        NotificationPreference.objects.filter(user=user, event=first.key).values_list(
            "channel", "enabled"
        )
    )
    return [c for c in welcome_channels() if stored.get(c, c in first.default_channels)]


def onboarding_shown(*, user: User) -> None:
    """Record that the welcome step was shown: a sign-in never leads to it again,
    even when the person leaves it without saving or skipping."""
    if user.onboarded_at is None:
        user.onboarded_at = timezone.now()
        user.save(update_fields=["onboarded_at"])


def onboarding_finish(
    *,
    user: User,
    district: District | None = None,
    channels: list[str] | None = None,
) -> User:
    """Save what the welcome step chose and mark it done; skipping passes nothing.

    `channels` (when given) becomes the set of channels for every city-alert
    event; channels this installation does not offer are left as they are.
    """
    with transaction.atomic():
        user.onboarded_at = timezone.now()
        fields = ["onboarded_at"]
        if district is not None:
            user.district = district
            fields.append("district")
        user.save(update_fields=fields)
        if channels is not None:
            offered = welcome_channels()
            preferences_set(
                user=user,
                choices={
                    (event.key, channel): channel in channels
                    for event in alert_events(user)
                    for channel in offered
                    if event.allows(channel)
                },
            )
    return user
