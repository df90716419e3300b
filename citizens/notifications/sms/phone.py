"""A person's phone for SMS: confirming it with a code sent by SMS.

The person gives a number; a 6-digit code goes to it by SMS; typing the code
back confirms that the number is theirs. Only then does it receive SMS, and
only while it stays their phone: a different User.phone (changed in the
profile) is not confirmed. The code is stored as a keyed hash, lasts
SMS_CODE_VALID_MINUTES, takes SMS_CODE_MAX_ATTEMPTS wrong tries, and a new
code can be asked for once every SMS_CODE_RESEND_SECONDS (and a few times an
hour per account, address and number: RATE_LIMITS["sms_code"]).
"""

import datetime as dt
import hmac
import logging
import secrets

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from phonenumber_field.phonenumber import to_python

from mycity.lib import ratelimit

from ...validators import validate_ukrainian_phone
from ..errors import NotificationError
from ..models import NotificationSettings, PhoneVerification
from . import SmsError, send_sms

logger = logging.getLogger(__name__)

CODE_SALT = "citizens.notifications.sms.code"
CODE_DIGITS = 6


def _hash(user_id: int, phone: str, code: str) -> str:
    # Keyed by SECRET_KEY and bound to the person and the number: a leaked
    # table row gives neither the code nor a code for another number.
    return salted_hmac(CODE_SALT, f"{user_id}:{phone}:{code}", algorithm="sha256").hexdigest()


def _normalise(raw) -> str:
    """The number in E.164, or NotificationError in the person's language."""
    number = to_python(raw, region="UA") if raw else None
    if number is None or not getattr(number, "is_valid", lambda: False)():
        raise NotificationError(_("Enter a Ukrainian phone number, for example +380 50 123 45 67."))
    try:
        validate_ukrainian_phone(number)
    except ValidationError as exc:
        raise NotificationError(exc.messages[0]) from None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def verified_phone(user) -> str | None:
    """The person's confirmed phone that is still their phone, or None."""
    row = PhoneVerification.objects.filter(user_id=user.pk).first()
    if row is None or not row.verified_phone or not user.phone:
        return None
    return str(row.verified_phone) if str(row.verified_phone) == str(user.phone) else None


def verified_phones(user_ids) -> dict[int, str]:
    """{user id: confirmed phone} of those among `user_ids` with one (one query)."""
    rows = PhoneVerification.objects.filter(
        user_id__in=list(user_ids),
        verified_phone__isnull=False,
        user__phone=F("verified_phone"),
        user__is_active=True,
    ).values_list("user_id", "verified_phone")
    return {user_id: str(phone) for user_id, phone in rows}


def with_verified_phone(users):
    """A User queryset narrowed to people whose phone is confirmed."""
    confirmed = PhoneVerification.objects.filter(
        user=OuterRef("pk"), verified_phone__isnull=False, verified_phone=OuterRef("phone")
    )
    return users.filter(Exists(confirmed))


def phone_verification_start(*, user, phone, request=None) -> PhoneVerification:
    """Send a confirmation code by SMS to `phone` for `user`.

    Refuses a number confirmed on another account, a new code sooner than
    SMS_CODE_RESEND_SECONDS after the last one, and more codes than
    RATE_LIMITS["sms_code"] allows per account, per address (with `request`)
    and per number. The SMS is sent before the code is saved: if the gateway
    fails, the previous code (if any) stays valid and nothing is counted.
    """
    number = _normalise(phone)
    now = timezone.now()
    if PhoneVerification.objects.filter(verified_phone=number).exclude(user=user).exists():
        raise NotificationError(_("This number is already confirmed on another account."))
    row, _created = PhoneVerification.objects.get_or_create(user=user)
    if row.verified_phone and str(row.verified_phone) == number == str(user.phone or ""):
        raise NotificationError(_("This number is already confirmed."))
    wait = settings.SMS_CODE_RESEND_SECONDS
    if row.code_sent_at and now - row.code_sent_at < dt.timedelta(seconds=wait):
        left = wait - int((now - row.code_sent_at).total_seconds())
        raise NotificationError(
            ngettext(
                "A code was sent a moment ago. You can ask for a new one in %(n)d second.",
                "A code was sent a moment ago. You can ask for a new one in %(n)d seconds.",
                left,
            )
            % {"n": left}
        )
    grant = ratelimit.Grant()
    try:
        if request is not None:
            grant = ratelimit.acquire(request, "sms_code")
        # Per number too: many accounts must not flood one person's phone.
        wait = ratelimit.hit(
            f"sms_code:number:{number}", settings.RATE_LIMITS["sms_code"]["account"]
        )
        if wait:
            raise ratelimit.RateLimitedError("sms_code", wait)
    except ratelimit.RateLimitedError as limited:
        grant.give_back()
        raise NotificationError(limited.message) from None

    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    # Short enough for one segment in Ukrainian too (70 characters in UCS-2).
    text = _("Code %(code)s to confirm your phone. Valid for %(minutes)s min.") % {
        "code": code,
        "minutes": settings.SMS_CODE_VALID_MINUTES,
    }
    try:
        send_sms(phone=number, text=text, reference=f"code-{user.pk}-{int(now.timestamp())}")
    except SmsError as exc:
        grant.give_back()
        logger.warning("phone confirmation code to user %s not sent: %s", user.pk, exc)
        raise NotificationError(
            _("The SMS could not be sent just now. Please try again in a few minutes.")
        ) from None
    row.phone = number
    row.code_hash = _hash(user.pk, number, code)
    row.code_sent_at = now
    row.code_expires_at = now + dt.timedelta(minutes=settings.SMS_CODE_VALID_MINUTES)
    row.attempts = 0
    row.save(update_fields=["phone", "code_hash", "code_sent_at", "code_expires_at", "attempts"])
    return row


