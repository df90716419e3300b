"""Every change made through Open311: issuing keys and filing requests posted by key."""

import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Appeal, AppealAudit, Category, Kind
from ..services import AppealError, appeal_submit
from . import keys
from .models import ApiClient, Open311Submission


def api_client_create(
    *,
    name: str,
    created_by=None,
    contact_email: str = "",
    notes: str = "",
    requests_per_minute: int | None = None,
) -> tuple[ApiClient, str]:
    """Issue an API key to an organisation; returns (client, key).

    The key is returned only here: the database keeps its digest. The
    client gets its own account to file requests under; that account cannot
    sign in and receives no notifications.
    """
    key, prefix, digest = keys.new_key()
    with transaction.atomic():
        user = get_user_model().objects.create_user(
            email=f"api-client-{uuid.uuid4().hex}@clients.invalid",
            full_name=name.strip()[:150],
            is_active=False,
        )
        client = ApiClient.objects.create(
            name=name.strip(),
            contact_email=contact_email,
            notes=notes,
            requests_per_minute=requests_per_minute,
            user=user,
            key_prefix=prefix,
            key_hash=digest,
            created_by=created_by,
        )
    return client, key


def api_client_rotate_key(*, client: ApiClient) -> str:
    """Replace the client's key with a new one (the old one stops working); returns it."""
    key, prefix, digest = keys.new_key()
    with transaction.atomic():
        locked = ApiClient.objects.select_for_update().get(pk=client.pk)
        locked.key_prefix, locked.key_hash = prefix, digest
        locked.is_active, locked.revoked_at = True, None
        locked.save(update_fields=["key_prefix", "key_hash", "is_active", "revoked_at"])
    client.refresh_from_db()
    return key


def api_client_revoke(*, client: ApiClient) -> bool:
    """Stop the client's key working at once; False if it was already revoked."""
    updated = ApiClient.objects.filter(pk=client.pk, is_active=True).update(
        is_active=False, revoked_at=timezone.now()
    )
    client.refresh_from_db()
    return bool(updated)


def open311_request_submit(
    *,
    client: ApiClient,
    category: Category,
    title: str,
    description: str,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str = "",
    extra_answers: dict | None = None,
    contacts: dict | None = None,
) -> tuple[Appeal, Open311Submission]:
    """File a problem report posted by an API client; it waits for moderation like any other.

    The appeal is filed through appeal_submit (the same rules as the web
    form) under the client's account, public unless the category is
    sensitive; the reporter's contacts are kept with the submission for staff.
    The spec's first_name/last_name become the author's name as registered
    (surname first, Art. 5); it has no place of residence, so such an appeal
    is anonymous (Art. 8) and never takes the client account's profile or
    priority status. Raises AppealError when appeal_submit refuses it.
    """
    contacts = contacts or {}
    reporter = f"{contacts.get('last_name', '')} {contacts.get('first_name', '')}"
    with transaction.atomic():
        appeal, _created = appeal_submit(
            author=client.user,
            kind=Kind.PROBLEM,
            category=category,
            title=title,
            description=description,
            is_public=True,
            idempotency_key=uuid.uuid4(),
            latitude=latitude,
            longitude=longitude,
            address=address,
            extra_answers=extra_answers or {},
            reporter_full_name=reporter,
        )
        submission = Open311Submission.objects.create(appeal=appeal, client=client, **contacts)
    return appeal, submission


AUDIT_MEDIA_APPROVE = "appeals.open311_media_approve"
AUDIT_MEDIA_REMOVE = "appeals.open311_media_remove"


def _moderated_media(*, submission: Open311Submission, moderator, approve: bool) -> bool:
    if not moderator.has_perm("appeals.moderate_appeal"):
        raise AppealError(_("Only moderators decide on a client's media URL."))
    with transaction.atomic():
        locked = Open311Submission.objects.select_for_update().get(pk=submission.pk)
        if not locked.media_url or (approve and locked.media_url_approved):
            return False
        before = [locked.media_url, locked.media_url_approved]
        if approve:
            locked.media_url_approved = True
        else:
            locked.media_url, locked.media_url_approved = "", False
        locked.save(update_fields=["media_url", "media_url_approved"])
        AppealAudit.objects.create(
            appeal_id=locked.appeal_id,
            actor=moderator,
            action=AUDIT_MEDIA_APPROVE if approve else AUDIT_MEDIA_REMOVE,
            changes={"media_url": [before, [locked.media_url, locked.media_url_approved]]},
        )
    submission.refresh_from_db()
    return True


def open311_media_approve(*, submission: Open311Submission, moderator) -> bool:
    """Let GET requests show the client's media_url to everyone; False if nothing changed.

    A moderator does this after looking at what the link shows (no personal
    data, nothing unlawful). Raises AppealError for anyone but a moderator.
    """
    return _moderated_media(submission=submission, moderator=moderator, approve=True)


def open311_media_remove(*, submission: Open311Submission, moderator) -> bool:
    """Drop the client's media_url (it is never shown again); False if there was none.

    Raises AppealError for anyone but a moderator.
    """
    return _moderated_media(submission=submission, moderator=moderator, approve=False)
