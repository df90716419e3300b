"""Every change to an application: submit, the workflow's transitions, messages."""

import datetime as dt
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citizens.notifications.services import notify
from mycity.lib import references
from mycity.lib.departments import department_staff_ids
from mycity.lib.i18n import field_in_every_language, in_every_language

from .. import calendar
from ..documents import CheckedDocument, check_document
from ..models import (
    Application,
    ApplicationEvent,
    ApplicationMessage,
    Document,
    ReferenceCounter,
    RequesterContact,
    Service,
)
from ..policies import can_write, needs_correction
from ..workflow import (
    APPLICANT,
    EXTENSION_NOTICE_DAYS,
    OFFICER,
    WORKFLOW,
    Action,
    Status,
    UrgentGround,
    extension_notice_until,
)
from .common import (
    ServiceError,
    may_process,
)

MESSAGE_MAX = ApplicationMessage._meta.get_field("body").max_length


def next_reference(now=None) -> str:
    """The next application number of the year, e.g. KHS-2026-000042.

    Must run inside the caller's transaction: the counter row stays locked
    until it commits, so two submissions never get the same number.
    """
    return references.next_reference(ReferenceCounter, f"{settings.CITY_CODE}S", now)


def _checked(uploads: Iterable) -> list[CheckedDocument]:
    checked = []
    for upload in uploads:
        if isinstance(upload, CheckedDocument):
            checked.append(upload)
            continue
        try:
            checked.append(check_document(upload))
        except ValidationError as exc:
            raise ServiceError(exc.messages[0]) from exc
    return checked


def _save_documents(application, documents, *, by, from_officer=False, message=None):
    for field_code, document in documents:
        Document.objects.create(
            application=application,
            message=message,
            field_code=field_code,
            file=ContentFile(document.content, name=f"upload.{document.kind}"),
            name=document.name,
            kind=document.kind,
            size=document.size,
            pages=document.pages,
            uploaded_by=by,
            from_officer=from_officer,
        )


def application_submit(
    *,
    applicant,
    service: Service,
    answers: list[dict],
    documents: list[tuple[str, object]] = (),
    urgent: bool = False,
    urgent_ground: str = "",
    idempotency_key: uuid.UUID,
) -> tuple[Application, bool]:
    """File an online application for `service`. Returns (application, created).

    `answers` is the form as submitted (code, label in every language,
    value); `documents` are (field code, upload) pairs, each checked by
    content. The deadline counts the service's working days from the next
    day, or `urgent_hours` when the applicant says life or safety is
    concerned. `urgent_ground` names the ground of Art. 20(2) of the Law on
    Access to Public Information (UrgentGround); `urgent` without a ground
    means life or freedom. The same idempotency key returns the application
    it made.
    """
    existing = Application.objects.filter(
        applicant=applicant, idempotency_key=idempotency_key
    ).first()
    if existing is not None:
        return existing, False
    if not service.is_active or not service.online:
        raise ServiceError(_("This service cannot be applied for online."))
    if len(documents) > settings.SERVICES_MAX_FILES:
        raise ServiceError(
            _("You can attach up to %(n)d files.") % {"n": settings.SERVICES_MAX_FILES}
        )
    checked = list(
        zip([code for code, _u in documents], _checked(u for _c, u in documents), strict=False)
    )
    if urgent_ground and urgent_ground not in UrgentGround.values:
        raise ServiceError(_("Choose a ground of urgency from the list."))
    urgent = bool((urgent or urgent_ground) and service.urgent_hours)
    urgent_ground = (urgent_ground or UrgentGround.LIFE_OR_FREEDOM) if urgent else ""
    now = timezone.now()
    try:
        with transaction.atomic():
            application = Application.objects.create(
                reference=next_reference(now),
                service=service,
                department_id=service.department_id,
                applicant=applicant,
                status=Status.SUBMITTED,
                answers=answers,
                urgent=urgent,
                urgent_ground=urgent_ground,
                submitted_at=now,
                term_days=service.processing_days,
                due_at=calendar.due_at(
                    now,
                    working_days=service.processing_days,
                    urgent_hours=service.urgent_hours if urgent else None,
                ),
                idempotency_key=idempotency_key,
            )
            _save_documents(application, checked, by=applicant)
            ApplicationEvent.objects.create(
                application=application,
                action=Action.SUBMIT,
                from_status="",
                to_status=Status.SUBMITTED,
                actor=applicant,
                created_at=now,
            )
            context = {
                "reference": application.reference,
                "service": field_in_every_language(service, "name"),
                "deadline": _due_text(application),
            }
            notify(
                recipients=[applicant],
                event="services.submitted",
                context=context,
                url=application.get_absolute_url(),
            )
            staff = department_staff_ids(service.department)
            if staff:
                notify(
                    recipients=staff,
                    event="services.new_application",
                    context=context,
                    url=f"/admin/services/application/{application.pk}/change/",
                )
    except IntegrityError:
        existing = Application.objects.filter(
            applicant=applicant, idempotency_key=idempotency_key
        ).first()
        if existing is None:
            raise
        return existing, False
    return application, True


