"""What every staff service shares: the law's terms and windows, who may act, audit."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens.access import has_staff_powers
from mycity.lib.departments import departments_of, works_in
from mycity.lib.text import normalize
from mycity.models import Department

from ...models import (
    AnswerAttachment,
    Appeal,
    AppealAudit,
    AppealMessage,
    AppealNote,
)
from ...workflow import (
    DEPARTMENT,
    HEAD,
    MODERATOR,
    OUTAGE,
    SYSTEM,
    TRANSITIONS,
    Action,
)
from ..common import AppealError

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

# Audit codes (AppealAudit.action).
AUDIT_REDACT = "appeals.redact"
AUDIT_PHOTO_HIDE = "appeals.photo_hide"
AUDIT_PHOTO_REMOVE = "appeals.photo_remove"
AUDIT_ASSIGN = "appeals.assign"
AUDIT_NOTE = "appeals.note"
AUDIT_ESCALATE = "appeals.escalate"


# Told to the author of an anonymous appeal left without consideration.
ANONYMOUS_REASON = gettext_lazy(
    "Under Art. 8 of the Law of Ukraine “On Citizens' Appeals” an appeal without the author's "
    "full name and place of residence is anonymous and is not subject to consideration."
)
# Art. 5 and 7: a return and a forward are possible only so many days after receipt.
LEGAL_WINDOWS = {Action.RETURN: RETURN_DAYS, Action.FORWARD: FORWARD_DAYS}


def days_since_receipt(appeal: Appeal, today: dt.date | None = None) -> int:
    """Whole calendar days since the appeal was received (registered), in Kyiv time."""
    today = today or timezone.localdate()
    return (today - timezone.localdate(appeal.registered_at)).days


def within_legal_window(appeal: Appeal, action: str, today: dt.date | None = None) -> bool:
    """True unless `action` has a legal window (return: 10 days, forward: 5) that has passed."""
    limit = LEGAL_WINDOWS.get(action)
    return limit is None or days_since_receipt(appeal, today) <= limit


def check_window(appeal: Appeal, action: str) -> None:
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


def in_department(user, department_id: int) -> bool:
    if not has_staff_powers(user):
        return False
    return works_in(user, department_id)


def is_head_or_deputy(user, department_id: int) -> bool:
    """The head of the department or one of its deputy heads (Art. 20: they extend terms)."""
    return (
        Department.objects.filter(pk=department_id).filter(Q(head=user) | Q(deputies=user)).exists()
    )


def _roles(user, appeal: Appeal) -> set[str]:
    roles = set()
    if _is_moderator(user):
        roles.add(MODERATOR)
    if in_department(user, appeal.department_id):
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
    return Appeal.objects.filter(department_id__in=departments_of(user).values("pk"))


def role_for(user, appeal: Appeal, *, action: str | None = None, roles=None) -> str:
    """The role in which `user` takes `action` (or any staff action) on `appeal`, or refuse."""
    have = _roles(user, appeal)
    if not have:
        raise AppealError(_("You can act only on requests of your department."))
    # The portal's own actors (a periodic job, an outage's answer) are no person's role.
    wanted = set(roles) if roles is not None else set(TRANSITIONS[action][2]) - {OUTAGE, SYSTEM}
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


def lock(appeal: Appeal) -> Appeal:
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


def audit(appeal: Appeal, *, actor, action: str, changes: dict) -> AppealAudit:
    return AppealAudit.objects.create(
        appeal=appeal,
        actor=actor,
        action=action,
        changes={field: [_plain(old), _plain(new)] for field, (old, new) in changes.items()},
    )


def status_change(before: str, after: Appeal) -> dict:
    return {"status": (before, after.status)}


def clean_text(text: str, *, limit: int, empty: str, too_long: str) -> str:
    text = (text or "").strip()
    if not text:
        raise AppealError(empty)
    if len(text) > limit:
        raise AppealError(too_long % {"n": limit})
    return text


def apply_redaction(appeal: Appeal, *, title, description) -> tuple[dict, list[str]]:
    """Set a redacted title/description on the locked row; returns (changes, fields)."""
    changes, fields = {}, []
    if title is not None:
        title = clean_text(
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
        description = clean_text(
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
