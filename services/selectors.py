"""Reads that depend on who asks: one helper per object type, 404 otherwise."""

from django.db.models import Prefetch
from django.http import Http404

from .models import Application, ApplicationMessage, Appointment, Document, officer_scope


def _officer_may_view(user) -> bool:
    return user.is_authenticated and user.is_staff and user.has_perm("services.view_application")


def get_application_for_user(user, reference: str) -> Application:
    """The application if `user` is its applicant or an officer of its department."""
    if not user.is_authenticated:
        raise Http404("No such application.")
    queryset = Application.objects.select_related(
        "service", "service__category", "department", "applicant"
    ).prefetch_related(
        "events__actor",
        Prefetch(
            "messages",
            queryset=ApplicationMessage.objects.select_related("author").prefetch_related(
                "documents"
            ),
        ),
        "documents",
    )
    application = queryset.filter(reference=reference).first()
    if application is None:
        raise Http404("No such application.")
    if application.applicant_id == user.pk:
        return application
    if (
        _officer_may_view(user)
        and officer_scope(Application.objects.filter(pk=application.pk), user).exists()
    ):
        return application
    raise Http404("No such application.")


def get_document_for_user(user, document_id) -> Document:
    """A document for its applicant and the responsible department's officers only."""
    if not user.is_authenticated:
        raise Http404("No such document.")
    document = Document.objects.select_related("application").filter(pk=document_id).first()
    if document is None:
        raise Http404("No such document.")
    application = document.application
    if application.applicant_id == user.pk:
        return document
    if (
        _officer_may_view(user)
        and officer_scope(Application.objects.filter(pk=application.pk), user).exists()
    ):
        return document
    raise Http404("No such document.")


def get_appointment_for_user(user, code: str) -> Appointment:
    if not user.is_authenticated:
        raise Http404("No such appointment.")
    appointment = (
        Appointment.objects.select_related("service", "centre", "resident")
        .filter(code=code)
        .first()
    )
    if appointment is None:
        raise Http404("No such appointment.")
    if appointment.resident_id == user.pk:
        return appointment
    if (
        user.is_staff
        and officer_scope(Appointment.objects.filter(pk=appointment.pk), user).exists()
    ):
        return appointment
    raise Http404("No such appointment.")
