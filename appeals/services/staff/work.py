"""The department's work: start, assign, answer (with attachments), close, extend, notes."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from citizens.notifications.services import notify
from mycity.lib.uploads import CheckedFile, check_file

from ...models import (
    AnswerAttachment,
    Appeal,
    AppealMessage,
    AppealNote,
    legal_deadline,
)
from ...workflow import (
    DEPARTMENT,
    MODERATOR,
    WORKING_STATUSES,
    Action,
)
from ..common import AppealError, transition
from .base import (
    ANY_STAFF,
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_MAX_COUNT,
    ATTACHMENT_MAX_PAGES,
    ATTACHMENT_NAME_MAX,
    AUDIT_ASSIGN,
    AUDIT_NOTE,
    MAX_TERM_DAYS,
    MESSAGE_MAX,
    NOTE_MAX,
    audit,
    audit_code,
    clean_text,
    in_department,
    lock,
    role_for,
    status_change,
)


def appeal_start(*, appeal: Appeal, staff) -> Appeal:
    """The department starts work on an accepted appeal (in progress)."""
    with transaction.atomic():
        locked = lock(appeal)
        role = role_for(staff, locked, action=Action.START)
        before = locked.status
        started = transition(appeal=locked, action=Action.START, actor=staff, role=role)
        audit(
            started,
            actor=staff,
            action=audit_code(Action.START),
            changes=status_change(before, started),
        )
    return started


def appeal_assign(*, appeal: Appeal, assignee, actor) -> Appeal:
    """Assign an appeal to a colleague of its department (None: unassign).

    The assignee must be an active staff member or the head of the department
    the appeal is routed to; they are told, unless they assigned themselves.
    Only while the department works on the appeal (workflow.WORKING_STATUSES:
    accepted or in progress, the statuses it can answer from). Before the
    moderator accepts it the department may still change; once answered,
    returned to the author, or final, nobody is to be assigned.
    """
    with transaction.atomic():
        locked = lock(appeal)
        role_for(actor, locked, roles=ANY_STAFF)
        if locked.status not in WORKING_STATUSES:
            raise AppealError(
                _("A request that is “%(status)s” cannot be assigned.")
                % {"status": locked.get_status_display()}
            )
        if assignee is not None and not in_department(assignee, locked.department_id):
            raise AppealError(
                _("%(name)s does not work in %(department)s.")
                % {"name": assignee, "department": locked.department}
            )
        was = locked.assignee_id
        new = assignee.pk if assignee is not None else None
        if was != new:
            locked.assignee = assignee
            locked.save(update_fields=["assignee", "updated_at"])
            if assignee is not None and assignee.pk != getattr(actor, "pk", None):
                notify(
                    recipients=[assignee],
                    event="appeals.assigned",
                    context={
                        "reference": locked.reference,
                        "title": locked.title,
                        "deadline": locked.deadline.strftime("%d.%m.%Y"),
                    },
                    url=locked.get_absolute_url(),
                )
        audit(locked, actor=actor, action=AUDIT_ASSIGN, changes={"assignee": (was, new)})
    return locked


def _check_attachments(attachments) -> list[CheckedFile]:
    """Each upload checked by content as residents' documents are (mycity.lib.uploads)."""
    if len(attachments) > ATTACHMENT_MAX_COUNT:
        raise AppealError(_("Attach up to %(n)d files.") % {"n": ATTACHMENT_MAX_COUNT})
    checked = []
    for upload in attachments:
        try:
            checked.append(
                check_file(upload, max_bytes=ATTACHMENT_MAX_BYTES, max_pages=ATTACHMENT_MAX_PAGES)
            )
        except ValidationError as error:
            raise AppealError(" ".join(error.messages)) from None
    return checked


def appeal_answer(
    *, appeal: Appeal, staff, text: str, attachments=(), attachments_public: bool = False
) -> Appeal:
    """The department gives the official answer: the appeal is answered.

    The answer text is shown to the author and, for public appeals, on the
    public page. Its attachments (PDF/JPEG/PNG up to 10 MB each, checked by
    content, images re-encoded) go to the private storage: the author and
    staff always see them, the public only on a public appeal and only with
    `attachments_public`. Files are checked before anything is saved.
    """
    text = clean_text(
        text,
        limit=MESSAGE_MAX,
        empty=_("Write the answer."),
        too_long=_("Keep the answer within %(n)d characters."),
    )
    checked = _check_attachments(list(attachments))
    with transaction.atomic():
        locked = lock(appeal)
        role = role_for(staff, locked, action=Action.ANSWER)
        before = locked.status
        message = AppealMessage.objects.create(
            appeal=locked, type=AppealMessage.Type.ANSWER, author=staff, text=text
        )
        for checked_file in checked:
            attachment = AnswerAttachment(
                message=message,
                name=checked_file.name[:ATTACHMENT_NAME_MAX],
                is_public=attachments_public,
            )
            attachment.file.save(
                f"file{checked_file.extension}", ContentFile(checked_file.content), save=False
            )
            attachment.save()
        answered = transition(appeal=locked, action=Action.ANSWER, actor=staff, role=role)
        audit(
            answered,
            actor=staff,
            action=audit_code(Action.ANSWER),
            changes={
                **status_change(before, answered),
                "answer": (None, message.pk),
                "attachments": (None, [checked_file.name for checked_file in checked]),
                **({"attachments_public": (False, True)} if checked and attachments_public else {}),
            },
        )
    return answered


