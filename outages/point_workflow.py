"""The live status of a point of help: statuses and the one table of allowed changes.

outages.services.points changes a point's status only through this table;
the operator screen offers the statuses it allows from the current one.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from mycity.lib.workflow import Transition, Workflow


class PointStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")
    FULL = "full", _("full")


OPEN, CLOSE, FILL = "open", "close", "fill"
# Keep the status: "still accurate", and the generator switched on or off.
CONFIRM, GENERATOR = "confirm", "generator"
OPERATOR = "operator"
_ANY = frozenset(PointStatus)
_OPERATOR = frozenset({OPERATOR})
TRANSITIONS: dict[str, Transition] = {
    OPEN: Transition(
        frozenset({PointStatus.CLOSED, PointStatus.FULL}), PointStatus.OPEN, _OPERATOR
    ),
    CLOSE: Transition(
        frozenset({PointStatus.OPEN, PointStatus.FULL}), PointStatus.CLOSED, _OPERATOR
    ),
    # Only an open point fills up; a closed one opens first.
    FILL: Transition(frozenset({PointStatus.OPEN}), PointStatus.FULL, _OPERATOR),
    CONFIRM: Transition(_ANY, None, _OPERATOR),
    GENERATOR: Transition(_ANY, None, _OPERATOR),
}
WORKFLOW = Workflow(TRANSITIONS)
# The action that leads to each status.
ACTION_TO = {PointStatus.OPEN: OPEN, PointStatus.CLOSED: CLOSE, PointStatus.FULL: FILL}


def allowed(action: str, from_status: str) -> bool:
    return WORKFLOW.allowed(action, from_status, OPERATOR)


def next_statuses(from_status: str) -> list[str]:
    """The statuses a point in `from_status` may be given, in the order of PointStatus."""
    return [s for s in PointStatus if allowed(ACTION_TO[s], from_status)]
