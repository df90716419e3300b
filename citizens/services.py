"""Every change to a person's account goes through these functions."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mycity.models import Department

from .models import ERASED_LABEL, AccessChange, ContactDisclosure, User
from .notifications.services import notify
from .roles import ROLES


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
    *, department: Department, by: User | None, members: Any = UNSET, head: Any = UNSET
) -> str | None:
    """Why `by` may not make this change of a department's staff, or None if they may.

    Nobody but a superuser (or the system) adds or removes themselves as a
    member or the head: a department's place is another person's decision.
    """
    if by is None or by.is_superuser:
        return None
    refusal = _("You cannot change your own place in a department.")
    saved = department.pk is not None
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
) -> list[AccessChange]:
    """Set a department's staff members and/or head, recording each person added or removed.

    `by` is None for the system (demo data, commands). The head must be a
    staff account (Department.clean); nobody but a superuser changes their
    own place (department_staff_refusal).
    """
    records: list[AccessChange] = []
    member = AccessChange.What.DEPARTMENT_MEMBER
    with transaction.atomic():
        locked = Department.objects.select_for_update().get(pk=department.pk)
        refusal = department_staff_refusal(department=locked, by=by, members=members, head=head)
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
        if members is not UNSET:
            old_members = set(locked.members.all())
            new_members = set(members)
            locked.members.set(new_members)
            for person in sorted(old_members ^ new_members, key=lambda u: u.pk):
                before = person in old_members
                records.append(
                    access_change_record(
                        actor=by,
                        person=person,
                        what=member,
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
