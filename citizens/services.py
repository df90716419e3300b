"""Every change to a person's account goes through these functions."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mycity.lib.i18n import in_every_language
from mycity.models import Department

from .access import has_staff_powers
from .models import (
    ERASED_LABEL,
    AccessChange,
    ContactDisclosure,
    PriorityCategory,
    PriorityStatus,
    User,
)
from .notifications.services import notify
from .pagecache import bump_person_on_commit
from .roles import ROLES


class CitizenError(Exception):
    """A refused account operation; the message is shown to the user."""


PROFILE_FIELDS = (
    "full_name",
    "display_name",
    "phone",
    "preferred_language",
    "district",
    "residence",
)


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
    bump_person_on_commit(user.pk)
    user.refresh_from_db(fields=["is_verified_resident", "verified_at", "verified_by"])
    return bool(updated)


# --- who may give whom which access, and the record of every change --------------------

UNSET: Any = object()


def _label(user: User | None) -> str:
    return user.email if user is not None else ""


def role_groups() -> QuerySet[Group]:
    """The staff role groups (citizens.roles): the only groups a City administrator hands out."""
    return Group.objects.filter(name__in=ROLES.values())


def may_change_roles(*, actor: User, person: User) -> bool:
    """Whether `actor` may grant or remove staff roles of `person`.

    Superusers may change anyone's. Other people with the change_user
    permission (City administrators) may change the role groups of other
    accounts that are not superusers, never their own.
    """
    if actor.is_superuser:
        return True
    return (
        actor.has_perm("citizens.change_user") and person.pk != actor.pk and not person.is_superuser
    )


def access_change_record(
    *,
    actor: User | None,
    person: User,
    what: str,
    before: Any,
    after: Any,
    department: Department | None = None,
) -> AccessChange | None:
    """Append one row to the access audit: who changed whose `what` from `before` to `after`.

    The one writer of AccessChange. `actor` is None for changes made by the
    system (demo data, commands). Nothing is written when nothing changed.
    """
    if before == after:
        return None
    return AccessChange.objects.create(
        actor=actor,
        actor_label=_label(actor),
        person=person,
        person_label=_label(person),
        what=what,
        department=department,
        before=before,
        after=after,
    )


def _names(groups) -> list[str]:
    return sorted(group.name for group in groups)


def _permission_names(permissions) -> list[str]:
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions)


def user_set_access(
    *,
    user: User,
    by: User | None,
    groups: Any = UNSET,
    is_staff: Any = UNSET,
    is_superuser: Any = UNSET,
    user_permissions: Any = UNSET,
) -> list[AccessChange]:
    """Change what `user` may do (only the parts passed) and record each change.

    Only superusers (or the system, `by=None`) change the staff and superuser
    flags and individual permissions. Groups: superusers give any; anyone
    else may only add or remove staff role groups, on another account that is
    not a superuser's (see may_change_roles). A refused change raises
    CitizenError and changes nothing.
    """
    system_or_root = by is None or by.is_superuser
    records: list[AccessChange] = []
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        flags = {"is_staff": is_staff, "is_superuser": is_superuser}
        changed_flags = [
            name
            for name, value in flags.items()
            if value is not UNSET and bool(value) != getattr(locked, name)
        ]
        if changed_flags and not system_or_root:
            raise CitizenError(_("Only a superuser can change staff or superuser status."))

        old_permissions = new_permissions = None
        if user_permissions is not UNSET:
            old_permissions = set(locked.user_permissions.all())
            new_permissions = set(user_permissions)
            if old_permissions != new_permissions and not system_or_root:
                raise CitizenError(_("Only a superuser can give individual permissions."))

        old_groups = new_groups = None
        if groups is not UNSET:
            old_groups = set(locked.groups.all())
            new_groups = set(groups)
            touched = old_groups ^ new_groups
            if touched and by is not None and not by.is_superuser:
                if not may_change_roles(actor=by, person=locked):
                    raise CitizenError(
                        _("You cannot change the roles of this account.")
                        if locked.pk != by.pk
                        else _("Nobody can change their own roles.")
                    )
                if not touched <= set(role_groups()):
                    raise CitizenError(_("Only staff role groups can be given or taken away."))

        for name in changed_flags:
            before = getattr(locked, name)
            setattr(locked, name, bool(flags[name]))
            what = AccessChange.What.STAFF if name == "is_staff" else AccessChange.What.SUPERUSER
            records.append(
                access_change_record(
                    actor=by, person=locked, what=what, before=before, after=not before
                )
            )
        if changed_flags:
            locked.save(update_fields=changed_flags)
        if old_groups is not None and old_groups != new_groups:
            locked.groups.set(new_groups)
            records.append(
                access_change_record(
                    actor=by,
                    person=locked,
                    what=AccessChange.What.ROLES,
                    before=_names(old_groups),
                    after=_names(new_groups),
                )
            )
        if old_permissions is not None and old_permissions != new_permissions:
            locked.user_permissions.set(new_permissions)
            records.append(
                access_change_record(
                    actor=by,
                    person=locked,
                    what=AccessChange.What.PERMISSIONS,
                    before=_permission_names(old_permissions),
                    after=_permission_names(new_permissions),
                )
            )
    for name in changed_flags:
        setattr(user, name, getattr(locked, name))
    return [r for r in records if r is not None]


def department_staff_refusal(
    *,
    department: Department,
    by: User | None,
    members: Any = UNSET,
    head: Any = UNSET,
    deputies: Any = UNSET,
) -> str | None:
    """Why `by` may not make this change of a department's staff, or None if they may.

    Nobody but a superuser (or the system) adds or removes themselves as a
    member or the head: a department's place is another person's decision.
    Deputy heads are appointed by a superuser (or the system) only, and are
    staff accounts among the department's members.
    """
    saved = department.pk is not None
    if deputies is not UNSET:
        old_deputies = set(department.deputies.all()) if saved else set()
        new_deputies = set(deputies)
        if new_deputies != old_deputies and not (by is None or by.is_superuser):
            return _("Only a superuser appoints deputy heads.")
        if any(not person.is_staff for person in new_deputies):
            return _("A deputy head must be a staff account.")
    else:
        new_deputies = set(department.deputies.all()) if saved else set()
    if new_deputies:
        if members is not UNSET:
            new_members = set(members)
        else:
            new_members = set(department.members.all()) if saved else set()
        if not new_deputies <= new_members:
            return _("A deputy head must be one of the department's staff members.")
    if by is None or by.is_superuser:
        return None
    refusal = _("You cannot change your own place in a department.")
    if members is not UNSET:
        was_member = saved and department.members.filter(pk=by.pk).exists()
        if (by in set(members)) != was_member:
            return refusal
    if head is not UNSET:
        was_head = saved and Department.objects.filter(pk=department.pk, head=by).exists()
        if (head is not None and head.pk == by.pk) != was_head:
            return refusal
    return None


def department_set_staff(
    *,
    department: Department,
    by: User | None,
    members: Any = UNSET,
    head: Any = UNSET,
    deputies: Any = UNSET,
) -> list[AccessChange]:
    """Set a department's staff members, head and/or deputy heads, recording each change.

    `by` is None for the system (demo data, commands). The head and deputies
    must be staff accounts (Department.clean), deputies among the members,
    appointed by a superuser; nobody but a superuser changes their own place
    (department_staff_refusal).
    """
    records: list[AccessChange] = []
    with transaction.atomic():
        locked = Department.objects.select_for_update().get(pk=department.pk)
        refusal = department_staff_refusal(
            department=locked, by=by, members=members, head=head, deputies=deputies
        )
        if refusal:
            raise CitizenError(refusal)
        if head is not UNSET and head != locked.head:
            if head is not None and not head.is_staff:
                raise CitizenError(_("The head of a department must be a staff account."))
            old_head = locked.head
            locked.head = head
            locked.save(update_fields=["head"])
            department.head = head
            what = AccessChange.What.DEPARTMENT_HEAD
            for person, before in ((old_head, True), (head, False)):
                if person is not None:
                    records.append(
                        access_change_record(
                            actor=by,
                            person=person,
                            what=what,
                            department=locked,
                            before=before,
                            after=not before,
                        )
                    )
        for field, what, people in (
            ("members", AccessChange.What.DEPARTMENT_MEMBER, members),
            ("deputies", AccessChange.What.DEPARTMENT_DEPUTY, deputies),
        ):
            if people is UNSET:
                continue
            related = getattr(locked, field)
            old_people = set(related.all())
            new_people = set(people)
            related.set(new_people)
            for person in sorted(old_people ^ new_people, key=lambda u: u.pk):
                before = person in old_people
                records.append(
                    access_change_record(
                        actor=by,
                        person=person,
                        what=what,
                        department=locked,
                        before=before,
                        after=not before,
                    )
                )
    return [r for r in records if r is not None]


def department_add_member(*, department: Department, person: User, by: User | None) -> bool:
    """Add one staff member to a department (demo data, commands). False if already there."""
    current = list(department.members.all())
    if person in current:
        return False
    department_set_staff(department=department, by=by, members=[*current, person])
    return True


# --- residents' contacts, shown only where staff handle the person's case ----------------


@dataclass(frozen=True)
class Contacts:
    full_name: str
    email: str
    phone: str
    district: str


def contacts_disclose(*, viewer: User, person: User, case: str) -> Contacts:
    """Give `viewer` (staff) the contacts of `person` for the page of `case`, recording it.

    The caller decides that `viewer` handles `case` (the feature app knows its
    cases); this is the one place that hands out the contacts and writes
    ContactDisclosure (who saw whose contacts, where, when).
    """
    if person.erased_at:
        # Deleted at their request: nothing left to disclose, nothing to record.
        return Contacts(full_name=str(ERASED_LABEL), email="", phone="", district="")
    ContactDisclosure.objects.create(
        viewer=viewer,
        viewer_label=_label(viewer),
        person=person,
        person_label=_label(person),
        case=case[:200],
    )
    district = person.district
    return Contacts(
        full_name=person.full_name,
        email=person.email,
        phone=str(person.phone or ""),
        district=str(district) if district is not None else "",
    )


# --- the details an appeal must carry (Art. 5 of the Law "On Citizens' Appeals") ---------


@dataclass(frozen=True)
class AppealDetails:
    full_name: str
    residence: str

    @property
    def complete(self) -> bool:
        return appeal_details_complete(full_name=self.full_name, residence=self.residence)


def appeal_details_missing(*, full_name: str, residence: str) -> list[str]:
    """What a name and residence lack of what Art. 5 asks: "full_name", "residence".

    The one rule for "anonymous" (Art. 8): at least a surname and a name, and a
    place of residence; an appeal without them is registered but is not
    subject to consideration.
    """
    missing = []
    if len((full_name or "").split()) < 2:
        missing.append("full_name")
    if not (residence or "").strip():
        missing.append("residence")
    return missing


def appeal_details_complete(*, full_name: str, residence: str) -> bool:
    return not appeal_details_missing(full_name=full_name, residence=residence)


def appeal_details(user: User | None) -> AppealDetails:
    """The author's details an appeal snapshots when it is registered."""
    if user is None:
        return AppealDetails(full_name="", residence="")
    return AppealDetails(full_name=user.full_name.strip(), residence=user.residence.strip())


