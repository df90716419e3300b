from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citizens.notifications.services import notify
from mycity.lib.departments import department_staff_ids
from mycity.lib.i18n import in_every_language

from ..models import Appeal, AppealEvent, AppealMessage
from ..workflow import WORKFLOW, Action, Status


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
    Action.CLOSE_ANONYMOUS,
}


def _refused(status: str) -> AppealError:
    return AppealError(
        _("This cannot be done to a request that is “%(status)s”.") % {"status": status}
    )


def transition(
    *,
    appeal: Appeal,
    action: str,
    actor,
    role: str,
    reason: str = "",
    public: bool = True,
    tell: bool = True,
) -> Appeal:
    """Move `appeal` by `action` if the table allows it; lock, save, record, notify.

    Returns the locked, updated appeal. Raises AppealError when the action is
    not allowed from the current status for that role. `tell=False` records
    a step without telling anyone: the first of two steps of one decision,
    whose second tells (an outage's answer accepts, then answers, a report).
    """
    with transaction.atomic():
        locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
        before = WORKFLOW.move(locked, action, role, refused=_refused)
        fields = ["status", "updated_at"]
        now = timezone.now()
        if locked.status == Status.ANSWERED and before != Status.ANSWERED:
            locked.answered_at = now
            fields.append("answered_at")
        if locked.status in (Status.CLOSED, Status.LAPSED):
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
        if tell and action in NOTIFIED_ACTIONS:
            notify_status(locked, reason=reason if public else "")
    return locked


def notify_department_of_reply(appeal: Appeal, *, what: str) -> None:
    """Tell the routed department that the author added information or reopened."""
    staff = department_staff_ids(appeal.department)
    if staff:
        notify(
            recipients=staff,
            event="appeals.author_replied",
            context={"reference": appeal.reference, "title": appeal.title, "what": what},
            url=appeal.get_absolute_url(),
        )


def notify_status(appeal: Appeal, *, reason: str = "") -> None:
    """Tell the author and followers about the appeal's new status."""
    recipients = {appeal.author_id, *appeal.followers.values_list("user_id", flat=True)}
    # An appeal staff registered without an account: no account to tell.
    recipients.discard(None)
    if appeal.author_id is None:
        notify_contact_of_status(appeal, reason=reason)
    context = {
        "reference": appeal.reference,
        "title": appeal.title,
        "status": in_every_language(Status(appeal.status).label),
        "reason": reason,
    }
    if appeal.status == Status.ANSWERED and appeal.author_id is not None:
        # The author is told of the answer by its own kind of message, which
        # they may also choose to get by SMS; followers get the status change.
        recipients.discard(appeal.author_id)
        notify(
            recipients=[appeal.author_id],
            event="appeals.answered",
            context=context,
            url=appeal.get_absolute_url(),
        )
    notify(
        recipients=recipients,
        event="appeals.status_changed",
        context=context,
        url=appeal.get_absolute_url(),
    )


def notify_contact_of_status(appeal: Appeal, *, reason: str = "") -> bool:
    """E-mail the new status to the contact of an appeal without an account (if an e-mail)."""
    from .registration import notify_contact  # registration builds on this module

    with translation.override(settings.LANGUAGE_CODE):
        text = _("The status of your appeal %(reference)s is now: %(status)s.") % {
            "reference": appeal.reference,
            "status": Status(appeal.status).label,
        }
        if reason:
            text = f"{text}\n\n{reason}"
        if appeal.status == Status.ANSWERED:
            # Without an account they cannot read the answer on the site: it goes in full.
            answer = (
                AppealMessage.objects.filter(appeal=appeal, type=AppealMessage.Type.ANSWER)
                .order_by("-created_at", "-pk")
                .first()
            )
            if answer is not None:
                heading = _("The answer:")
                text = f"{text}\n\n{heading}\n{answer.text}"
    return notify_contact(appeal, text)
