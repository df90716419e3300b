"""The urgent alerts' workflow: statuses and the one table of allowed transitions.

The services (news.services.alerts) change an alert's status only through
this table, and the admin offers the statuses it allows; the named sets
below are derived from it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    RESOLVED = "resolved", _("resolved")


PUBLISH, RESOLVE = "publish", "resolve"
# action -> (allowed from, to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    PUBLISH: (frozenset({Status.DRAFT}), Status.PUBLISHED),
    RESOLVE: (frozenset({Status.PUBLISHED}), Status.RESOLVED),
}

# Seen by the public (the alerts page, the API): every status a transition leads to.
PUBLIC_STATUSES = frozenset(to for _from, to in TRANSITIONS.values())
# Live: on the banner while its time runs; it can be resolved.
LIVE_STATUSES = TRANSITIONS[RESOLVE][0]
# Nothing more happens to the alert (no updates either): no transition leaves these.
FINAL_STATUSES = frozenset(
    s for s in Status if not any(s in sources for sources, _to in TRANSITIONS.values())
)


def allowed(action: str, from_status: str) -> bool:
    return from_status in TRANSITIONS[action][0]


def target(action: str) -> str:
    return TRANSITIONS[action][1]


def next_statuses(from_status: str) -> list[str]:
    """The statuses an alert in `from_status` may be given (the admin's choices)."""
    return [to for sources, to in TRANSITIONS.values() if from_status in sources]
