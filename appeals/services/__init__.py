"""Every change to an appeal goes through these functions (one module per concern)."""

from .common import AppealError, transition
from .staff import (
    answer_attachment_publish,
    appeal_accept,
    appeal_answer,
    appeal_assign,
    appeal_close,
    appeal_extend,
    appeal_forward,
    appeal_merge,
    appeal_note,
    appeal_redact,
    appeal_reject,
    appeal_return,
    appeal_start,
    appeals_escalate_overdue,
    appeals_for_staff,
    photo_hide,
    photo_remove,
    staff_role,
)
from .submit import appeal_submit, next_reference

__all__ = [
    "AppealError",
    "answer_attachment_publish",
    "appeal_accept",
    "appeal_answer",
    "appeal_assign",
    "appeal_close",
    "appeal_extend",
    "appeal_forward",
    "appeal_merge",
    "appeal_note",
    "appeal_redact",
    "appeal_reject",
    "appeal_return",
    "appeal_start",
    "appeal_submit",
    "appeals_escalate_overdue",
    "appeals_for_staff",
    "next_reference",
    "photo_hide",
    "photo_remove",
    "staff_role",
    "transition",
]
