"""Every change in the e-services app goes through these functions."""

from .applications import (
    application_correct,
    application_message,
    application_submit,
    application_transition,
    application_write,
    applications_escalate_overdue,
    next_reference,
    public_request_submit,
)
from .appointments import (
    appointment_book,
    appointment_cancel,
    appointment_mark,
    appointment_reschedule,
    appointments_remind,
    booking_days,
    free_times,
    why_closed,
)
from .common import ServiceError, may_process
from .posting import needs_post, requester_post_record

__all__ = [
    "ServiceError",
    "application_correct",
    "application_message",
    "application_submit",
    "application_transition",
    "application_write",
    "applications_escalate_overdue",
    "appointment_book",
    "appointment_cancel",
    "appointment_mark",
    "appointment_reschedule",
    "appointments_remind",
    "booking_days",
    "free_times",
    "may_process",
    "needs_post",
    "next_reference",
    "public_request_submit",
    "requester_post_record",
    "why_closed",
]
