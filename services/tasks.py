from celery import shared_task

from .services import appointments_remind


@shared_task
def send_appointment_reminders() -> int:
    """Remind residents of tomorrow's visits (each once, however often this runs)."""
    return appointments_remind()