def _due_text(application: Application) -> str:
    due = timezone.localtime(application.due_at)
    return due.strftime("%d.%m.%Y %H:%M") if application.urgent else due.strftime("%d.%m.%Y")


def _refused(status: str) -> ServiceError:
    return ServiceError(
        _("This cannot be done to an application that is “%(status)s”.") % {"status": status}
    )


def application_transition(
    *, application: Application, action: str, actor, reason: str = ""
) -> Application:
    """Move `application` by `action` if the table allows it; lock, save, record, notify.

    Officers must work in the application's department and hold the
    processing permission; the applicant acts only on their own. Returns the
    locked, updated application; raises ServiceError when refused.
    """
    reason = (reason or "").strip()
    role = OFFICER if action not in (Action.CORRECT, Action.WITHDRAW, Action.SUBMIT) else APPLICANT
    if role == OFFICER and not may_process(actor, application.department_id):
        raise ServiceError(_("Only officers of the responsible department can do this."))
    if role == APPLICANT and getattr(actor, "pk", None) != application.applicant_id:
        raise ServiceError(_("Only the applicant can do this."))
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update()
            .select_related("service", "department")
            .get(pk=application.pk)
        )
        before = WORKFLOW.move(locked, action, role, refused=_refused)
        if WORKFLOW.needs_reason(action) and not reason:
            raise ServiceError(_("Give the reason: the applicant will read it."))
        if len(reason) > MESSAGE_MAX:
            raise ServiceError(_("Shorten the reason to %(n)d characters.") % {"n": MESSAGE_MAX})
        now = timezone.now()
        fields = ["status", "updated_at"]
        if action == Action.EXTEND:
            _extend(locked)
            fields += ["due_at", "term_days", "extended_at"]
        if action == Action.REFUSE:
            locked.refusal_reason = reason
            fields.append("refusal_reason")
        if locked.status in (Status.READY, Status.REFUSED) and locked.decided_at is None:
            locked.decided_at = now
            fields.append("decided_at")
        if role == OFFICER and locked.assignee_id is None:
            locked.assignee = actor
            fields.append("assignee")
        locked.save(update_fields=fields)
        ApplicationEvent.objects.create(
            application=locked,
            action=action,
            from_status=before,
            to_status=locked.status,
            actor=actor,
            reason=reason,
            created_at=now,
        )
        if role == OFFICER and locked.applicant_id is None:
            _email_requester(locked, action=action, reason=reason)
        elif role == OFFICER:
            notify(
                recipients=[locked.applicant_id],
                event="services.term_extended"
                if action == Action.EXTEND
                else "services.status_changed",
                context={
                    "reference": locked.reference,
                    "service": field_in_every_language(locked.service, "name"),
                    "status": in_every_language(Status(locked.status).label),
                    "reason": reason,
                    "deadline": _due_text(locked),
                },
                url=locked.get_absolute_url(),
            )
        else:
            _tell_department(locked, what=in_every_language(Action(action).label))
    return locked