def appeal_close(*, appeal: Appeal, actor) -> Appeal:
    """Close an answered appeal.

    A proposal that reached its support threshold must have an official
    answer (an answer message) before it can be closed.
    """
    with transaction.atomic():
        locked = lock(appeal)
        role = role_for(actor, locked, action=Action.CLOSE)
        if (
            locked.threshold_reached_at is not None
            and not AppealMessage.objects.filter(
                appeal=locked, type=AppealMessage.Type.ANSWER
            ).exists()
        ):
            raise AppealError(
                _(
                    "This proposal reached its support threshold: it cannot be closed "
                    "without an official answer."
                )
            )
        before = locked.status
        closed = transition(appeal=locked, action=Action.CLOSE, actor=actor, role=role)
        audit(
            closed,
            actor=actor,
            action=audit_code(Action.CLOSE),
            changes=status_change(before, closed),
        )
    return closed


def appeal_extend(*, appeal: Appeal, actor, days: int, reason: str) -> Appeal:
    """Move the answer deadline once by `days`, with a reason shown to the author.

    The law allows one extension, and never past 45 days from registration
    in total. The reason is on the public timeline and in the notification.
    """
    reason = clean_text(
        reason,
        limit=NOTE_MAX,
        empty=_("Give the reason for the extension: the author will see it."),
        too_long=_("Keep the reason within %(n)d characters."),
    )
    if not isinstance(days, int) or days < 1:
        raise AppealError(_("Extend the deadline by at least one day."))
    with transaction.atomic():
        locked = lock(appeal)
        role = role_for(actor, locked, action=Action.EXTEND)
        if locked.deadline_extended:
            raise AppealError(_("The deadline of this request has already been extended once."))
        latest = legal_deadline(locked.registered_at, MAX_TERM_DAYS)
        new_deadline = locked.deadline + dt.timedelta(days=days)
        if new_deadline > latest:
            raise AppealError(
                _("The deadline can be extended to %(date)s at most (45 days from registration).")
                % {"date": latest.strftime("%d.%m.%Y")}
            )
        extended = transition(
            appeal=locked, action=Action.EXTEND, actor=actor, role=role, reason=reason
        )
        was = extended.deadline
        extended.deadline = new_deadline
        extended.deadline_extended = True
        extended.extension_reason = reason
        extended.save(
            update_fields=["deadline", "deadline_extended", "extension_reason", "updated_at"]
        )
        audit(
            extended,
            actor=actor,
            action=audit_code(Action.EXTEND),
            changes={
                "deadline": (was, new_deadline),
                "deadline_extended": (False, True),
                "extension_reason": ("", reason),
            },
        )
    return extended


def appeal_note(*, appeal: Appeal, author, text: str) -> AppealNote:
    """An internal note of staff on an appeal: never shown to the author or the public."""
    text = clean_text(
        text,
        limit=NOTE_MAX,
        empty=_("Write the note."),
        too_long=_("Keep the note within %(n)d characters."),
    )
    with transaction.atomic():
        locked = lock(appeal)
        role_for(author, locked, roles=ANY_STAFF)
        note = AppealNote.objects.create(appeal=locked, author=author, text=text)
        audit(locked, actor=author, action=AUDIT_NOTE, changes={"note": (None, text)})
    return note


AUDIT_ATTACHMENT_PUBLISH = "appeals.attachment_publish"


def answer_attachment_publish(
    *, attachment: AnswerAttachment, staff, public: bool
) -> AnswerAttachment:
    """Staff show an answer's attachment on the public page, or take it off.

    It appears publicly only while the appeal itself is public; the author
    and staff always see it. Moderators and the department's staff may do it.
    """
    with transaction.atomic():
        locked = lock(attachment.message.appeal)
        role_for(staff, locked, roles=(MODERATOR, DEPARTMENT))
        attachment = AnswerAttachment.objects.select_for_update().get(
            pk=attachment.pk, message__appeal=locked
        )
        was = attachment.is_public
        if was != public:
            attachment.is_public = public
            attachment.save(update_fields=["is_public"])
            audit(
                locked,
                actor=staff,
                action=AUDIT_ATTACHMENT_PUBLISH,
                changes={f"attachment {attachment.pk} public": (was, public)},
            )
    return attachment