def phone_verification_confirm(*, user, code: str) -> str:
    """Check the typed `code`; on success the number becomes the person's confirmed phone.

    Each wrong code counts; after SMS_CODE_MAX_ATTEMPTS the code is void and
    a new one must be asked for. The row is locked, so two quick tries
    cannot both use the last attempt; the count is committed before the
    refusal is raised (raising inside the transaction would undo it).
    Returns the confirmed number.
    """
    code = "".join(ch for ch in str(code) if not ch.isspace())
    try:
        with transaction.atomic():
            refusal = _check_code(user, code)
    except IntegrityError:  # another account confirmed the number at the same moment
        refusal = _("This number is already confirmed on another account.")
    if refusal:
        raise NotificationError(refusal)
    number = str(PhoneVerification.objects.get(user=user).verified_phone)
    if str(user.phone or "") != number:
        user.phone = number
        user.save(update_fields=["phone"])
    return number


def _check_code(user, code: str) -> str:
    """Confirm the number if `code` is right; otherwise record the try and return why not."""
    row = PhoneVerification.objects.select_for_update().filter(user=user).first()
    if row is None or not row.code_hash:
        return _("Ask for a code first.")
    now = timezone.now()
    if row.code_expires_at is None or row.code_expires_at <= now:
        _void(row)
        return _("This code has expired. Ask for a new one.")
    number = str(row.phone)
    if not (code.isdigit() and len(code) == CODE_DIGITS) or not hmac.compare_digest(
        _hash(user.pk, number, code), row.code_hash
    ):
        row.attempts += 1
        left = settings.SMS_CODE_MAX_ATTEMPTS - row.attempts
        if left <= 0:
            _void(row)
            return _("Too many wrong codes. Ask for a new one.")
        row.save(update_fields=["attempts"])
        return ngettext(
            "This is not the code we sent. %(n)d attempt left.",
            "This is not the code we sent. %(n)d attempts left.",
            left,
        ) % {"n": left}
    if PhoneVerification.objects.filter(verified_phone=number).exclude(user=user).exists():
        # Confirmed on another account between the code and now.
        _void(row)
        return _("This number is already confirmed on another account.")
    row.verified_phone = number
    row.verified_at = now
    row.code_hash = ""
    row.code_expires_at = None
    row.attempts = 0
    row.save(
        update_fields=["verified_phone", "verified_at", "code_hash", "code_expires_at", "attempts"]
    )
    return ""


def _void(row: PhoneVerification) -> None:
    row.code_hash = ""
    row.code_expires_at = None
    row.attempts = 0
    row.save(update_fields=["code_hash", "code_expires_at", "attempts"])


def phone_verification_remove(*, user) -> bool:
    """Stop SMS to the person's phone: forget the confirmation (the profile's phone stays)."""
    updated = PhoneVerification.objects.filter(user=user).filter(
        Q(verified_phone__isnull=False) | ~Q(code_hash="")
    )
    return bool(
        updated.update(verified_phone=None, verified_at=None, code_hash="", code_expires_at=None)
    )


def sms_fallback_set(*, user, enabled: bool) -> NotificationSettings:
    """Whether critical alerts that did not arrive by push come by SMS."""
    row, _created = NotificationSettings.objects.update_or_create(
        user=user, defaults={"sms_fallback": bool(enabled)}
    )
    return row


def sms_fallback_on(user) -> bool:
    row = NotificationSettings.objects.filter(user_id=user.pk).values_list("sms_fallback").first()
    return True if row is None else row[0]
