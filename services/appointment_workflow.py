"""The appointment workflow: statuses and the one table of allowed transitions.

Like the applications' (workflow.py): every status change of a visit goes
through services.services.appointments, which checks this table with
`allowed()` and sets `target()`. The named sets below are derived from it.
"""

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _

from mycity.lib.workflow import Transition, Workflow


class Status(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not come")


class Action(enum.StrEnum):
    BOOK = "book"
    CANCEL = "cancel"
    RESCHEDULE = "reschedule"
    ATTEND = "attend"
    NO_SHOW = "no_show"


RESIDENT, OFFICER = "resident", "officer"

# action -> (allowed from-statuses, to-status (None keeps it), who)
TRANSITIONS: dict[str, Transition] = {
    Action.BOOK: Transition(frozenset(), Status.BOOKED, frozenset({RESIDENT})),
    Action.CANCEL: Transition(
        frozenset({Status.BOOKED}), Status.CANCELLED, frozenset({RESIDENT, OFFICER})
    ),
    Action.RESCHEDULE: Transition(frozenset({Status.BOOKED}), None, frozenset({RESIDENT})),
    # An officer marks a visit once it has started, and may correct the mark.
    Action.ATTEND: Transition(
        frozenset({Status.BOOKED, Status.ATTENDED, Status.NO_SHOW}),
        Status.ATTENDED,
        frozenset({OFFICER}),
    ),
    Action.NO_SHOW: Transition(
        frozenset({Status.BOOKED, Status.ATTENDED, Status.NO_SHOW}),
        Status.NO_SHOW,
        frozenset({OFFICER}),
    ),
}
WORKFLOW = Workflow(TRANSITIONS)
# The status an officer's mark sets -> its action.
MARKS = {Status.ATTENDED: Action.ATTEND, Status.NO_SHOW: Action.NO_SHOW}

# Booked: the resident may still cancel or move the visit (while it is ahead).
CHANGEABLE_STATUSES = TRANSITIONS[Action.RESCHEDULE][0]
# The visit holds its seat in the slot: every status but cancelled.
SEAT_STATUSES = frozenset(Status) - {TRANSITIONS[Action.CANCEL][1]}
# Nothing more happens to the visit: no transition changes these statuses.
FINAL_STATUSES = WORKFLOW.final(Status)


allowed = WORKFLOW.allowed
target = WORKFLOW.target
