"""The application workflow: statuses and the one table of allowed transitions.

Every status change goes through `services.services.applications.transition()`,
which checks this table, locks the row and records an ApplicationEvent (who,
when, from, to, why), and tells the applicant.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import calendar


class Status(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("application status", "Submitted")
    NEEDS_CORRECTION = "needs_correction", pgettext_lazy("application status", "Needs correction")
    IN_PROGRESS = "in_progress", pgettext_lazy("application status", "In progress")
    READY = "ready", pgettext_lazy("application status", "Ready")
    ISSUED = "issued", pgettext_lazy("application status", "Issued")
    REFUSED = "refused", pgettext_lazy("application status", "Refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("application status", "Withdrawn by the applicant")


class Action(models.TextChoices):
    SUBMIT = "submit", _("submitted")
    RETURN = "return", _("returned for correction")
    CORRECT = "correct", _("corrected by the applicant")
    START = "start", _("taken into work")
    READY = "ready", _("ready")
    ISSUE = "issue", _("issued")
    REFUSE = "refuse", _("refused")
    WITHDRAW = "withdraw", _("withdrawn by the applicant")
    EXTEND = "extend", _("term extended")
    # Not a change of status: a letter to a requester who gave only a postal address.
    POSTED = "posted", _("sent by post to the requester")


class UrgentGround(models.TextChoices):
    """The grounds of the 48-hour term, Art. 20(2) of the Law "On Access to Public Information"."""

    LIFE_OR_FREEDOM = "life_or_freedom", _("Protection of a person's life or freedom")
    ENVIRONMENT = "environment", _("The state of the environment")
    FOOD_AND_GOODS = "food_and_goods", _("The quality of food or household items")
    ACCIDENT = "accident", _("An accident")
    CATASTROPHE = "catastrophe", _("A catastrophe")
    NATURAL_HAZARD = "natural_hazard", _("A dangerous natural phenomenon")
    EMERGENCY = "emergency", _("Another emergency that threatens the safety of citizens")


APPLICANT, OFFICER = "applicant", "officer"

# action -> (allowed from-statuses, to-status (None keeps it), who, reason required)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None, str, bool]] = {
    Action.SUBMIT: (frozenset(), Status.SUBMITTED, APPLICANT, False),
    Action.RETURN: (
        frozenset({Status.SUBMITTED, Status.IN_PROGRESS}),
        Status.NEEDS_CORRECTION,
        OFFICER,
        True,
    ),
    Action.CORRECT: (
        frozenset({Status.NEEDS_CORRECTION}),
        Status.SUBMITTED,
        APPLICANT,
        False,
    ),
    Action.START: (frozenset({Status.SUBMITTED}), Status.IN_PROGRESS, OFFICER, False),
    Action.READY: (
        frozenset({Status.SUBMITTED, Status.IN_PROGRESS}),
        Status.READY,
        OFFICER,
        False,
    ),
    Action.ISSUE: (frozenset({Status.READY}), Status.ISSUED, OFFICER, False),
    Action.REFUSE: (
        frozenset({Status.SUBMITTED, Status.IN_PROGRESS, Status.NEEDS_CORRECTION}),
        Status.REFUSED,
        OFFICER,
        True,
    ),
    Action.WITHDRAW: (
        frozenset({Status.SUBMITTED, Status.NEEDS_CORRECTION, Status.IN_PROGRESS}),
        Status.WITHDRAWN,
        APPLICANT,
        False,
    ),
    Action.EXTEND: (
        frozenset({Status.SUBMITTED, Status.IN_PROGRESS}),
        None,
        OFFICER,
        True,
    ),
}

# The named sets of statuses, derived from TRANSITIONS so they cannot drift from it.
# Final: no transition changes these statuses (issued, refused, withdrawn).
FINAL_STATUSES = frozenset(
    s
    for s in Status
    if not any(s in sources and to is not None for sources, to, _who, _r in TRANSITIONS.values())
)
# The deadline runs and the application can be overdue: not decided yet (the
# officer can still refuse it; a ready one is decided and waits to be issued).
OPEN_STATUSES = TRANSITIONS[Action.REFUSE][0]
# Actions officers take from the admin, in the order the buttons are shown.
OFFICER_ACTIONS = [
    Action.START,
    Action.RETURN,
    Action.READY,
    Action.ISSUE,
    Action.EXTEND,
    Action.REFUSE,
]


# Art. 20(4) of the Law "On Access to Public Information": the term may be
# extended only if the requester is told, with the reason, within this many
# working days of receipt.
EXTENSION_NOTICE_DAYS = 5


def extension_notice_until(submitted_at):
    """The last moment the requester can still be told of an extension."""
    return calendar.due_at(submitted_at, working_days=EXTENSION_NOTICE_DAYS)


def may_extend(application, now) -> bool:
    """Whether the term of `application` can still be extended at `now`."""
    return bool(
        application.service.extension_days
        and not application.extended_at
        and not application.urgent
        and now <= extension_notice_until(application.submitted_at)
    )


def allowed(action: str, from_status: str | None, actor: str) -> bool:
    sources, _to, who, _reason = TRANSITIONS[action]
    if actor != who:
        return False
    return from_status is None if not sources else from_status in sources


def target(action: str, from_status: str) -> str:
    to = TRANSITIONS[action][1]
    return from_status if to is None else to


def needs_reason(action: str) -> bool:
    return TRANSITIONS[action][3]


def officer_actions_from(status: str) -> list[str]:
    return [a for a in OFFICER_ACTIONS if allowed(a, status, OFFICER)]