def user_save_appeal_details(*, user: User, full_name: str = "", residence: str = "") -> User:
    """Keep the full name and residence a person typed while filing (only non-empty values).

    The filing form and the API ask for them once, when the profile lacks
    them; from then on every appeal takes them from the profile.
    """
    changes = {}
    full_name, residence = " ".join((full_name or "").split()), (residence or "").strip()
    if full_name and full_name != user.full_name:
        changes["full_name"] = full_name
    if residence and residence != user.residence:
        changes["residence"] = residence
    if not changes:
        return user
    saved = {field: getattr(user, field) for field in changes}
    for field, value in changes.items():
        setattr(user, field, value)
    # Only these fields: an unrelated flaw of an old profile must not block an appeal.
    others = [f.name for f in User._meta.concrete_fields if f.name not in changes]
    try:
        user.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, value in saved.items():
            setattr(user, field, value)
        raise CitizenError(" ".join(exc.messages)) from exc
    user.save(update_fields=list(changes))
    return user


# --- priority status (Art. 20): declared by the resident, verified by staff --------------


def priority_declare(*, user: User, category: str, document: str = "") -> PriorityStatus:
    """Declare (or change) the resident's priority status; it waits for verification again."""
    if category not in PriorityCategory.values:
        raise CitizenError(_("Choose a category from the list."))
    document = (document or "").strip()
    if len(document) > PriorityStatus._meta.get_field("document").max_length:
        raise CitizenError(_("Shorten the document note to 200 characters."))
    with transaction.atomic():
        status, _created = PriorityStatus.objects.select_for_update().get_or_create(
            user=user, defaults={"category": category, "document": document}
        )
        status.category, status.document = category, document
        status.declared_at = timezone.now()
        status.decision = PriorityStatus.Decision.PENDING
        status.decided_at, status.decided_by, status.refusal_reason = None, None, ""
        status.save()
    return status


