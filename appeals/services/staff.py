"""What city staff do with an appeal: moderation, routing, work, answers, escalation.

Every function here checks that the person may act on this appeal
(`staff_role`: moderators on every appeal, department staff and heads on
their departments' appeals), locks the appeal's row, moves the status only
through `transition()` (which records the public timeline and tells the
author and followers), saves with `update_fields`, and writes an AppealAudit
row with what changed — in one transaction. Notifications are outbox rows
written in that transaction, delivered after commit.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens.access import has_staff_powers
from citizens.notifications.services import notify
from mycity.lib.uploads import CheckedFile, check_file
from mycity.models import Department

from ..models import (
    AnswerAttachment,
    Appeal,
    AppealAudit,
    AppealFollower,
    AppealMessage,
    AppealNote,
    AppealPhoto,
    RejectReason,
    legal_deadline,
)
from ..search import normalize
from ..workflow import (
    DEPARTMENT,
    HEAD,
    MODERATOR,
    OPEN_STATUSES,
    SYSTEM,
    TRANSITIONS,
    Action,
    Status,
)
from .common import AppealError, department_staff_ids, transition

# The law's terms, in calendar days from registration.
TERMS = (15, 30)
MAX_TERM_DAYS = 45
RETURN_DAYS = 10
FORWARD_DAYS = 5

TITLE_MAX = Appeal._meta.get_field("title").max_length
DESCRIPTION_MAX = Appeal._meta.get_field("description").max_length
MESSAGE_MAX = AppealMessage._meta.get_field("text").max_length
NOTE_MAX = AppealNote._meta.get_field("text").max_length
FORWARDED_TO_MAX = Appeal._meta.get_field("forwarded_to").max_length

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_COUNT = 10
ATTACHMENT_MAX_PAGES = 200
ATTACHMENT_NAME_MAX = AnswerAttachment._meta.get_field("name").max_length

# Statuses in which nobody works on the appeal any more: no assignment.
FINAL_STATUSES = frozenset(
    {Status.CLOSED, Status.REJECTED, Status.MERGED, Status.FORWARDED, Status.LAPSED}
)

# Audit codes (AppealAudit.action).
AUDIT_REDACT = "appeals.redact"
AUDIT_PHOTO_HIDE = "appeals.photo_hide"
AUDIT_PHOTO_REMOVE = "appeals.photo_remove"
AUDIT_ASSIGN = "appeals.assign"
AUDIT_NOTE = "appeals.note"
AUDIT_ESCALATE = "appeals.escalate"


# Art. 5 and 7: a return and a forward are possible only so many days after receipt.
# Told to the author of an anonymous appeal left without consideration.
ANONYMOUS_REASON = gettext_lazy(
    "Under Art. 8 of the Law of Ukraine “On Citizens' Appeals” an appeal without the author's "
    "full name and place of residence is anonymous and is not subject to consideration."
)
LEGAL_WINDOWS = {Action.RETURN: RETURN_DAYS, Action.FORWARD: FORWARD_DAYS}


def days_since_receipt(appeal: Appeal, today: dt.date | None = None) -> int:
    """Whole calendar days since the appeal was received (registered), in Kyiv time."""
    today = today or timezone.localdate()
    return (today - timezone.localdate(appeal.registered_at)).days


def within_legal_window(appeal: Appeal, action: str, today: dt.date | None = None) -> bool:
    """True unless `action` has a legal window (return: 10 days, forward: 5) that has passed."""
    limit = LEGAL_WINDOWS.get(action)
    return limit is None or days_since_receipt(appeal, today) <= limit


def _check_window(appeal: Appeal, action: str) -> None:
    if within_legal_window(appeal, action):
        return
    if action == Action.RETURN:
        raise AppealError(
            _(
                "An appeal can be returned to its author only within %(days)d days of receipt "
                "(Art. 5 and 7 of the Law on Citizens' Appeals); it must be considered now."
            )
            % {"days": RETURN_DAYS}
        )
    raise AppealError(
        _(
            "An appeal can be forwarded to another body only within %(days)d days of receipt "
            "(Art. 7 of the Law on Citizens' Appeals); the department must answer it."
        )
        % {"days": FORWARD_DAYS}
    )


def audit_code(action: str) -> str:
    """The audit code of a workflow action, e.g. "appeals.accept"."""
    return f"appeals.{action}"


# --- who may act -----------------------------------------------------------


def _is_moderator(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm("appeals.moderate_appeal")
    )


def _in_department(user, department_id: int) -> bool:
    if not has_staff_powers(user):
        return False
    return (
        Department.objects.filter(pk=department_id).filter(Q(head=user) | Q(members=user)).exists()
    )


def is_head_or_deputy(user, department_id: int) -> bool:
    """The head of the department or one of its deputy heads (Art. 20: they extend terms)."""
    return (
        Department.objects.filter(pk=department_id).filter(Q(head=user) | Q(deputies=user)).exists()
    )


def _roles(user, appeal: Appeal) -> set[str]:
    roles = set()
    if _is_moderator(user):
        roles.add(MODERATOR)
    if _in_department(user, appeal.department_id):
        roles.add(DEPARTMENT)
        if is_head_or_deputy(user, appeal.department_id):
            roles.add(HEAD)
    return roles


def staff_role(user, appeal: Appeal) -> str | None:
    """How `user` may act on `appeal`: workflow.MODERATOR, workflow.DEPARTMENT or None.

    Moderators (the appeals.moderate_appeal permission) act on every appeal;
    active staff accounts who are members or the head of the department the
    appeal is routed to act on it as DEPARTMENT; nobody else acts on it.
    """
    roles = _roles(user, appeal)
    if MODERATOR in roles:
        return MODERATOR
    if DEPARTMENT in roles:
        return DEPARTMENT
    return None


def appeals_for_staff(user) -> QuerySet:
    """The appeals `user` may work on: all for moderators, their departments' for staff.

    Department scope is a subquery on the department ids (members or head),
    not a join, so the queryset has no duplicates and needs no DISTINCT.
    Everyone else gets an empty queryset.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Appeal.objects.none()
    if user.has_perm("appeals.moderate_appeal"):
        return Appeal.objects.all()
    if not has_staff_powers(user):
        return Appeal.objects.none()
    departments = Department.objects.filter(Q(head=user) | Q(members=user)).values("pk")
    return Appeal.objects.filter(department_id__in=departments)


