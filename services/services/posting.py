"""Letters to a requester for public information who gave only a postal address.

Art. 19(5) of the Law "On Access to Public Information" lets a request be
filed without an account, with a postal address for the answer. Such a
requester hears nothing from the portal: the officer sends the answer and
every notice (an extension, a return, a refusal) by post and records each
letter here, on the request's timeline.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Application, ApplicationEvent, ApplicationMessage, RequesterContact
from ..workflow import Action
from .common import ServiceError, may_process

POSTED_MAX = ApplicationMessage._meta.get_field("body").max_length


def needs_post(application: Application) -> bool:
    """True when the requester has no account and no e-mail: only a letter reaches them."""
    return (
        application.applicant_id is None
        and RequesterContact.objects.filter(application=application, email="")
        .exclude(postal_address="")
        .exists()
    )


def requester_post_record(*, application: Application, officer, what: str) -> ApplicationEvent:
    """Record that `what` (the answer, a notice of extension…) was sent by post today.

    Only the officers of the request's department, and only for a request
    whose requester gave a postal address and no e-mail. The status does not
    change; the timeline shows who sent what and when.
    """
    what = (what or "").strip()
    if not may_process(officer, application.department_id):
        raise ServiceError(_("Only officers of the responsible department can do this."))
    if not what:
        raise ServiceError(_("Say what was sent by post (the answer, a notice of extension…)."))
    if len(what) > POSTED_MAX:
        raise ServiceError(_("Shorten the description to %(n)d characters.") % {"n": POSTED_MAX})
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if not needs_post(locked):
            raise ServiceError(
                _("Only a request filed without an account with a postal address is sent by post.")
            )
        return ApplicationEvent.objects.create(
            application=locked,
            action=Action.POSTED,
            from_status=locked.status,
            to_status=locked.status,
            actor=officer,
            reason=what,
            created_at=timezone.now(),
        )
