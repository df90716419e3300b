"""What city staff do with an appeal: moderation, routing, work, answers, escalation.

Every function here checks that the person may act on this appeal
(`staff_role`: moderators on every appeal, department staff and heads on
their departments' appeals), locks the appeal's row, moves the status only
through `transition()` (which records the public timeline and tells the
author and followers), saves with `update_fields`, and writes an AppealAudit
row with what changed — in one transaction. Notifications are outbox rows
written in that transaction, delivered after commit.

The package splits them by concern: base (terms, windows, who may act, audit),
moderation, work (the department's), deadlines (the daily jobs).
"""

from .base import (  # noqa: F401
    ANONYMOUS_REASON,
    ANY_STAFF,
    ATTACHMENT_MAX_BYTES,
    ATTACHMENT_MAX_COUNT,
    ATTACHMENT_MAX_PAGES,
    ATTACHMENT_NAME_MAX,
    AUDIT_ASSIGN,
    AUDIT_ESCALATE,
    AUDIT_NOTE,
    AUDIT_PHOTO_HIDE,
    AUDIT_PHOTO_REMOVE,
    AUDIT_REDACT,
    DESCRIPTION_MAX,
    FORWARD_DAYS,
    FORWARDED_TO_MAX,
    LEGAL_WINDOWS,
    MAX_TERM_DAYS,
    MESSAGE_MAX,
    NOTE_MAX,
    RETURN_DAYS,
    TERMS,
    TITLE_MAX,
    appeals_for_staff,
    audit_code,
    days_since_receipt,
    is_head_or_deputy,
    staff_role,
    within_legal_window,
)
from .deadlines import (  # noqa: F401
    appeals_close_unanswered_returns,
    appeals_escalate_overdue,
)
from .moderation import (  # noqa: F401
    appeal_accept,
    appeal_close_anonymous,
    appeal_forward,
    appeal_merge,
    appeal_redact,
    appeal_reject,
    appeal_return,
    photo_hide,
    photo_remove,
    reply_due_from,
)
from .work import (  # noqa: F401
    AUDIT_ATTACHMENT_PUBLISH,
    answer_attachment_publish,
    appeal_answer,
    appeal_assign,
    appeal_close,
    appeal_extend,
    appeal_note,
    appeal_start,
)
