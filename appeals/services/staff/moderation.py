"""Moderation: accept and route, redact, hide photos, return, reject, forward, merge."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from citizens.notifications.services import notify
from mycity.models import Department

from ...models import (
    Appeal,
    AppealFollower,
    AppealMessage,
    AppealPhoto,
    RejectReason,
    legal_deadline,
)
from ...workflow import (
    MODERATOR,
    Action,
    Status,
)
from ..common import AppealError, transition
from .base import (
    ANONYMOUS_REASON,
    AUDIT_PHOTO_HIDE,
    AUDIT_PHOTO_REMOVE,
    AUDIT_REDACT,
    FORWARD_DAYS,
    FORWARDED_TO_MAX,
    MESSAGE_MAX,
    TERMS,
    apply_redaction,
    audit,
    audit_code,
    check_window,
    clean_text,
    lock,
    role_for,
    status_change,
)


def appeal_accept(
    *,
    appeal: Appeal,
    moderator,
    department: Department | None = None,
    term_days: int | None = None,
    title: str | None = None,
    description: str | None = None,
) -> Appeal:
    """A moderator accepts an appeal awaiting moderation and routes it to a department.

    The department defaults to the category's; the moderator may choose
    another active one. `term_days` (15 or 30, the law) sets the answer
    deadline anew from registration; without it the term chosen at filing
    stays. A redacted `title`/`description` replaces the author's text before
    it goes public (personal data edited out). Appeals of sensitive
    categories stay private. Returns the updated appeal.
    """
    if term_days is not None and term_days not in TERMS:
        raise AppealError(_("The term to answer is 15 or 30 days."))
    if department is not None and not department.is_active:
        raise AppealError(_("This department no longer takes requests."))
    with transaction.atomic():
        locked = lock(appeal)
        role = role_for(moderator, locked, action=Action.ACCEPT)
        before = locked.status
        changes, fields = apply_redaction(locked, title=title, description=description)
        target_department = department or locked.category.department
        if target_department.pk != locked.department_id:
            changes["department"] = (locked.department_id, target_department.pk)
            locked.department = target_department
            fields.append("department")
        if term_days is not None:
            deadline = legal_deadline(locked.registered_at, term_days)
            if locked.deadline_extended:
                # An extension granted before a return for information still holds.
                deadline = max(deadline, locked.deadline)
            if term_days != locked.term_days:
                changes["term_days"] = (locked.term_days, term_days)
                locked.term_days = term_days
                fields.append("term_days")
            if deadline != locked.deadline:
                changes["deadline"] = (locked.deadline, deadline)
                locked.deadline = deadline
                fields.append("deadline")
        if locked.category.sensitive and locked.is_public:
            changes["is_public"] = (True, False)
            locked.is_public = False
            fields.append("is_public")
        if fields:
            # Saved before the transition, so the notification already reads the redacted title.
            locked.save(update_fields=[*fields, "updated_at"])
        accepted = transition(appeal=locked, action=Action.ACCEPT, actor=moderator, role=role)
        audit(
            accepted,
            actor=moderator,
            action=audit_code(Action.ACCEPT),
            changes={**status_change(before, accepted), **changes},
        )
    return accepted


def appeal_redact(
    *, appeal: Appeal, moderator, title: str | None = None, description: str | None = None
) -> Appeal:
    """A moderator edits personal data out of the public title and/or description.

    At any status. The old text stays only in the staff-only audit log.
    Returns the updated appeal; AppealError when nothing was given.
    """
    if title is None and description is None:
        raise AppealError(_("Give the corrected title or description."))
    with transaction.atomic():
        locked = lock(appeal)
        role_for(moderator, locked, roles=(MODERATOR,))
        changes, fields = apply_redaction(locked, title=title, description=description)
        if fields:
            locked.save(update_fields=[*fields, "updated_at"])
        audit(locked, actor=moderator, action=AUDIT_REDACT, changes=changes)
    return locked


def photo_hide(*, photo: AppealPhoto, moderator) -> AppealPhoto:
    """A moderator keeps a photo off public pages (staff and the author still see it)."""
    with transaction.atomic():
        locked = lock(photo.appeal)
        role_for(moderator, locked, roles=(MODERATOR,))
        photo = AppealPhoto.objects.select_for_update().get(pk=photo.pk, appeal=locked)
        was = photo.is_public
        if was:
            photo.is_public = False
            photo.save(update_fields=["is_public"])
        audit(
            locked,
            actor=moderator,
            action=AUDIT_PHOTO_HIDE,
            changes={f"photo {photo.pk} is_public": (was, False)},
        )
    return photo


def photo_remove(*, photo: AppealPhoto, moderator) -> None:
    """A moderator removes a photo: the row now, the file once the transaction commits."""
    with transaction.atomic():
        locked = lock(photo.appeal)
        role_for(moderator, locked, roles=(MODERATOR,))
        photo = AppealPhoto.objects.select_for_update().get(pk=photo.pk, appeal=locked)
        storage, name, pk = photo.image.storage, photo.image.name, photo.pk
        photo.delete()
        audit(
            locked,
            actor=moderator,
            action=AUDIT_PHOTO_REMOVE,
            changes={f"photo {pk}": (name, None)},
        )
        # After commit: a rolled-back removal must not lose the file.
        transaction.on_commit(lambda: storage.delete(name) if name else None)


def reply_due_from(today: dt.date) -> dt.date:
    """The last day the author of an appeal returned `today` may reply (setting, Art. 5, 7)."""
    return today + dt.timedelta(days=settings.APPEALS_RETURN_REPLY_DAYS)


def appeal_return(*, appeal: Appeal, actor, question: str) -> Appeal:
    """Return an appeal to its author for missing information (the law's 10-day return).

    The question (the reason for the return, required) is written as a
    message only the author and staff see; the public timeline and the
    notification say that information is needed and the date by which the
    author must reply (APPEALS_RETURN_REPLY_DAYS from today, kept in
    `reply_due`). When the author replies, the appeal goes back to
    moderation; if they do not, `appeals_close_unanswered_returns` closes it
    without consideration.
    """
    question = clean_text(
        question,
        limit=MESSAGE_MAX,
        empty=_("Write what the author should add: the reason for the return."),
        too_long=_("Keep the question within %(n)d characters."),
    )
    with transaction.atomic():
        locked = lock(appeal)
        role = role_for(actor, locked, action=Action.RETURN)
        check_window(locked, Action.RETURN)
        before = locked.status
        reply_due = reply_due_from(timezone.localdate())
        reason = _(
            "The city needs more information: the question is on the request's page. "
            "Please reply by %(date)s, otherwise the request will be closed without "
            "consideration."
        ) % {"date": reply_due.strftime("%d.%m.%Y")}
        locked.reply_due = reply_due
        locked.save(update_fields=["reply_due", "updated_at"])
        returned = transition(
            appeal=locked, action=Action.RETURN, actor=actor, role=role, reason=reason
        )
        message = AppealMessage.objects.create(
            appeal=returned, type=AppealMessage.Type.QUESTION, author=actor, text=question
        )
        audit(
            returned,
            actor=actor,
            action=audit_code(Action.RETURN),
            changes={
                **status_change(before, returned),
                "question": (None, message.pk),
                "reply_due": (None, reply_due),
            },
        )
    return returned


def appeal_reject(
    *, appeal: Appeal, moderator, reason: RejectReason | str, comment: str = ""
) -> Appeal:
    """A moderator rejects an appeal awaiting moderation for a reason from the list.

    The reason's label (and the comment, if any) is the public reason the
    author is told.
    """
    if reason not in RejectReason.values:
        raise AppealError(_("Choose a reason from the list."))
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = lock(appeal)
        role = role_for(moderator, locked, action=Action.REJECT)
        before = locked.status
        public_reason = str(RejectReason(reason).label)
        if comment:
            public_reason = f"{public_reason}. {comment}"
        rejected = transition(
            appeal=locked, action=Action.REJECT, actor=moderator, role=role, reason=public_reason
        )
        audit(
            rejected,
            actor=moderator,
            action=audit_code(Action.REJECT),
            changes={**status_change(before, rejected), "reason": (None, str(reason))},
        )
    return rejected


def appeal_close_anonymous(*, appeal: Appeal, moderator, comment: str = "") -> Appeal:
    """A moderator leaves an anonymous appeal without consideration (Art. 8 of the law).

    Only an appeal registered without the author's full name and place of
    residence (Appeal.is_anonymous); the author is told the reason.
    """
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = lock(appeal)
        role = role_for(moderator, locked, action=Action.CLOSE_ANONYMOUS)
        if not locked.is_anonymous:
            raise AppealError(
                _("The request carries the author's name and residence: it is not anonymous.")
            )
        before = locked.status
        reason = str(ANONYMOUS_REASON)
        if comment:
            reason = f"{reason} {comment}"
        closed = transition(
            appeal=locked,
            action=Action.CLOSE_ANONYMOUS,
            actor=moderator,
            role=role,
            reason=reason,
        )
        audit(
            closed,
            actor=moderator,
            action=audit_code(Action.CLOSE_ANONYMOUS),
            changes=status_change(before, closed),
        )
    return closed


def appeal_forward(*, appeal: Appeal, actor, body: str, comment: str = "") -> Appeal:
    """Forward an appeal to the body competent to answer it (the law: within 5 days).

    `body` is stored in forwarded_to; the author and followers are told where
    it went.
    """
    body = clean_text(
        body,
        limit=FORWARDED_TO_MAX,
        empty=_("Name the body the request is forwarded to."),
        too_long=_("Shorten the name of the body to %(n)d characters."),
    )
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = lock(appeal)
        role = role_for(actor, locked, action=Action.FORWARD)
        check_window(locked, Action.FORWARD)
        before, was = locked.status, locked.forwarded_to
        locked.forwarded_to = body
        locked.save(update_fields=["forwarded_to", "updated_at"])
        reason = _(
            "Forwarded to %(body)s, which can answer it; the law allows %(days)d days for this."
        ) % {"body": body, "days": FORWARD_DAYS}
        if comment:
            reason = f"{reason} {comment}"
        forwarded = transition(
            appeal=locked, action=Action.FORWARD, actor=actor, role=role, reason=reason
        )
        audit(
            forwarded,
            actor=actor,
            action=audit_code(Action.FORWARD),
            changes={**status_change(before, forwarded), "forwarded_to": (was, body)},
        )
    return forwarded


def appeal_merge(*, appeal: Appeal, into: Appeal, moderator) -> Appeal:
    """A moderator marks `appeal` as a duplicate of `into`.

    `into` must be another appeal that is not itself merged or rejected, and
    public (or filed by the same person), since the duplicate's people will
    follow it. The duplicate's author and followers become followers of
    `into` (never its own author, never twice) and are told with a link to
    it. Both rows are locked, in id order, so two merges cannot deadlock.
    """
    if into.pk == appeal.pk:
        raise AppealError(_("A request cannot be merged into itself."))
    with transaction.atomic():
        first, second = sorted((appeal.pk, into.pk))
        rows = {
            row.pk: row
            for row in Appeal.objects.select_for_update(of=("self",))
            .select_related("category", "department")
            .filter(pk__in=[first, second])
            .order_by("pk")
        }
        locked, original = rows[appeal.pk], rows[into.pk]
        role = role_for(moderator, locked, action=Action.MERGE)
        if original.status in {Status.MERGED, Status.REJECTED}:
            raise AppealError(
                _("A request cannot be merged into one that is “%(status)s”.")
                % {"status": original.get_status_display()}
            )
        # Two appeals without an account (author None) are not one person's.
        same_author = original.author_id is not None and original.author_id == locked.author_id
        if not same_author and (not original.is_public or original.category.sensitive):
            raise AppealError(_("A request can be merged only into a public request."))
        before = locked.status
        people = {
            locked.author_id,
            *AppealFollower.objects.filter(appeal=locked).values_list("user_id", flat=True),
        } - {original.author_id, None}
        already = set(
            AppealFollower.objects.filter(appeal=original, user_id__in=people).values_list(
                "user_id", flat=True
            )
        )
        AppealFollower.objects.bulk_create(
            [AppealFollower(appeal=original, user_id=pk) for pk in sorted(people - already)]
        )
        # Moved, not copied: they now hear about the original, once.
        AppealFollower.objects.filter(appeal=locked).delete()
        locked.merged_into = original
        locked.save(update_fields=["merged_into", "updated_at"])
        reason = _("A duplicate of %(reference)s: the city answers it there.") % {
            "reference": original.reference
        }
        merged = transition(
            appeal=locked, action=Action.MERGE, actor=moderator, role=role, reason=reason
        )
        if people:
            notify(
                recipients=sorted(people),
                event="appeals.merged",
                context={
                    "reference": locked.reference,
                    "into": original.reference,
                    "into_title": original.title,
                },
                url=original.get_absolute_url(),
            )
        audit(
            merged,
            actor=moderator,
            action=audit_code(Action.MERGE),
            changes={
                **status_change(before, merged),
                "merged_into": (None, original.pk),
                "followers_moved": (None, sorted(people)),
            },
        )
    return merged
