"""The urgent alerts' workflow: statuses and the one table of allowed transitions.

The services (news.services.alerts) change an alert's status only through
this table, and the admin offers the statuses it allows; the named sets
below are derived from it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from mycity.lib.workflow import Transition, Workflow


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    RESOLVED = "resolved", _("resolved")


PUBLISH, RESOLVE = "publish", "resolve"
# Editors (staff with the news permissions) take every action.
EDITOR = "editor"
TRANSITIONS: dict[str, Transition] = {
    PUBLISH: Transition(frozenset({Status.DRAFT}), Status.PUBLISHED, frozenset({EDITOR})),
    RESOLVE: Transition(frozenset({Status.PUBLISHED}), Status.RESOLVED, frozenset({EDITOR})),
}
WORKFLOW = Workflow(TRANSITIONS)

# Seen by the public (the alerts page, the API): every status a transition leads to.
PUBLIC_STATUSES = frozenset(t.to for t in TRANSITIONS.values())
# Live: on the banner while its time runs; it can be resolved.
LIVE_STATUSES = TRANSITIONS[RESOLVE].sources
# Nothing more happens to the alert (no updates either): no transition leaves these.
FINAL_STATUSES = WORKFLOW.final(Status)


def allowed(action: str, from_status: str) -> bool:
    return WORKFLOW.allowed(action, from_status, EDITOR)


def target(action: str) -> str:
    return WORKFLOW.target(action, None)


def next_statuses(from_status: str) -> list[str]:
    """The statuses an alert in `from_status` may be given (the admin's choices)."""
    return [TRANSITIONS[a].to for a in WORKFLOW.actions_from(from_status, EDITOR)]
