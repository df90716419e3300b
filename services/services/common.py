"""What every e-service operation shares: the error class and notification helpers."""

from django.conf import settings
from django.db.models import Q
from django.utils import translation

from citizens.access import has_staff_powers
from mycity.models import Department


class ServiceError(Exception):
    """A refused e-service operation; the message is shown to the user."""


def in_every_language(text) -> dict[str, str]:
    """A lazy text as {"uk": …, "en": …}: a notification renders it in the recipient's."""
    values = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            values[language] = str(text)
    return values


def field_in_every_language(obj, field: str) -> dict[str, str]:
    """A modeltranslation field as {"uk": …, "en": …} (English falls back to Ukrainian)."""
    uk = getattr(obj, f"{field}_uk", "") or ""
    return {"uk": uk, "en": getattr(obj, f"{field}_en", "") or uk}


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
