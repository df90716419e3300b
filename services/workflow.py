"""The application workflow: statuses and the one table of allowed transitions.

Every status change goes through `services.services.applications.transition()`,
which checks this table, locks the row and records an ApplicationEvent (who,
when, from, to, why), and tells the applicant.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mycity.lib.workflow import Transition, Workflow

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

TRANSITIONS: dict[str, Transition] = {
    Action.SUBMIT: Transition(frozenset(), Status.SUBMITTED, frozenset({APPLICANT})),
    Action.RETURN: Transition(
        frozenset({Status.SUBMITTED, Status.IN_PROGRESS}),
        Status.NEEDS_CORRECTION,
        frozenset({OFFICER}),
    ),
    Action.CORRECT: Transition(
        frozenset({Status.NEEDS_CORRECTION}),
        Status.SUBMITTED,
        frozenset({APPLICANT}),
    ),
    Action.START: Transition(
        frozenset({Status.SUBMITTED}), Status.IN_PROGRESS, frozenset({OFFICER})
    ),
    Action.READY: Transition(
        frozenset({Status.SUBMITTED, Status.IN_PROGRESS}),
        Status.READY,
        frozenset({OFFICER}),
    ),
    Action.ISSUE: Transition(frozenset({Status.READY}), Status.ISSUED, frozenset({OFFICER})),
    Action.REFUSE: Transition(
        frozenset({Status.SUBMITTED, Status.IN_PROGRESS, Status.NEEDS_CORRECTION}),
        Status.REFUSED,
        frozenset({OFFICER}),
    ),
    Action.WITHDRAW: Transition(
        frozenset({Status.SUBMITTED, Status.NEEDS_CORRECTION, Status.IN_PROGRESS}),
        Status.WITHDRAWN,
        frozenset({APPLICANT}),
    ),
    Action.EXTEND: Transition(
        frozenset({Status.SUBMITTED, Status.IN_PROGRESS}),
        None,
        frozenset({OFFICER}),
    ),
}

# The named sets of statuses, derived from TRANSITIONS so they cannot drift from it.
# Final: no transition changes these statuses (issued, refused, withdrawn).
WORKFLOW = Workflow(TRANSITIONS, reasoned={Action.RETURN, Action.REFUSE, Action.EXTEND})
FINAL_STATUSES = WORKFLOW.final(Status)
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


allowed = WORKFLOW.allowed
target = WORKFLOW.target
needs_reason = WORKFLOW.needs_reason


def officer_actions_from(status: str) -> list[str]:
    return WORKFLOW.actions_from(status, OFFICER, OFFICER_ACTIONS)
