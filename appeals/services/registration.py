"""Oral and paper appeals (Art. 5 of the Law "On Citizens' Appeals").

Staff at the hotline or a service centre register an appeal on behalf of a
resident, with or without an account. It gets the same number and the same
legal term as an appeal filed online (submit.check_filing and
submit.create_appeal), the term counted from the day it was received, and it
waits in the moderation queue like any other appeal: the operator records
what the resident said, a moderator routes it (an operator who is also a
moderator accepts it next, in one more step).

Without an account, the answer goes to the contact the resident gave
(AppealContact), and the resident gets a one-time claim code to attach the
appeal to an account later (appeal_claim). Only a hash of the code is kept.
"""

import datetime as dt
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from citizens import services as citizens_services
from citizens.notifications.services import notify
from citizens.validators import validate_ukrainian_phone

from ..models import Appeal, AppealContact, AppealEvent, Category, Channel
from ..workflow import Action, Status
from .common import AppealError
from .submit import check_filing, create_appeal

# No 0/O or 1/I: a code read out over the phone must not be misheard.
CLAIM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CLAIM_CODE_LENGTH = 10
STAFF_CHANNELS = (Channel.HOTLINE, Channel.LETTER, Channel.IN_PERSON)


def new_claim_code() -> str:
    code = "".join(secrets.choice(CLAIM_ALPHABET) for _i in range(CLAIM_CODE_LENGTH))
    return f"{code[:5]}-{code[5:]}"


