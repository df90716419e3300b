"""Incidents' workflow: the one table of allowed status changes.

The outages app's services move an incident only through this table and
record each move (mycity.models.IncidentEvent); appeals suggests incidents
from clusters of reports through `mycity.incidents.incident_suggest`.
"""

from mycity.lib.workflow import Transition, Workflow

from .models import IncidentStatus as Status

SUGGEST, DECLARE, CONFIRM, DISMISS, RESOLVE, REOPEN = (
    "suggest",
    "declare",
    "confirm",
    "dismiss",
    "resolve",
    "reopen",
)
# Staff who declare and resolve incidents (clerks, editors, moderators);
# the system suggests them from clusters of reports.
STAFF, SYSTEM = "staff", "system"

TRANSITIONS: dict[str, Transition] = {
    SUGGEST: Transition(frozenset(), Status.SUGGESTED, frozenset({SYSTEM})),
    DECLARE: Transition(frozenset(), Status.ACTIVE, frozenset({STAFF})),
    CONFIRM: Transition(frozenset({Status.SUGGESTED}), Status.ACTIVE, frozenset({STAFF})),
    DISMISS: Transition(frozenset({Status.SUGGESTED}), Status.DISMISSED, frozenset({STAFF})),
    RESOLVE: Transition(frozenset({Status.ACTIVE}), Status.RESOLVED, frozenset({STAFF})),
    REOPEN: Transition(frozenset({Status.RESOLVED}), Status.ACTIVE, frozenset({STAFF})),
}
WORKFLOW = Workflow(TRANSITIONS, reasoned={DISMISS, REOPEN})

# Residents see these: declared incidents, live or over.
PUBLIC_STATUSES = frozenset({Status.ACTIVE, Status.RESOLVED})
# Reports may be linked to these (a suggestion gathers its reports too).
LINKABLE_STATUSES = frozenset({Status.SUGGESTED, Status.ACTIVE})
FINAL_STATUSES = WORKFLOW.final(Status)
