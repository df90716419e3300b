"""Services' part of a person's data (citizens.personal_data): export, erase, purge.

Applications are the public record: deleting an account keeps them (the
applicant points to the erased account) but cancels the person's future
bookings and blanks their notes. The form answers, messages and documents
the person gave are private texts: kept for PRIVACY_RETENTION_YEARS, then
the purge blanks the answers and messages and deletes the documents.
"""

from django.utils import timezone

from citizens.personal_data import PersonalData

from .models import Application, ApplicationMessage, Appointment, Document
from .services.appointments import appointment_cancel


def export(user) -> tuple[dict, dict]:
    files = {}
    applications = []
    queryset = (
        Application.objects.filter(applicant=user)
        .select_related("service", "department")
        .prefetch_related("messages", "documents")
        .order_by("submitted_at", "pk")
    )
    for application in queryset:
        documents = []
        for document in application.documents.all():
            name = f"{application.reference}/{document.pk}-{document.name}"
            files[name] = document.file
            documents.append({"file": name, "from_officer": document.from_officer})
        applications.append(
            {
                "reference": application.reference,
                "service": str(application.service),
                "department": str(application.department),
                "status": application.status,
                "answers": application.answers,
                "urgent": application.urgent,
                "submitted_at": application.submitted_at,
                "due_at": application.due_at,
                "decided_at": application.decided_at,
                "refusal_reason": application.refusal_reason,
                "messages": [
                    {"from_officer": m.from_officer, "text": m.body, "created_at": m.created_at}
                    for m in application.messages.all()
                ],
                "documents": documents,
            }
        )
    appointments = [
        {
            "code": a.code,
            "service": str(a.service),
            "centre": str(a.centre),
            "starts_at": a.starts_at,
            "status": a.status,
            "note": a.note,
        }
        for a in Appointment.objects.filter(resident=user)
        .select_related("service", "centre")
        .order_by("starts_at")
    ]
    return {"applications": applications, "appointments": appointments}, files


def erase(user) -> None:
    upcoming = Appointment.objects.filter(
        resident=user, status=Appointment.Status.BOOKED, starts_at__gt=timezone.now()
    )
    for appointment in upcoming:
        appointment_cancel(appointment=appointment, by=user)  # gives the seat back
    Appointment.objects.filter(resident=user).exclude(note="").update(note="")


def purge(user) -> None:
    for document in Document.objects.filter(application__applicant=user, from_officer=False):
        document.file.delete(save=False)
        document.delete()
    Application.objects.filter(applicant=user).exclude(answers=[]).update(answers=[])
    ApplicationMessage.objects.filter(author=user).exclude(body="").update(body="")


ENTRY = PersonalData(name="services", export=export, erase=erase, purge=purge)
