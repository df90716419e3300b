"""Who works in a department: its head and its members.

Department is a core model (mycity.models); what an app lets its staff do
there (permissions, roles, two-factor) stays in that app and in
citizens.access. These are only the lookups every app repeats.
"""

from django.db.models import Q, QuerySet

from mycity.models import Department


def department_staff_ids(department: Department, *, head: bool = True) -> list[int]:
    """Ids of the department's active members and its head, sorted: who hears about its work.

    With head=False, the members only, the head left out even if also a member
    (those told when the head cannot be).
    """
    ids = set(department.members.filter(is_active=True).values_list("pk", flat=True))
    if department.head_id:
        if head:
            ids.add(department.head_id)
        else:
            ids.discard(department.head_id)
    return sorted(ids)


def departments_of(user) -> QuerySet:
    """The departments `user` works in, as a member or as the head, each once."""
    if user is None or not user.pk:
        return Department.objects.none()
    # A subquery, not a join on the members: a head who is also a member (or
    # a head of a large department) would otherwise come back once per row.
    memberships = Department.members.through.objects.filter(user_id=user.pk)
    return Department.objects.filter(
        Q(head_id=user.pk) | Q(pk__in=memberships.values("department_id"))
    )


def works_in(user, department_id) -> bool:
    """Whether `user` is a member or the head of that department."""
    return departments_of(user).filter(pk=department_id).exists()
