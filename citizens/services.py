"""Every change to a person's account goes through these functions."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import User
from .notifications.services import notify


class CitizenError(Exception):
    """A refused account operation; the message is shown to the user."""


PROFILE_FIELDS = ("full_name", "display_name", "phone", "preferred_language", "district")


def user_update_profile(*, user: User, **changes) -> User:
    """Save the editable profile fields of `user` (only those passed)."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise CitizenError(
            _("These fields cannot be changed here: %s") % ", ".join(sorted(unknown))
        )
    for field, value in changes.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=list(changes))
    return user


def user_set_language(*, user: User, language: str) -> User:
    """Remember the interface language a person chose; notifications use it too."""
    if language not in dict(settings.LANGUAGES):
        raise CitizenError(_("Unknown language."))
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return user


def user_verify_resident(*, user: User, by: User) -> bool:
    """Mark `user` as a verified resident, recording who verified and when.

    Returns False if the user was already verified (the original record stays).
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.is_verified_resident:
            return False
        locked.is_verified_resident = True
        locked.verified_at = timezone.now()
        locked.verified_by = by
        locked.save(update_fields=["is_verified_resident", "verified_at", "verified_by"])
        notify(
            recipients=[locked],
            event="citizens.resident_verified",
            url=reverse("citizens:cabinet"),
        )
    user.refresh_from_db(fields=["is_verified_resident", "verified_at", "verified_by"])
    return True


def user_unverify_resident(*, user: User) -> bool:
    """Withdraw the verified-resident mark. Returns False if it was not set."""
    updated = User.objects.filter(pk=user.pk, is_verified_resident=True).update(
        is_verified_resident=False, verified_at=None, verified_by=None
    )
    user.refresh_from_db(fields=["is_verified_resident", "verified_at", "verified_by"])
    return bool(updated)
