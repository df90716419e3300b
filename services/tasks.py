from celery import shared_task

from .services import applications_escalate_overdue, appointments_remind


@shared_task
def send_appointment_reminders() -> int:
    """Remind residents of tomorrow's visits (each once, however often this runs)."""
    return appointments_remind()


@shared_task
def escalate_overdue_applications() -> int:
    """Tell department heads about overdue applications (once per application per day)."""
    return applications_escalate_overdue()
