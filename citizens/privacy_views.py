"""The privacy notice, and the cabinet's pages for one's own data: export and delete."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mycity.lib.downloads import private_file_response
from mycity.lib.ratelimit import rate_limited
from mycity.pages import page_for, page_html

from . import personal_data
from .models import DataExport


def privacy_notice(request):
    """The notice; a signed-in person who has not accepted this version may accept it here."""
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if personal_data.privacy_accept(user=request.user):
            messages.success(request, _("Thank you: the privacy notice is accepted."))
        return redirect("citizens:cabinet")
    # The text is the staff-edited page (mycity.pages); the version is the one accepted.
    page = page_for("privacy")
    return render(
        request,
        "citizens/privacy.html",
        {
            "page": page,
            "body": page_html(page),
            "version": settings.PRIVACY_NOTICE_VERSION,
            "pending": personal_data.privacy_pending(request.user),
        },
    )


@login_required
@rate_limited("data_export")
def data_export(request):
    if request.method == "POST":
        try:
            personal_data.data_export_request(user=request.user)
        except personal_data.PersonalDataError as exc:
            messages.error(request, str(exc))
            return redirect("citizens:data")
        messages.success(
            request,
            _("We are preparing the archive. You will get a notification with the link."),
        )
        return redirect("citizens:data")
    exports = [
        (export, personal_data.data_export_link(export) if export.file else "")
        for export in DataExport.objects.filter(user=request.user)[:5]
    ]
    return render(
        request,
        "citizens/data_export.html",
        {"exports": exports, "export_days": settings.DATA_EXPORT_DAYS},
    )


@login_required
def data_download(request, token):
    """The archive, for the person it belongs to, through a valid signed link only."""
    try:
        export = personal_data.data_export_for_token(token=token, user=request.user)
    except personal_data.PersonalDataError:
        raise Http404 from None
    stamp = export.created_at.strftime("%Y-%m-%d")
    return private_file_response(
        export.file, filename=f"my-city-data-{stamp}.zip", content_type="application/zip"
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=gettext_lazy("To be sure it is you."),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that this cannot be undone"), required=True
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password


@login_required
def account_delete(request):
    user = request.user
    form = AccountDeleteForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            personal_data.user_erase(user=user)
        except personal_data.PersonalDataError as exc:
            messages.error(request, str(exc))
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("home")
    return render(
        request,
        "citizens/account_delete.html",
        {
            "form": form,
            "refused": user.is_staff or user.is_superuser,
            "retention_years": settings.PRIVACY_RETENTION_YEARS,
        },
    )