def _role_for(user, appeal: Appeal, *, action: str | None = None, roles=None) -> str:
    """The role in which `user` takes `action` (or any staff action) on `appeal`, or refuse."""
    have = _roles(user, appeal)
    if not have:
        raise AppealError(_("You can act only on requests of your department."))
    wanted = set(roles) if roles is not None else set(TRANSITIONS[action][2])
    usable = have & wanted
    if not usable:
        if wanted == {MODERATOR}:
            raise AppealError(_("Only a moderator can do this."))
        if wanted == {HEAD} and DEPARTMENT in have:
            raise AppealError(
                _(
                    "Only the head of the department or a deputy head can extend the term "
                    "(Art. 20 of the law)."
                )
            )
        raise AppealError(
            _("Only the staff of the department the request is routed to can do this.")
        )
    # A moderator who also works in the department acts as the department where both fit.
    for role in (DEPARTMENT, MODERATOR, HEAD):
        if role in usable:
            return role
    raise AssertionError(usable)  # pragma: no cover


ANY_STAFF = (MODERATOR, DEPARTMENT)


# --- helpers -------------------------------------------------------------


def _lock(appeal: Appeal) -> Appeal:
    # Only the appeal's row: the category and department rows are shared.
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("category", "department")
        .get(pk=appeal.pk)
    )