def _extend(application: Application) -> None:
    service = application.service
    if not service.extension_days:
        raise ServiceError(_("The law sets no extension for this service."))
    if application.extended_at is not None:
        raise ServiceError(_("The term can be extended only once."))
    if application.urgent:
        raise ServiceError(_("An urgent application cannot be extended."))
    if timezone.now() > extension_notice_until(application.submitted_at):
        raise ServiceError(
            _(
                "The term can be extended only within %(n)d working days of receipt "
                "(Art. 20(4) of the Law on Access to Public Information)."
            )
            % {"n": EXTENSION_NOTICE_DAYS}
        )
    application.term_days = service.extension_days
    application.due_at = calendar.due_at(
        application.submitted_at, working_days=service.extension_days
    )
    application.extended_at = timezone.now()


def _tell_department(application: Application, *, what) -> None:
    staff = department_staff_ids(application.department)
    if staff:
        notify(
            recipients=staff,
            event="services.applicant_replied",
            context={
                "reference": application.reference,
                "service": field_in_every_language(application.service, "name"),
                "what": what,
            },
            url=f"/admin/services/application/{application.pk}/change/",
        )


def application_message(
    *,
    application: Application,
    author,
    body: str,
    documents: Iterable = (),
    tell_department: bool = True,
) -> ApplicationMessage:
    """A message between the applicant and the department, with optional files.

    The applicant writes on their own open application; officers of the
    department write on any. The other side is told through the outbox.
    """
    body = (body or "").strip()
    documents = list(documents)
    from_officer = author.pk != application.applicant_id
    if from_officer and not may_process(author, application.department_id):
        raise ServiceError(_("Only officers of the responsible department can do this."))
    if not from_officer and not can_write(application, author):
        raise ServiceError(_("This application is closed; file a new one if you need to."))
    if not body and not documents:
        raise ServiceError(_("Write a message or attach a file."))
    if len(body) > MESSAGE_MAX:
        raise ServiceError(_("Shorten the message to %(n)d characters.") % {"n": MESSAGE_MAX})
    count = application.documents.count() + len(documents)
    if not from_officer and count > settings.SERVICES_MAX_FILES * 2:
        raise ServiceError(_("This application has as many files as it can take."))
    checked = _checked(documents)
    with transaction.atomic():
        message = ApplicationMessage.objects.create(
            application=application,
            author=author,
            from_officer=from_officer,
            body=body or "—",
        )
        _save_documents(
            application,
            [("", d) for d in checked],
            by=author,
            from_officer=from_officer,
            message=message,
        )
        if from_officer:
            notify(
                recipients=[application.applicant_id],
                event="services.officer_message",
                context={
                    "reference": application.reference,
                    "service": field_in_every_language(application.service, "name"),
                    "excerpt": body[:200],
                },
                url=application.get_absolute_url(),
            )
        elif tell_department:
            _tell_department(application, what=body[:200])
    return message


def application_correct(
    *, application: Application, applicant, body: str, documents: Iterable = ()
) -> Application:
    """The applicant answers a request for correction: a message, then back to submitted.

    One transaction: if the application is no longer waiting for a correction
    the transition refuses and the message is not kept either.
    """
    with transaction.atomic():
        # The transition tells the department; one notice is enough.
        application_message(
            application=application,
            author=applicant,
            body=body,
            documents=documents,
            tell_department=False,
        )
        return application_transition(
            application=application, action=Action.CORRECT, actor=applicant
        )


def application_write(
    *, application: Application, applicant, body: str, documents: Iterable = ()
) -> bool:
    """The applicant writes, from the web page or the API: on an application
    returned for correction the message is the correction (application_correct),
    else a message (application_message). True if it was the correction."""
    if needs_correction(application):
        application_correct(
            application=application, applicant=applicant, body=body, documents=documents
        )
        return True
    application_message(application=application, author=applicant, body=body, documents=documents)
    return False