def _normal_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def appeal_register(
    *,
    staff,
    channel: str,
    full_name: str,
    residence: str,
    kind: str,
    category: Category,
    title: str,
    description: str,
    idempotency_key: uuid.UUID,
    resident=None,
    phone: str = "",
    postal_address: str = "",
    email: str = "",
    received_at: dt.datetime | None = None,
    address: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
) -> tuple[Appeal, str, bool]:
    """Register an oral or paper appeal. Returns (appeal, claim code or "", created).

    `resident`: the resident's account when they have one (then they are the
    author and are told as usual, and there is no claim code). Without one,
    at least one contact for the answer is required. A registered appeal is
    never public until its author says so: staff do not decide it for them.
    The same key from the same staff member returns the appeal it created,
    without a new code (the code is shown once).
    """
    existing = Appeal.objects.filter(registered_by=staff, idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing, "", False
    if channel not in STAFF_CHANNELS:
        raise AppealError(_("Choose how the appeal was received."))
    full_name, residence = " ".join(full_name.split()), " ".join(residence.split())
    missing = citizens_services.appeal_details_missing(full_name=full_name, residence=residence)
    if "full_name" in missing or len(full_name) > 150:
        raise AppealError(_("Write the resident's surname and name (and patronymic, if any)."))
    if "residence" in missing or len(residence) > 200:
        raise AppealError(_("Write the resident's place of residence: settlement and street."))
    phone, postal_address, email = phone.strip(), postal_address.strip(), email.strip().lower()
    if phone:
        try:
            validate_ukrainian_phone(phone)
        except ValidationError as exc:
            raise AppealError(exc.messages[0]) from exc
    if len(postal_address) > 250:
        raise AppealError(_("Shorten the postal address to %(n)d characters.") % {"n": 250})
    if resident is None and not (phone or postal_address or email):
        raise AppealError(
            _("Give a phone number, a postal address or an e-mail address for the answer.")
        )
    now = timezone.now()
    received_at = received_at or now
    if received_at > now:
        raise AppealError(_("The date received cannot be in the future."))
    if received_at < now - dt.timedelta(days=settings.APPEAL_REGISTER_MAX_LATE_DAYS):
        raise AppealError(_("A paper appeal is registered within days of its receipt."))
    filing = check_filing(
        kind=kind,
        category=category,
        title=title,
        description=description,
        address=address,
        latitude=latitude,
        longitude=longitude,
    )
    code = "" if resident is not None else new_claim_code()
    # Art. 20: a resident with a verified priority status is considered first.
    priority = citizens_services.priority_category(resident)
    try:
        with transaction.atomic():
            appeal = create_appeal(
                filing,
                author=resident,
                registered_at=received_at,
                now=now,
                is_public=False,
                idempotency_key=idempotency_key,
                author_full_name=full_name,
                author_residence=residence,
                priority=bool(priority),
                priority_category=priority,
                channel=channel,
                registered_by=staff,
                claim_code_hash=make_password(_normal_code(code)) if code else "",
            )
            if phone or postal_address or email:
                AppealContact.objects.create(
                    appeal=appeal, phone=phone, postal_address=postal_address, email=email
                )
            AppealEvent.objects.create(
                appeal=appeal,
                action=Action.SUBMIT,
                from_status="",
                to_status=Status.MODERATION,
                actor=staff,
                reason=registered_by_text(appeal),
                created_at=now,
            )
            if resident is not None:
                notify(
                    recipients=[resident],
                    event="appeals.submitted",
                    context={
                        "reference": appeal.reference,
                        "title": appeal.title,
                        "deadline": appeal.deadline.strftime("%d.%m.%Y"),
                    },
                    url=appeal.get_absolute_url(),
                )
            else:
                notify_contact(appeal, _registered_text(appeal))
    except IntegrityError:
        existing = Appeal.objects.filter(
            registered_by=staff, idempotency_key=idempotency_key
        ).first()
        if existing is None:
            raise
        return existing, "", False
    return appeal, code, True


def registered_by_text(appeal: Appeal) -> str:
    """The public words for who registered it: the service, never the operator's name."""
    if appeal.channel == Channel.HOTLINE:
        return _("Registered by the hotline (hotline call).")
    if appeal.channel == Channel.LETTER:
        return _("Registered by a service centre (paper letter).")
    if appeal.channel == Channel.IN_PERSON:
        return _("Registered by a service centre (in person).")
    return ""


def _registered_text(appeal: Appeal) -> str:
    return _(
        "Your appeal %(reference)s is registered. The answer is due by %(deadline)s. "
        "Follow it at %(url)s"
    ) % {
        "reference": appeal.reference,
        "deadline": appeal.deadline.strftime("%d.%m.%Y"),
        "url": settings.SITE_URL + appeal.get_absolute_url(),
    }


def notify_contact(appeal: Appeal, text: str) -> bool:
    """E-mail `text` to an account-less author's contact, when they gave an e-mail.

    Returns False when there is no e-mail: staff answer by phone or post
    (the staff page says so). Sent after the transaction commits.
    """
    if appeal.author_id is not None:
        return False
    contact = AppealContact.objects.filter(appeal=appeal).first()
    if contact is None or not contact.email:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your appeal %(reference)s") % {"reference": appeal.reference}
    address = contact.email
    transaction.on_commit(lambda: send_mail(subject, text, None, [address], fail_silently=True))
    return True


def claim_refusal() -> str:
    """One message for every refused claim: nothing tells which part was wrong."""
    return _("This reference and code do not match an appeal you can claim.")


def appeal_claim(*, user, reference: str, code: str, keep_contact: bool = False) -> Appeal:
    """Attach an appeal staff registered without an account to `user`'s account.

    The code is single-use; a wrong reference, a wrong code and an appeal
    already claimed are refused with the same message. The row is locked, so
    two claims at once cannot both win. Unless `keep_contact`, the contact
    given for the answer is erased: from now on the account is the contact.
    """
    reference, code = reference.strip().upper(), _normal_code(code)
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update()
            .filter(reference=reference, author__isnull=True)
            .exclude(claim_code_hash="")
            .first()
        )
        if appeal is None or not code or not check_password(code, appeal.claim_code_hash):
            raise AppealError(claim_refusal())
        appeal.author = user
        appeal.claim_code_hash = ""
        appeal.save(update_fields=["author", "claim_code_hash", "updated_at"])
        AppealEvent.objects.create(
            appeal=appeal,
            action=Action.CLAIM,
            from_status=appeal.status,
            to_status=appeal.status,
            actor=user,
        )
        if not keep_contact:
            AppealContact.objects.filter(appeal=appeal).delete()
    return appeal
