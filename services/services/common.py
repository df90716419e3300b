"""What every e-service operation shares: the error class and notification helpers."""

from django.db.models import Q

from citizens.access import has_staff_powers
from mycity.models import Department


class ServiceError(Exception):
    """A refused e-service operation; the message is shown to the user."""


def department_staff_ids(department) -> list[int]:
    """Active members and the head of a department: who hears about its work."""
    ids = set(department.members.filter(is_active=True).values_list("pk", flat=True))
    if department.head_id:
        ids.add(department.head_id)
    return sorted(ids)


def may_process(user, department_id: int) -> bool:
    """Staff with the processing permission who work in that department (or superusers)."""
    if not has_staff_powers(user):
        return False
    if user.is_superuser:
        return True
    if not user.has_perm("services.process_application"):
        return False
    return (
        Department.objects.filter(pk=department_id).filter(Q(members=user) | Q(head=user)).exists()
    )
