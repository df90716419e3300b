"""The appointment workflow: statuses and the one table of allowed transitions.

Like the applications' (workflow.py): every status change of a visit goes
through services.services.appointments, which checks this table with
`allowed()` and sets `target()`. The named sets below are derived from it.
"""

import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


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
TRANSITIONS: dict[str, tuple[frozenset[str], str | None, frozenset[str]]] = {
    Action.BOOK: (frozenset(), Status.BOOKED, frozenset({RESIDENT})),
    Action.CANCEL: (frozenset({Status.BOOKED}), Status.CANCELLED, frozenset({RESIDENT, OFFICER})),
    Action.RESCHEDULE: (frozenset({Status.BOOKED}), None, frozenset({RESIDENT})),
    # An officer marks a visit once it has started, and may correct the mark.
    Action.ATTEND: (
        frozenset({Status.BOOKED, Status.ATTENDED, Status.NO_SHOW}),
        Status.ATTENDED,
        frozenset({OFFICER}),
    ),
    Action.NO_SHOW: (
        frozenset({Status.BOOKED, Status.ATTENDED, Status.NO_SHOW}),
        Status.NO_SHOW,
        frozenset({OFFICER}),
    ),
}
# The status an officer's mark sets -> its action.
MARKS = {Status.ATTENDED: Action.ATTEND, Status.NO_SHOW: Action.NO_SHOW}

# Booked: the resident may still cancel or move the visit (while it is ahead).
CHANGEABLE_STATUSES = TRANSITIONS[Action.RESCHEDULE][0]
# The visit holds its seat in the slot: every status but cancelled.
SEAT_STATUSES = frozenset(Status) - {TRANSITIONS[Action.CANCEL][1]}
# Nothing more happens to the visit: no transition changes these statuses.
FINAL_STATUSES = frozenset(
    s
    for s in Status
    if not any(s in sources and to not in (None, s) for sources, to, _who in TRANSITIONS.values())
)


def allowed(action: str, from_status: str | None, actor: str) -> bool:
    sources, _to, actors = TRANSITIONS[action]
    if actor not in actors:
        return False
    return from_status is None if not sources else from_status in sources


def target(action: str, from_status: str | None) -> str:
    to = TRANSITIONS[action][1]
    return from_status if to is None else to
