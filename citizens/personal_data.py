"""A person's data, all of it: export, erase, retention purge (Law "On Personal Data Protection").

citizens owns accounts but does not know the feature apps. Each app that
keeps something about a person registers, in its AppConfig.ready, a
`PersonalData` entry here:

- `export(user) -> (data, files)`: a JSON-ready dict of what it holds about
  the person and a dict {name in the archive: file} of the files they gave;
- `erase(user)`: detach the person from what must stay (the public record)
  and delete the rest, run when the account is deleted;
- `purge(user)`: erase the private texts kept for the retention period, run
  by the scheduled job once PRIVACY_RETENTION_YEARS have passed.

Every hook must be idempotent: an erase or a purge may run twice.
"""

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mycity.lib.tasks import queue_on_commit

from .models import (
    ERASED_LABEL,
    AccessChange,
    ContactDisclosure,
    DataExport,
    PriorityStatus,
    SavedPlace,
    User,
)

Export = tuple[dict, dict]


@dataclass(frozen=True)
class PersonalData:
    name: str
    export: Callable[[User], Export] | None = None
    erase: Callable[[User], None] | None = None
    purge: Callable[[User], None] | None = None


_registry: dict[str, PersonalData] = {}


def register(entry: PersonalData) -> None:
    """Add an app's hooks (called from AppConfig.ready; a repeat replaces the entry)."""
    _registry[entry.name] = entry


def registered() -> list[PersonalData]:
    return list(_registry.values())


class PersonalDataError(Exception):
    """A refused request about one's data; the message is shown to the user."""


def privacy_pending(user) -> bool:
    """True when a signed-in person has not accepted the current privacy notice."""
    return user.is_authenticated and user.privacy_version != settings.PRIVACY_NOTICE_VERSION


def privacy_accept(*, user: User) -> bool:
    """Record that `user` accepted the current privacy notice. False if they already had."""
    if not privacy_pending(user):
        return False
    user.privacy_version = settings.PRIVACY_NOTICE_VERSION
    user.privacy_accepted_at = timezone.now()
    user.save(update_fields=["privacy_version", "privacy_accepted_at"])
    return True


# --- Export -------------------------------------------------------------------

EXPORT_SALT = "citizens.data_export"


def personal_data_collect(*, user: User) -> tuple[dict, dict]:
    """Everything every app holds about `user`: ({app: data}, {archive name: file})."""
    data: dict = {}
    files: dict = {}
    for entry in registered():
        if entry.export is None:
            continue
        part, part_files = entry.export(user)
        data[entry.name] = part
        for name, file in part_files.items():
            files[f"files/{entry.name}/{name}"] = file
    return data, files