def priority_withdraw(*, user: User) -> bool:
    """The resident withdraws the declaration; later appeals are not marked priority."""
    deleted, _rows = PriorityStatus.objects.filter(user=user).delete()
    return bool(deleted)


def _check_verifier(status: PriorityStatus, by: User) -> None:
    if not (has_staff_powers(by) and by.has_perm("citizens.verify_priority_status")):
        raise CitizenError(_("Only staff who verify priority statuses can do this."))
    if by.pk == status.user_id:
        raise CitizenError(_("Nobody verifies their own priority status."))


def priority_decide(
    *, status: PriorityStatus, by: User, verified: bool, reason: str = ""
) -> PriorityStatus:
    """Verify or refuse a declared priority status, recording who decided and when.

    A refusal gives the resident its reason. Only staff with the
    citizens.verify_priority_status permission, never for themselves.
    """
    _check_verifier(status, by)
    reason = (reason or "").strip()
    if not verified and not reason:
        raise CitizenError(_("Give the reason for the refusal."))
    with transaction.atomic():
        locked = PriorityStatus.objects.select_for_update().get(pk=status.pk)
        locked.decision = (
            PriorityStatus.Decision.VERIFIED if verified else PriorityStatus.Decision.REFUSED
        )
        locked.decided_at, locked.decided_by = timezone.now(), by
        locked.refusal_reason = "" if verified else reason[:300]
        locked.save(update_fields=["decision", "decided_at", "decided_by", "refusal_reason"])
        notify(
            recipients=[locked.user_id],
            event="citizens.priority_decided",
            context={
                "outcome": in_every_language(PriorityStatus.Decision(locked.decision).label),
                "reason": locked.refusal_reason,
            },
            url=reverse("citizens:priority"),
        )
    return locked


def priority_category(user: User | None) -> str:
    """The verified priority category of `user` (a PriorityCategory value), else ""."""
    if user is None or not user.pk:
        return ""
    return (
        PriorityStatus.objects.filter(user=user, decision=PriorityStatus.Decision.VERIFIED)
        .values_list("category", flat=True)
        .first()
        or ""
    )


def contacts_disclose_without_account(*, viewer: User, name: str, case: str) -> None:
    """Record that `viewer` (staff) saw the contacts of a person without an account.

    For contacts a case keeps itself (an appeal staff registered for a resident
    without an account): the caller shows them; this writes the same
    ContactDisclosure as contacts_disclose, with the name as given.
    """
    ContactDisclosure.objects.create(
        viewer=viewer,
        viewer_label=_label(viewer),
        person=None,
        person_label=name[:254],
        case=case[:200],
    )
