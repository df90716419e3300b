"""A resident claims an appeal staff registered for them without an account (Art. 5)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mycity.lib.ratelimit import rate_limited

from ..services.common import AppealError
from ..services.registration import appeal_claim


class ClaimForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Reference"),
        max_length=20,
        help_text=gettext_lazy("As on your receipt, for example KH-2026-000123."),
    )
    code = forms.CharField(label=gettext_lazy("Claim code"), max_length=20)
    keep_contact = forms.BooleanField(
        label=gettext_lazy("Keep the phone and address I gave for the answer"),
        required=False,
        help_text=gettext_lazy("Otherwise they are erased: your account is the contact."),
    )


@login_required
@rate_limited("appeal_claim")
def claim(request):
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal = appeal_claim(
                user=request.user,
                reference=data["reference"],
                code=data["code"],
                keep_contact=data["keep_contact"],
            )
        except AppealError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The request is now in your account."))
            return redirect(appeal.get_absolute_url())
    # A refused claim answers 200, not 4xx: the rate limit gives back refused
    # attempts (mycity.lib.ratelimit), and guessing codes must use it up.
    return render(request, "appeals/claim.html", {"form": form})
