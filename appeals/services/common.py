from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.notifications.services import notify

from ..models import Appeal, AppealEvent
from ..workflow import Action, Status, allowed, target


class AppealError(Exception):
    """A refused appeal operation; the message is shown to the user."""


# Actions the author and followers hear about.
NOTIFIED_ACTIONS = {
    Action.ACCEPT,
    Action.RETURN,
    Action.REJECT,
    Action.FORWARD,
    Action.MERGE,
    Action.START,
    Action.ANSWER,
    Action.CLOSE,
    Action.REOPEN,
    Action.EXTEND,
}


def transition(
    *, appeal: Appeal, action: str, actor, role: str, reason: str = "", public: bool = True
) -> Appeal:
    """Move `appeal` by `action` if the table allows it; lock, save, record, notify.

    Returns the locked, updated appeal. Raises AppealError when the action is
    not allowed from the current status for that role.
    """
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        if not allowed(action, locked.status, role):
            raise AppealError(
                _("This cannot be done to a request that is “%(status)s”.")
                % {"status": locked.get_status_display()}
            )
        before = locked.status
        locked.status = target(action, before)
        fields = ["status", "updated_at"]
        now = timezone.now()
        if locked.status == Status.ANSWERED and before != Status.ANSWERED:
            locked.answered_at = now
            fields.append("answered_at")
        if locked.status == Status.CLOSED:
            locked.closed_at = now
            fields.append("closed_at")
        locked.save(update_fields=fields)
        AppealEvent.objects.create(
            appeal=locked,
            action=action,
            from_status=before,
            to_status=locked.status,
            actor=actor,
            reason=reason,
            is_public=public,
            created_at=now,
        )
        if action in NOTIFIED_ACTIONS:
            notify_status(locked, reason=reason if public else "")
    return locked


def notify_status(appeal: Appeal, *, reason: str = "") -> None:
    """Tell the author and followers about the appeal's new status."""
    recipients = {appeal.author_id, *appeal.followers.values_list("user_id", flat=True)}
    notify(
        recipients=recipients,
        event="appeals.status_changed",
        context={
            "reference": appeal.reference,
            "title": appeal.title,
            "status": _status_labels(appeal.status),
            "reason": reason,
        },
        url=appeal.get_absolute_url(),
    )


def _status_labels(status: str) -> dict[str, str]:
    from django.utils import translation

    labels = {}
    for language in ("uk", "en"):
        with translation.override(language):
            labels[language] = str(Status(status).label)
    return labels
