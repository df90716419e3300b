"""The appeal workflow: statuses and the one table of allowed transitions.

Every status change goes through `transition()`, which checks this table,
locks the row and records an AppealEvent (who, when, from, to, why). The
staff side adds its services on top of the same table; the resident-side
actions are submit, add information (when returned), and reopen.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from mycity.lib.workflow import Transition, Workflow


class Status(models.TextChoices):
    MODERATION = "moderation", _("Awaiting moderation")
    RETURNED = "returned", _("Needs information from the author")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    FORWARDED = "forwarded", _("Forwarded to another body")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into another request")
    LAPSED = "lapsed", _("Closed without consideration: the author did not reply")


class Action(models.TextChoices):
    SUBMIT = "submit", _("submitted")
    ADD_INFO = "add_info", _("information added by the author")
    ACCEPT = "accept", _("accepted and routed")
    RETURN = "return", _("returned to the author for information")
    REJECT = "reject", _("rejected")
    FORWARD = "forward", _("forwarded to another body")
    MERGE = "merge", _("merged as a duplicate")
    START = "start", _("work started")
    ANSWER = "answer", _("answered")
    CLOSE = "close", _("closed")
    REOPEN = "reopen", _("reopened by the author")
    EXTEND = "extend", _("deadline extended")
    LAPSE = "lapse", _("closed without consideration: the author did not reply in time")
    CLOSE_ANONYMOUS = "close_anonymous", _("left without consideration: anonymous (Art. 8)")
    CLAIM = "claim", _("attached to the author's account")


# Who may take an action: the author, a moderator, the routed department's staff.
AUTHOR, MODERATOR, DEPARTMENT = "author", "moderator", "department"
# The head of the department the appeal is routed to, or a deputy head: alone may
# extend the term (Art. 20).
HEAD = "head"
# The portal itself (a periodic job), e.g. closing a returned appeal whose reply time passed.
SYSTEM = "system"
# The official answer given once on an outage (mycity.Incident) and delivered
# to each report linked to it (services/incidents.py): it accepts a report
# still awaiting moderation and answers it, on behalf of whoever answered.
OUTAGE = "outage"

# (action) -> (allowed from-statuses, to-status, actors). EXTEND keeps the status.
TRANSITIONS: dict[str, Transition] = {
    Action.SUBMIT: Transition(frozenset(), Status.MODERATION, frozenset({AUTHOR})),
    Action.ADD_INFO: Transition(
        frozenset({Status.RETURNED}), Status.MODERATION, frozenset({AUTHOR})
    ),
    Action.ACCEPT: Transition(
        frozenset({Status.MODERATION}), Status.ACCEPTED, frozenset({MODERATOR, OUTAGE})
    ),
    Action.RETURN: Transition(
        frozenset({Status.MODERATION, Status.ACCEPTED, Status.IN_PROGRESS}),
        Status.RETURNED,
        frozenset({MODERATOR, DEPARTMENT}),
    ),
    Action.REJECT: Transition(
        frozenset({Status.MODERATION}), Status.REJECTED, frozenset({MODERATOR})
    ),
    Action.FORWARD: Transition(
        frozenset({Status.MODERATION, Status.ACCEPTED}),
        Status.FORWARDED,
        frozenset({MODERATOR, DEPARTMENT}),
    ),
    Action.MERGE: Transition(
        frozenset({Status.MODERATION, Status.ACCEPTED, Status.IN_PROGRESS}),
        Status.MERGED,
        frozenset({MODERATOR}),
    ),
    Action.START: Transition(
        frozenset({Status.ACCEPTED}), Status.IN_PROGRESS, frozenset({DEPARTMENT})
    ),
    Action.ANSWER: Transition(
        frozenset({Status.ACCEPTED, Status.IN_PROGRESS}),
        Status.ANSWERED,
        frozenset({DEPARTMENT, OUTAGE}),
    ),
    Action.CLOSE: Transition(
        frozenset({Status.ANSWERED}), Status.CLOSED, frozenset({DEPARTMENT, MODERATOR})
    ),
    Action.REOPEN: Transition(
        frozenset({Status.ANSWERED, Status.CLOSED}),
        Status.IN_PROGRESS,
        frozenset({AUTHOR}),
    ),
    Action.EXTEND: Transition(
        frozenset({Status.ACCEPTED, Status.IN_PROGRESS}),
        None,
        frozenset({HEAD}),
    ),
    # Art. 5, 7: the author of a returned appeal did not reply within the stated time.
    Action.LAPSE: Transition(frozenset({Status.RETURNED}), Status.LAPSED, frozenset({SYSTEM})),
    # Art. 8: an anonymous written appeal is not subject to consideration. The
    # service also checks the appeal is anonymous; REJECTED is final (no reopening).
    Action.CLOSE_ANONYMOUS: Transition(
        frozenset({Status.MODERATION, Status.ACCEPTED, Status.IN_PROGRESS, Status.RETURNED}),
        Status.REJECTED,
        frozenset({MODERATOR}),
    ),
    # Art. 5: the resident attaches an appeal staff registered for them to their
    # account, with the code of the receipt; the status stays as it is.
    Action.CLAIM: Transition(frozenset(Status.values), None, frozenset({AUTHOR})),
}

# The named sets of statuses. All but PUBLIC_STATUSES (a decision about what the
# public sees) are derived from TRANSITIONS, so they cannot drift from it.


WORKFLOW = Workflow(TRANSITIONS)
# Nothing more happens to the appeal: no transition changes these statuses.
FINAL_STATUSES = WORKFLOW.final(Status)
# Answered (and perhaps closed): the author may rate the answer and reopen the appeal.
ANSWERED_STATUSES = TRANSITIONS[Action.REOPEN][0]
# Not answered yet and not final: Open311 calls these "open".
UNRESOLVED_STATUSES = frozenset(Status) - FINAL_STATUSES - ANSWERED_STATUSES
# Still waiting for the city: the deadline runs and can be overdue. It does not
# run while the appeal is returned to its author for information.
OPEN_STATUSES = UNRESOLVED_STATUSES - {TRANSITIONS[Action.RETURN][1]}
# The department works on the appeal: it can answer it, and its staff assign it.
WORKING_STATUSES = TRANSITIONS[Action.ANSWER][0]
# The author may add information or photos while the appeal is unresolved.
AUTHOR_CAN_ADD = UNRESOLVED_STATUSES
# Visible on public pages (once accepted by a moderator, and only if public).
PUBLIC_STATUSES = frozenset(
    {Status.ACCEPTED, Status.IN_PROGRESS, Status.ANSWERED, Status.CLOSED, Status.FORWARDED}
)


allowed = WORKFLOW.allowed
target = WORKFLOW.target


# Audit codes that are not workflow actions (appeals/services/staff).
AUDIT_ACTIONS = {
    "appeals.redact": _("personal data edited out"),
    "appeals.photo_hide": _("photo hidden from the public"),
    "appeals.photo_remove": _("photo removed"),
    "appeals.assign": _("assigned"),
    "appeals.note": _("internal note added"),
    "appeals.escalate": _("escalated to the department head"),
    "appeals.attachment_publish": _("answer file shown or hidden publicly"),
    "appeals.open311_media_approve": _("Open311 media URL approved"),
    "appeals.open311_media_remove": _("Open311 media URL removed"),
}


def audit_action_label(code: str) -> str:
    """ "appeals.accept" → "accepted and routed", in the reader's language; unknown codes as is."""
    if code in AUDIT_ACTIONS:
        return str(AUDIT_ACTIONS[code])
    action = code.removeprefix("appeals.")
    if action in Action.values:
        return str(Action(action).label)
    return code