def _archive(data: dict, files: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "data.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
        for name, file in files.items():
            try:
                with file.open("rb") as handle:
                    archive.writestr(name, handle.read())
            except (FileNotFoundError, OSError, ValueError):
                continue  # a file gone from storage: the rest of the archive still matters
    return out.getvalue()


def data_export_request(*, user: User) -> DataExport:
    """Record a request for an archive of all of `user`'s data; the task builds it."""

    if user.erased_at:
        raise PersonalDataError(_("This account has been deleted."))
    export = DataExport.objects.create(user=user)
    # With the broker down, data_exports_build_missed builds it later.
    queue_on_commit("citizens.tasks.build_data_export", export.pk)
    return export


def data_export_link(export: DataExport) -> str:
    """The signed download path of `export` (valid DATA_EXPORT_DAYS, for its owner only)."""
    token = signing.dumps({"u": export.user_id, "e": export.pk}, salt=EXPORT_SALT)
    return reverse("citizens:data_download", args=[token])


def data_export_for_token(*, token: str, user: User) -> DataExport:
    """The export a link names, if it is still valid and belongs to the signed-in `user`."""
    try:
        value = signing.loads(
            token, salt=EXPORT_SALT, max_age=timedelta(days=settings.DATA_EXPORT_DAYS)
        )
    except signing.BadSignature:
        raise PersonalDataError(_("This link has expired or is not valid.")) from None
    if value.get("u") != user.pk:
        raise PersonalDataError(_("This link is for another account."))
    export = DataExport.objects.filter(pk=value.get("e"), user=user).exclude(file="").first()
    if export is None:
        raise PersonalDataError(_("This archive is no longer available."))
    return export


def data_export_build(*, export_id: int) -> bool:
    """Build the archive of a requested export and tell its owner. False if nothing to do."""
    from .notifications.services import notify

    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or export.file or export.user.erased_at:
        return False
    data, files = personal_data_collect(user=export.user)
    data["exported_at"] = timezone.now()
    export.file.save("data.zip", ContentFile(_archive(data, files)), save=False)
    export.ready_at = timezone.now()
    export.save(update_fields=["file", "ready_at"])
    notify(
        recipients=[export.user],
        event="citizens.data_export_ready",
        context={"days": settings.DATA_EXPORT_DAYS},
        url=data_export_link(export),
    )
    return True


def data_exports_build_missed(*, now=None) -> int:
    """Build exports requested over an hour ago and not ready: their task was never queued.

    That happens when the broker was down at the request (mycity/lib/tasks.py).
    Building is idempotent, so an export whose task is merely slow is not built twice.
    """
    cutoff = (now or timezone.now()) - timedelta(hours=1)
    missed = DataExport.objects.filter(ready_at__isnull=True, created_at__lt=cutoff)
    return sum(data_export_build(export_id=pk) for pk in missed.values_list("pk", flat=True))


def data_exports_clean(*, now=None) -> int:
    """Delete exports (and their files) older than DATA_EXPORT_DAYS. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.DATA_EXPORT_DAYS)
    count = 0
    for export in DataExport.objects.filter(created_at__lt=cutoff):
        if export.file:
            export.file.delete(save=False)
        export.delete()
        count += 1
    return count


# --- Erase --------------------------------------------------------------------


def erased_email(user: User) -> str:
    """A unique address that can never receive mail (the .invalid domain, RFC 2606)."""
    return f"erased-{user.pk}@erased.invalid"


def user_erase(*, user: User, by: User | None = None) -> bool:
    """Delete `user`'s account at their request, keeping the row as a tombstone.

    Each app detaches the person from the public record it keeps and deletes
    the rest; then the account's names, contacts, sign-in means and
    notifications go. Staff accounts are offboarded by a superuser instead.
    Returns False if the account was already erased.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    if user.is_staff or user.is_superuser:
        raise PersonalDataError(
            _("A staff account cannot be deleted here: ask a superuser to end your access first.")
        )
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.erased_at:
            return False
        # The account's own part last: it deletes the notifications the others may send.
        for entry in sorted(registered(), key=lambda e: e.name == "account"):
            if entry.erase is not None:
                entry.erase(locked)
        for export in DataExport.objects.filter(user=locked):
            if export.file:
                export.file.delete(save=False)
            export.delete()
        EmailAddress.objects.filter(user=locked).delete()
        Authenticator.objects.filter(user=locked).delete()
        locked.groups.clear()
        locked.user_permissions.clear()
        # The access and contacts logs stay (who saw or changed what), pointing to the
        # tombstone; only the copied name and e-mail go. A queryset update, since the
        # rows are append-only for everything else.
        label = f"#{locked.pk} ({ERASED_LABEL})"
        ContactDisclosure.objects.filter(person=locked).update(person_label=label)
        AccessChange.objects.filter(person=locked).update(person_label=label)
        locked.email = erased_email(locked)
        locked.full_name = ""
        locked.display_name = ""
        locked.phone = ""
        locked.residence = ""
        locked.district = None
        locked.is_verified_resident = False
        locked.verified_at = None
        locked.verified_by = None
        locked.is_active = False
        # A new password hash also ends every session (web and the apps' tokens).
        locked.set_unusable_password()
        locked.erased_at = timezone.now()
        locked.save()
    user.refresh_from_db()
    return True


# --- Retention ----------------------------------------------------------------


def retention_cutoff(now=None):
    return (now or timezone.now()) - timedelta(days=365 * settings.PRIVACY_RETENTION_YEARS)


def privacy_purge_expired(*, now=None) -> int:
    """Erase the private texts of accounts erased over PRIVACY_RETENTION_YEARS ago.

    Every app's `purge` hook runs for each such account; the hooks are
    idempotent, so a rerun (or an overlap) changes nothing more. Returns the
    number of accounts looked at.
    """
    count = 0
    for user in User.objects.filter(erased_at__lt=retention_cutoff(now)).iterator():
        with transaction.atomic():
            for entry in registered():
                if entry.purge is not None:
                    entry.purge(user)
        count += 1
    return count


# --- citizens' own part -------------------------------------------------------

PROFILE_EXPORT = (
    "email",
    "full_name",
    "display_name",
    "phone",
    "preferred_language",
    "residence",
    "is_verified_resident",
    "verified_at",
    "date_joined",
    "last_login",
    "privacy_version",
    "privacy_accepted_at",
)


def _own_export(user: User) -> Export:
    from .notifications.models import Notification, NotificationPreference, PhoneVerification

    profile = {field: getattr(user, field) for field in PROFILE_EXPORT}
    profile["phone"] = str(user.phone or "")
    profile["district"] = str(user.district) if user.district_id else ""
    notifications = [
        {
            "event": n.event,
            "context": n.context,
            "link": n.url,
            "created_at": n.created_at,
            "read_at": n.read_at,
            "deliveries": [{"channel": d.channel, "status": d.status} for d in n.deliveries.all()],
        }
        for n in Notification.objects.filter(recipient=user).prefetch_related("deliveries")
    ]
    preferences = list(
        NotificationPreference.objects.filter(user=user).values(
            *[
                f.name
                for f in NotificationPreference._meta.concrete_fields
                if f.name not in ("id", "user")
            ]
        )
    )
    confirmation = PhoneVerification.objects.filter(user=user).first()
    priority = PriorityStatus.objects.filter(user=user).first()
    return {
        "profile": profile,
        # The phone confirmed for SMS (never the code, kept only as a hash).
        "sms_phone": (
            {
                "confirmed_phone": str(confirmation.verified_phone or ""),
                "confirmed_at": confirmation.verified_at,
            }
            if confirmation
            else None
        ),
        "priority_status": (
            {
                "category": priority.category,
                "document": priority.document,
                "declared_at": priority.declared_at,
                "decision": priority.decision,
                "decided_at": priority.decided_at,
                "refusal_reason": priority.refusal_reason,
            }
            if priority
            else None
        ),
        "notifications": notifications,
        "notification_preferences": preferences,
        "saved_places": [
            {
                "name": place.label,
                "address": place.address,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "district": str(place.district),
                "created_at": place.created_at,
                "told_about": [n.subject for n in place.notices.all()],
            }
            for place in SavedPlace.objects.filter(user=user)
            .select_related("district")
            .prefetch_related("notices")
        ],
    }, {}


def _own_erase(user: User) -> None:
    from .notifications.models import (
        Device,
        Notification,
        NotificationPreference,
        NotificationSettings,
        PhoneVerification,
        PushSubscription,
        TelegramLink,
    )

    Notification.objects.filter(recipient=user).delete()
    PhoneVerification.objects.filter(user=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
    NotificationSettings.objects.filter(user=user).delete()
    PushSubscription.objects.filter(user=user).delete()
    Device.objects.filter(user=user).delete()
    TelegramLink.objects.filter(user=user).delete()
    # Art. 20 status: data about health and service (sensitive), nothing keeps it.
    PriorityStatus.objects.filter(user=user).delete()
    # Addresses a person follows (and what they were told there): nothing keeps them.
    SavedPlace.objects.filter(user=user).delete()


register(PersonalData(name="account", export=_own_export, erase=_own_erase))
