"""What every e-service operation shares: the error class and who may process."""

from citizens.access import has_staff_powers
from mycity.lib.departments import works_in


class ServiceError(Exception):
    """A refused e-service operation; the message is shown to the user."""


def may_process(user, department_id: int) -> bool:
    """Staff with the processing permission who work in that department (or superusers)."""
    if not has_staff_powers(user):
        return False
    if user.is_superuser:
        return True
    if not user.has_perm("services.process_application"):
        return False
    return works_in(user, department_id)