def _plain(value):
    """A JSON-friendly form of a field's value for the audit log."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _audit(appeal: Appeal, *, actor, action: str, changes: dict) -> AppealAudit:
    return AppealAudit.objects.create(
        appeal=appeal,
        actor=actor,
        action=action,
        changes={field: [_plain(old), _plain(new)] for field, (old, new) in changes.items()},
    )


def _status_change(before: str, after: Appeal) -> dict:
    return {"status": (before, after.status)}


def _clean_text(text: str, *, limit: int, empty: str, too_long: str) -> str:
    text = (text or "").strip()
    if not text:
        raise AppealError(empty)
    if len(text) > limit:
        raise AppealError(too_long % {"n": limit})
    return text


def _apply_redaction(appeal: Appeal, *, title, description) -> tuple[dict, list[str]]:
    """Set a redacted title/description on the locked row; returns (changes, fields)."""
    changes, fields = {}, []
    if title is not None:
        title = _clean_text(
            title,
            limit=TITLE_MAX,
            empty=_("The title cannot be empty."),
            too_long=_("Give the request a title of up to %(n)d characters."),
        )
        if title != appeal.title:
            changes["title"] = (appeal.title, title)
            appeal.title = title
            fields.append("title")
    if description is not None:
        description = _clean_text(
            description,
            limit=DESCRIPTION_MAX,
            empty=_("The description cannot be empty."),
            too_long=_("Describe the request in up to %(n)d characters."),
        )
        if description != appeal.description:
            changes["description"] = (appeal.description, description)
            appeal.description = description
            fields.append("description")
    if fields:
        appeal.search_text = normalize(appeal.title, appeal.description, appeal.address)
        fields.append("search_text")
    return changes, fields


# --- moderation ------------------------------------------------------------


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
        locked = _lock(appeal)
        role = _role_for(moderator, locked, action=Action.ACCEPT)
        before = locked.status
        changes, fields = _apply_redaction(locked, title=title, description=description)
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
        _audit(
            accepted,
            actor=moderator,
            action=audit_code(Action.ACCEPT),
            changes={**_status_change(before, accepted), **changes},
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
        locked = _lock(appeal)
        _role_for(moderator, locked, roles=(MODERATOR,))
        changes, fields = _apply_redaction(locked, title=title, description=description)
        if fields:
            locked.save(update_fields=[*fields, "updated_at"])
        _audit(locked, actor=moderator, action=AUDIT_REDACT, changes=changes)
    return locked


def photo_hide(*, photo: AppealPhoto, moderator) -> AppealPhoto:
    """A moderator keeps a photo off public pages (staff and the author still see it)."""
    with transaction.atomic():
        locked = _lock(photo.appeal)
        _role_for(moderator, locked, roles=(MODERATOR,))
        photo = AppealPhoto.objects.select_for_update().get(pk=photo.pk, appeal=locked)
        was = photo.is_public
        if was:
            photo.is_public = False
            photo.save(update_fields=["is_public"])
        _audit(
            locked,
            actor=moderator,
            action=AUDIT_PHOTO_HIDE,
            changes={f"photo {photo.pk} is_public": (was, False)},
        )
    return photo


def photo_remove(*, photo: AppealPhoto, moderator) -> None:
    """A moderator removes a photo: the row now, the file once the transaction commits."""
    with transaction.atomic():
        locked = _lock(photo.appeal)
        _role_for(moderator, locked, roles=(MODERATOR,))
        photo = AppealPhoto.objects.select_for_update().get(pk=photo.pk, appeal=locked)
        storage, name, pk = photo.image.storage, photo.image.name, photo.pk
        photo.delete()
        _audit(
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
    question = _clean_text(
        question,
        limit=MESSAGE_MAX,
        empty=_("Write what the author should add: the reason for the return."),
        too_long=_("Keep the question within %(n)d characters."),
    )
    with transaction.atomic():
        locked = _lock(appeal)
        role = _role_for(actor, locked, action=Action.RETURN)
        _check_window(locked, Action.RETURN)
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
        _audit(
            returned,
            actor=actor,
            action=audit_code(Action.RETURN),
            changes={
                **_status_change(before, returned),
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
        locked = _lock(appeal)
        role = _role_for(moderator, locked, action=Action.REJECT)
        before = locked.status
        public_reason = str(RejectReason(reason).label)
        if comment:
            public_reason = f"{public_reason}. {comment}"
        rejected = transition(
            appeal=locked, action=Action.REJECT, actor=moderator, role=role, reason=public_reason
        )
        _audit(
            rejected,
            actor=moderator,
            action=audit_code(Action.REJECT),
            changes={**_status_change(before, rejected), "reason": (None, str(reason))},
        )
    return rejected


def appeal_close_anonymous(*, appeal: Appeal, moderator, comment: str = "") -> Appeal:
    """A moderator leaves an anonymous appeal without consideration (Art. 8 of the law).

    Only an appeal registered without the author's full name and place of
    residence (Appeal.is_anonymous); the author is told the reason.
    """
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = _lock(appeal)
        role = _role_for(moderator, locked, action=Action.CLOSE_ANONYMOUS)
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
        _audit(
            closed,
            actor=moderator,
            action=audit_code(Action.CLOSE_ANONYMOUS),
            changes=_status_change(before, closed),
        )
    return closed


def appeal_forward(*, appeal: Appeal, actor, body: str, comment: str = "") -> Appeal:
    """Forward an appeal to the body competent to answer it (the law: within 5 days).

    `body` is stored in forwarded_to; the author and followers are told where
    it went.
    """
    body = _clean_text(
        body,
        limit=FORWARDED_TO_MAX,
        empty=_("Name the body the request is forwarded to."),
        too_long=_("Shorten the name of the body to %(n)d characters."),
    )
    comment = (comment or "").strip()
    with transaction.atomic():
        locked = _lock(appeal)
        role = _role_for(actor, locked, action=Action.FORWARD)
        _check_window(locked, Action.FORWARD)
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
        _audit(
            forwarded,
            actor=actor,
            action=audit_code(Action.FORWARD),
            changes={**_status_change(before, forwarded), "forwarded_to": (was, body)},
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
        role = _role_for(moderator, locked, action=Action.MERGE)
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
        _audit(
            merged,
            actor=moderator,
            action=audit_code(Action.MERGE),
            changes={
                **_status_change(before, merged),
                "merged_into": (None, original.pk),
                "followers_moved": (None, sorted(people)),
            },
        )
    return merged


# --- department work -------------------------------------------------------


def appeal_start(*, appeal: Appeal, staff) -> Appeal:
    """The department starts work on an accepted appeal (in progress)."""
    with transaction.atomic():
        locked = _lock(appeal)
        role = _role_for(staff, locked, action=Action.START)
        before = locked.status
        started = transition(appeal=locked, action=Action.START, actor=staff, role=role)
        _audit(
            started,
            actor=staff,
            action=audit_code(Action.START),
            changes=_status_change(before, started),
        )
    return started


def appeal_assign(*, appeal: Appeal, assignee, actor) -> Appeal:
    """Assign an appeal to a colleague of its department (None: unassign).

    The assignee must be an active staff member or the head of the department
    the appeal is routed to; they are told, unless they assigned themselves.
    Refused for appeals nobody works on any more (closed, rejected, merged,
    forwarded).
    """
    with transaction.atomic():
        locked = _lock(appeal)
        _role_for(actor, locked, roles=ANY_STAFF)
        if locked.status in FINAL_STATUSES:
            raise AppealError(
                _("A request that is “%(status)s” cannot be assigned.")
                % {"status": locked.get_status_display()}
            )
        if assignee is not None and not _in_department(assignee, locked.department_id):
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
        _audit(locked, actor=actor, action=AUDIT_ASSIGN, changes={"assignee": (was, new)})
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
    text = _clean_text(
        text,
        limit=MESSAGE_MAX,
        empty=_("Write the answer."),
        too_long=_("Keep the answer within %(n)d characters."),
    )
    checked = _check_attachments(list(attachments))
    with transaction.atomic():
        locked = _lock(appeal)
        role = _role_for(staff, locked, action=Action.ANSWER)
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
        _audit(
            answered,
            actor=staff,
            action=audit_code(Action.ANSWER),
            changes={
                **_status_change(before, answered),
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
        locked = _lock(appeal)
        role = _role_for(actor, locked, action=Action.CLOSE)
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
        _audit(
            closed,
            actor=actor,
            action=audit_code(Action.CLOSE),
            changes=_status_change(before, closed),
        )
    return closed


def appeal_extend(*, appeal: Appeal, actor, days: int, reason: str) -> Appeal:
    """Move the answer deadline once by `days`, with a reason shown to the author.

    The law allows one extension, and never past 45 days from registration
    in total. The reason is on the public timeline and in the notification.
    """
    reason = _clean_text(
        reason,
        limit=NOTE_MAX,
        empty=_("Give the reason for the extension: the author will see it."),
        too_long=_("Keep the reason within %(n)d characters."),
    )
    if not isinstance(days, int) or days < 1:
        raise AppealError(_("Extend the deadline by at least one day."))
    with transaction.atomic():
        locked = _lock(appeal)
        role = _role_for(actor, locked, action=Action.EXTEND)
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
        _audit(
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
    text = _clean_text(
        text,
        limit=NOTE_MAX,
        empty=_("Write the note."),
        too_long=_("Keep the note within %(n)d characters."),
    )
    with transaction.atomic():
        locked = _lock(appeal)
        _role_for(author, locked, roles=ANY_STAFF)
        note = AppealNote.objects.create(appeal=locked, author=author, text=text)
        _audit(locked, actor=author, action=AUDIT_NOTE, changes={"note": (None, text)})
    return note


# --- escalation ------------------------------------------------------------


def appeals_escalate_overdue(*, today: dt.date | None = None) -> int:
    """Tell department heads about overdue appeals, once per appeal per day; returns how many.

    For each overdue appeal not yet escalated `today`, a conditional UPDATE
    (… WHERE escalated_on IS DISTINCT FROM today) claims it in its own
    transaction, and only the run whose UPDATE changed the row notifies the
    head (or, with no head, the department's staff) and audits it: two runs
    at once, or a task delivered twice, send one escalation.
    """
    today = today or timezone.localdate()
    not_today = Q(escalated_on__isnull=True) | ~Q(escalated_on=today)
    candidates = list(
        Appeal.objects.overdue(today)
        .filter(not_today)
        .order_by("deadline", "pk")
        .values_list("pk", "escalated_on")
    )
    escalated = 0
    for pk, last in candidates:
        with transaction.atomic():
            claimed = (
                Appeal.objects.filter(pk=pk, status__in=OPEN_STATUSES, deadline__lt=today)
                .filter(not_today)
                .update(escalated_on=today)
            )
            if not claimed:
                continue
            appeal = Appeal.objects.select_related("department").get(pk=pk)
            _escalate(appeal, today=today, last=last)
            escalated += 1
    return escalated


def _escalate(appeal: Appeal, *, today: dt.date, last: dt.date | None) -> None:
    department = appeal.department
    head = department.head
    if head is not None and head.is_active:
        # The deputy heads hear too: they act for the head (and may extend the term).
        deputies = department.deputies.filter(is_active=True).values_list("pk", flat=True)
        recipients = sorted({head.pk, *deputies})
    else:
        recipients = sorted(department_staff_ids(appeal) - {department.head_id})
    if recipients:
        notify(
            recipients=recipients,
            event="appeals.escalated",
            context={
                "reference": appeal.reference,
                "title": appeal.title,
                "deadline": appeal.deadline.strftime("%d.%m.%Y"),
                "days": (today - appeal.deadline).days,
            },
            url=appeal.get_absolute_url(),
        )
    if last is None and appeal.author_id:
        # Art. 20: the author hears once that the term passed, who owes the answer
        # and where to complain.
        notify(
            recipients=[appeal.author_id],
            event="appeals.term_passed",
            context={
                "reference": appeal.reference,
                "title": appeal.title,
                "deadline": appeal.deadline.strftime("%d.%m.%Y"),
                "department": department.name,
            },
            url=appeal.get_absolute_url(),
        )
    _audit(
        appeal,
        actor=None,
        action=AUDIT_ESCALATE,
        changes={"escalated_on": (last, today), "notified": (None, recipients)},
    )


def appeals_close_unanswered_returns(*, today: dt.date | None = None) -> int:
    """Close returned appeals whose author did not reply in time; returns how many.

    Art. 5, 7: the author of a returned appeal has the stated time
    (`reply_due`) to reply; the day after, the appeal is closed without
    consideration (the LAPSE transition, actor SYSTEM) and the author is told
    (event `appeals.reply_time_passed`). Each appeal is locked and checked
    again in its own transaction (a second run waits, then finds it closed), so two
    runs at once, or a task delivered twice, close and notify it once.
    """
    today = today or timezone.localdate()
    due = Q(status=Status.RETURNED, reply_due__lt=today)
    closed = 0
    for pk in Appeal.objects.filter(due).order_by("reply_due", "pk").values_list("pk", flat=True):
        with transaction.atomic():
            locked = (
                Appeal.objects.select_for_update(of=("self",))
                .select_related("department")
                .filter(due, pk=pk)
                .first()
            )
            if locked is None:
                continue
            reply_due = locked.reply_due
            lapsed = transition(appeal=locked, action=Action.LAPSE, actor=None, role=SYSTEM)
            if lapsed.author_id:
                notify(
                    recipients=[lapsed.author_id],
                    event="appeals.reply_time_passed",
                    context={
                        "reference": lapsed.reference,
                        "title": lapsed.title,
                        "reply_due": reply_due.strftime("%d.%m.%Y"),
                    },
                    url=lapsed.get_absolute_url(),
                )
            _audit(
                lapsed,
                actor=None,
                action=audit_code(Action.LAPSE),
                changes={
                    "status": (Status.RETURNED, lapsed.status),
                    "reply_due": (reply_due, None),
                },
            )
            closed += 1
    return closed


AUDIT_ATTACHMENT_PUBLISH = "appeals.attachment_publish"


def answer_attachment_publish(
    *, attachment: AnswerAttachment, staff, public: bool
) -> AnswerAttachment:
    """Staff show an answer's attachment on the public page, or take it off.

    It appears publicly only while the appeal itself is public; the author
    and staff always see it. Moderators and the department's staff may do it.
    """
    with transaction.atomic():
        locked = _lock(attachment.message.appeal)
        _role_for(staff, locked, roles=(MODERATOR, DEPARTMENT))
        attachment = AnswerAttachment.objects.select_for_update().get(
            pk=attachment.pk, message__appeal=locked
        )
        was = attachment.is_public
        if was != public:
            attachment.is_public = public
            attachment.save(update_fields=["is_public"])
            _audit(
                locked,
                actor=staff,
                action=AUDIT_ATTACHMENT_PUBLISH,
                changes={f"attachment {attachment.pk} public": (was, public)},
            )
    return attachment