def applications_escalate_overdue(*, now: dt.datetime | None = None) -> int:
    """Tell department heads about overdue applications, once per application per day.

    Like the escalation of overdue appeals: a conditional UPDATE (… WHERE
    escalated_on IS DISTINCT FROM today) claims each application in its own
    transaction, and only the run that changed the row notifies the head (or,
    with no active head, the department's staff): two runs at once, or a
    task delivered twice, send one escalation. Returns how many were sent.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    not_today = Q(escalated_on__isnull=True) | ~Q(escalated_on=today)
    candidates = list(
        Application.objects.overdue(now)
        .filter(not_today)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)
    )
    escalated = 0
    for pk in candidates:
        with transaction.atomic():
            claimed = (
                Application.objects.overdue(now)
                .filter(pk=pk)
                .filter(not_today)
                .update(escalated_on=today)
            )
            if not claimed:
                continue
            application = Application.objects.select_related("department", "service").get(pk=pk)
            _escalate(application)
            escalated += 1
    return escalated


def _escalate(application: Application) -> None:
    department = application.department
    head = department.head
    if head is not None and head.is_active:
        recipients = [head.pk]
    else:
        recipients = department_staff_ids(department, head=False)
    if recipients:
        notify(
            recipients=recipients,
            event="services.escalated",
            context={
                "reference": application.reference,
                "service": field_in_every_language(application.service, "name"),
                "deadline": _due_text(application),
            },
            url=f"/admin/services/application/{application.pk}/change/",
        )


# --- requests for public information without an account (Art. 19) ----------


def public_request_submit(
    *,
    service: Service,
    name: str,
    email: str = "",
    postal_address: str = "",
    answers: list[dict],
    urgent_ground: str = "",
    language: str = "uk",
    idempotency_key: uuid.UUID,
) -> Application:
    """File a request for public information without an account.

    Art. 19 of the Law on Access to Public Information asks only for a name
    and a postal or e-mail address for the answer. Only services marked
    `public_information` take such requests. The terms are those of any
    application (Art. 20); the answer and news go to the e-mail, if given.
    """
    name, email, postal_address = (
        (name or "").strip(),
        (email or "").strip(),
        (postal_address or "").strip(),
    )
    if not service.is_active or not service.online or not service.public_information:
        raise ServiceError(_("This service cannot be requested without an account."))
    if not name:
        raise ServiceError(_("Give your name."))
    if not email and not postal_address:
        raise ServiceError(_("Give a postal or e-mail address for the answer."))
    existing = Application.objects.filter(applicant=None, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    if urgent_ground and urgent_ground not in UrgentGround.values:
        raise ServiceError(_("Choose a ground of urgency from the list."))
    urgent = bool(urgent_ground and service.urgent_hours)
    now = timezone.now()
    with transaction.atomic():
        application = Application.objects.create(
            reference=next_reference(now),
            service=service,
            department_id=service.department_id,
            applicant=None,
            status=Status.SUBMITTED,
            answers=answers,
            urgent=urgent,
            urgent_ground=urgent_ground if urgent else "",
            submitted_at=now,
            term_days=service.processing_days,
            due_at=calendar.due_at(
                now,
                working_days=service.processing_days,
                urgent_hours=service.urgent_hours if urgent else None,
            ),
            idempotency_key=idempotency_key,
        )
        RequesterContact.objects.create(
            application=application,
            name=name,
            email=email,
            postal_address=postal_address,
            language=language,
        )
        ApplicationEvent.objects.create(
            application=application,
            action=Action.SUBMIT,
            from_status="",
            to_status=Status.SUBMITTED,
            actor=None,
            created_at=now,
        )
        staff = department_staff_ids(service.department)
        if staff:
            notify(
                recipients=staff,
                event="services.new_application",
                context={
                    "reference": application.reference,
                    "service": field_in_every_language(service, "name"),
                    "deadline": _due_text(application),
                },
                url=f"/admin/services/application/{application.pk}/change/",
            )
        _email_requester(application, action=Action.SUBMIT, reason="")
    return application


def _email_requester(application: Application, *, action: str, reason: str) -> None:
    """Tell a requester without an account, by e-mail in the language they filed in."""
    contact = RequesterContact.objects.filter(application=application).first()
    if contact is None or not contact.email:
        return
    with translation.override(contact.language):
        subject = _("Request %(reference)s: %(status)s") % {
            "reference": application.reference,
            "status": Status(application.status).label,
        }
        if action == Action.EXTEND:
            subject = _("Request %(reference)s: the term is extended") % {
                "reference": application.reference
            }
        lines = [
            _("“%(service)s”, request %(reference)s.")
            % {"service": application.service.name, "reference": application.reference},
            _("The answer is due by %(deadline)s.") % {"deadline": _due_text(application)},
        ]
        if reason:
            lines.append(reason)
        send_mail(subject, "\n\n".join(lines), None, [contact.email], fail_silently=True)
