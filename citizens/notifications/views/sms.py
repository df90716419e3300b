"""SMS: the cabinet page that confirms a phone by a code, and the push receipt."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .. import sms
from ..errors import NotificationError
from ..forms import PhoneCodeForm, PhoneForm
from ..models import PhoneVerification
from ..sms import fallback, phone

TEMPLATE = "citizens/notifications/sms.html"


def _sms_required(view):
    """404 on a site without an SMS gateway: the channel does not exist there."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not sms.is_configured():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _page(request, *, phone_form=None, code_form=None, status=200):
    user = request.user
    row = PhoneVerification.objects.filter(user=user).first()
    confirmed = phone.verified_phone(user)
    waiting = (
        row is not None
        and bool(row.code_hash)
        and row.code_expires_at is not None
        and row.code_expires_at > timezone.now()
    )
    initial = str(row.phone) if waiting else str(user.phone or "")
    return render(
        request,
        TEMPLATE,
        {
            "confirmed_phone": confirmed,
            "stale_phone": (
                row.verified_phone
                if row is not None and row.verified_phone and not confirmed
                else None
            ),
            "pending_phone": row.phone if waiting else None,
            "code_expires_at": row.code_expires_at if waiting else None,
            "phone_form": phone_form or PhoneForm(initial={"phone": initial}),
            "code_form": code_form or PhoneCodeForm(),
            "fallback_on": phone.sms_fallback_on(user),
            "fallback_minutes": settings.SMS_FALLBACK_AFTER_MINUTES if fallback.is_active() else 0,
        },
        status=status,
    )


@_sms_required
@login_required
def phone_page(request):
    """The phone for SMS: send a code to a number (POST), or show the page."""
    if request.method != "POST":
        return _page(request)
    form = PhoneForm(request.POST)
    if not form.is_valid():
        return _page(request, phone_form=form, status=400)
    try:
        phone.phone_verification_start(
            user=request.user, phone=form.cleaned_data["phone"], request=request
        )
    except NotificationError as exc:
        form.add_error("phone", str(exc))
        return _page(request, phone_form=form, status=400)
    messages.success(request, _("We sent a code by SMS. Type it below."))
    return redirect("notifications:sms")


@_sms_required
@login_required
@require_POST
def phone_confirm(request):
    form = PhoneCodeForm(request.POST)
    if not form.is_valid():
        return _page(request, code_form=form, status=400)
    try:
        phone.phone_verification_confirm(user=request.user, code=form.cleaned_data["code"])
    except NotificationError as exc:
        form.add_error("code", str(exc))
        return _page(request, code_form=form, status=400)
    messages.success(
        request,
        _("Your phone is confirmed. Choose below which messages come to it by SMS."),
    )
    return redirect("notifications:settings")


@_sms_required
@login_required
@require_POST
def phone_remove(request):
    if phone.phone_verification_remove(user=request.user):
        messages.success(request, _("SMS no longer go to your phone."))
    return redirect("notifications:sms")


@_sms_required
@login_required
@require_POST
def fallback_set(request):
    enabled = request.POST.get("sms_fallback") == "on"
    phone.sms_fallback_set(user=request.user, enabled=enabled)
    if enabled:
        messages.success(request, _("Critical alerts that do not arrive by push come by SMS."))
    else:
        messages.success(request, _("Critical alerts will not come by SMS unless you chose SMS."))
    return redirect("notifications:sms")


# The service worker acknowledges a push it received (static/js/sw.js): no
# session and no CSRF token, the per-row token in the path authorises it.
@csrf_exempt
@require_POST
def push_received(request, delivery_id, token):
    if not fallback.push_receipt_record(delivery_id=delivery_id, token=token):
        raise Http404
    return HttpResponse(status=204)
