from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from . import services
from .forms import LanguageForm, PriorityForm, ProfileForm
from .models import PriorityStatus
from .personal_data import privacy_pending


@login_required
def cabinet(request):
    user = request.user
    return render(
        request,
        "citizens/cabinet.html",
        {
            "mfa_enabled": is_mfa_enabled(user),
            "email_verified": user.emailaddress_set.filter(verified=True, primary=True).exists(),
            "privacy_pending": privacy_pending(user),
        },
    )


@login_required
def profile_edit(request):
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(
                user=user, **{name: form.cleaned_data[name] for name in form.changed_data}
            )
        except services.CitizenError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("citizens:cabinet")
    return render(request, "citizens/profile_form.html", {"form": form})


@login_required
def priority(request):
    """Declare, change or withdraw a priority status (Art. 20); staff verify it."""
    current = PriorityStatus.objects.filter(user=request.user).first()
    initial = {"category": current.category, "document": current.document} if current else None
    form = PriorityForm(initial=initial)
    if request.method == "POST":
        if "withdraw" in request.POST:
            services.priority_withdraw(user=request.user)
            messages.success(request, _("Your priority status is withdrawn."))
            return redirect("citizens:priority")
        form = PriorityForm(request.POST)
        if form.is_valid():
            try:
                services.priority_declare(user=request.user, **form.cleaned_data)
            except services.CitizenError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, _("Your priority status is declared; staff will verify it.")
                )
                return redirect("citizens:priority")
    return render(request, "citizens/priority.html", {"form": form, "current": current})


@csrf_exempt
@require_POST
def set_language(request):
    """Django's set_language, also remembering the choice in a signed-in person's profile.

    The switch is on every page. For anonymous visitors it carries no CSRF
    token, so public pages stay the same for everyone and can be cached
    (mycity/pagecache.py): a forged switch could only change a visitor's
    language cookie. Saving a signed-in person's profile keeps the check.
    """
    if request.user.is_authenticated:
        return _set_language_signed_in(request)
    return django_set_language(request)


@csrf_protect
def _set_language_signed_in(request):
    form = LanguageForm(request.POST)
    if form.is_valid():
        services.user_set_language(user=request.user, language=form.cleaned_data["language"])
    return django_set_language(request)
