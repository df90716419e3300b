"""Staff register an oral or paper appeal for a resident (Art. 5), and print its receipt.

Thin admin views: the form is checked here, every rule is in
appeals.services.registration. Only staff with appeals.register_appeal in
a session that passed two-factor authentication reach them.
"""

import uuid

import phonenumbers
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from citizens import services as citizens_services
from citizens.access import has_staff_powers

from .models import Appeal, AppealContact, Category, Kind
from .services.common import AppealError
from .services.registration import STAFF_CHANNELS, appeal_register

CLAIM_CODES_SESSION_KEY = "appeals_claim_codes"


def _require(request) -> None:
    user = request.user
    if not (has_staff_powers(user) and user.has_perm("appeals.register_appeal")):
        raise PermissionDenied


class RegisterForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Received by"),
        choices=[(c.value, c.label) for c in STAFF_CHANNELS],
    )
    received_at = forms.DateTimeField(
        label=_("Received on"),
        help_text=_("For a paper letter, the day it arrived: the term counts from it."),
    )
    full_name = forms.CharField(label=_("Resident's surname, name and patronymic"), max_length=150)
    residence = forms.CharField(
        label=_("Place of residence (settlement and street)"), max_length=200
    )
    account = forms.CharField(
        label=_("Resident's account (e-mail or phone)"),
        required=False,
        max_length=254,
        help_text=_("If they have an account: they become the author and are told as usual."),
    )
    phone = forms.CharField(label=_("Phone for the answer"), required=False, max_length=32)
    postal_address = forms.CharField(
        label=_("Postal address for the answer"), required=False, max_length=250
    )
    email = forms.EmailField(label=_("E-mail for the answer"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True)
    )
    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(label=_("Text"), max_length=5000, widget=forms.Textarea)
    address = forms.CharField(label=_("Address of the place"), required=False, max_length=250)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def clean_account(self):
        value = self.cleaned_data["account"].strip()
        if not value:
            return None
        users = get_user_model().objects.filter(is_active=True, is_staff=False)
        if "@" in value:
            found = users.filter(email__iexact=value).first()
        else:
            try:
                number = phonenumbers.parse(value, "UA")
            except phonenumbers.NumberParseException:
                number = None
            e164 = number and phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.E164
            )
            found = users.filter(phone=e164).first() if e164 else None
        if found is None:
            raise forms.ValidationError(gettext("No resident's account has this e-mail or phone."))
        return found


def register(request, *, model_admin):
    _require(request)
    if request.method == "POST":
        form = RegisterForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                appeal, code, created = appeal_register(
                    staff=request.user,
                    channel=data["channel"],
                    full_name=data["full_name"],
                    residence=data["residence"],
                    resident=data["account"],
                    phone=data["phone"],
                    postal_address=data["postal_address"],
                    email=data["email"],
                    received_at=data["received_at"],
                    kind=data["kind"],
                    category=data["category"],
                    title=data["title"],
                    description=data["description"],
                    address=data["address"],
                    idempotency_key=data["idempotency_key"],
                )
            except AppealError as exc:
                messages.error(request, str(exc))
            else:
                if code:
                    # Shown once, on the receipt; only its hash is stored.
                    codes = request.session.get(CLAIM_CODES_SESSION_KEY, {})
                    codes[appeal.reference] = code
                    request.session[CLAIM_CODES_SESSION_KEY] = codes
                if created:
                    messages.success(
                        request,
                        gettext("Registered as %(reference)s.") % {"reference": appeal.reference},
                    )
                return redirect("admin:appeals_appeal_receipt", appeal.reference)
    else:
        form = RegisterForm(
            initial={"received_at": timezone.localtime(), "idempotency_key": uuid.uuid4()}
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": gettext("Register an oral or paper appeal"),
        "form": form,
    }
    return TemplateResponse(request, "admin/appeals/appeal/register.html", context)


def receipt(request, reference, *, model_admin):
    """The printable receipt: the claim code only the first time it is opened."""
    _require(request)
    appeal = get_object_or_404(Appeal, reference=reference, registered_by__isnull=False)
    if appeal.registered_by_id != request.user.pk and not request.user.has_perm(
        "appeals.moderate_appeal"
    ):
        raise PermissionDenied
    codes = request.session.get(CLAIM_CODES_SESSION_KEY, {})
    code = codes.pop(reference, "")
    request.session[CLAIM_CODES_SESSION_KEY] = codes
    context = {
        "appeal": appeal,
        "claim_code": code,
        "follow_url": request.build_absolute_uri(reverse("appeals:claim")),
        "title": gettext("Receipt of appeal %(reference)s") % {"reference": reference},
    }
    response = TemplateResponse(request, "admin/appeals/appeal/receipt.html", context)
    response["Cache-Control"] = "no-store"
    return response


def answer_contact(request, appeal: Appeal, role: str | None) -> AppealContact | None:
    """The contact for the answer, for the staff handling an account-less appeal (recorded)."""
    if role is None or appeal.author_id is not None:
        return None
    contact = AppealContact.objects.filter(appeal=appeal).select_related("appeal").first()
    if contact is not None:
        citizens_services.contacts_disclose_without_account(
            viewer=request.user,
            name=appeal.author_full_name,
            case=f"appeals.appeal {appeal.reference}",
        )
    return contact
