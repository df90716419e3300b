"""What the applicant may do with an application now: one rule for the web page and the API.

The page (services.views.applying) shows its controls, and the API
(services.api.serializers) reports its flags, from these functions; the
services refuse by the same rules (the transition table in workflow.py).
"""

from .workflow import APPLICANT, FINAL_STATUSES, Action, allowed


def is_applicant(application, user) -> bool:
    return user is not None and user.is_authenticated and application.applicant_id == user.pk


def can_write(application, user) -> bool:
    """The applicant may write a message (with files) until the application is final."""
    return is_applicant(application, user) and application.status not in FINAL_STATUSES


def needs_correction(application) -> bool:
    """Returned for correction: the applicant's next message is the correction (else a message)."""
    return allowed(Action.CORRECT, application.status, APPLICANT)


def can_withdraw(application, user) -> bool:
    """The applicant may withdraw while the transition table allows it."""
    return is_applicant(application, user) and allowed(
        Action.WITHDRAW, application.status, APPLICANT
    )
