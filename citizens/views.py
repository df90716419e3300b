from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from mycity.middleware import checks_own_input
from mycity.models import District

from . import onboarding, places, services
from .forms import LanguageForm, PriorityForm, ProfileForm, SavedPlaceForm, WelcomeForm
from .models import PriorityStatus
from .pagecache import kept_per_person
from .personal_data import privacy_pending


@kept_per_person
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
            "welcome_url": onboarding.welcome_url(reverse("citizens:cabinet")),
        },
    )


def _map_context() -> dict:
    districts = [
        {"id": d.pk, "name": d.name, "boundary": d.boundary}
        for d in District.objects.only("pk", "name", "boundary")
    ]
    return {
        "districts_geo": districts,
        "map": {
            "lat": settings.MAP_CENTER[0],
            "lon": settings.MAP_CENTER[1],
            "zoom": settings.MAP_ZOOM,
            "tiles": settings.MAP_TILE_URL,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
        },
    }


@login_required
def welcome(request):
    """The welcome step: home district and urgent alert channels, then on to `next`."""
    user = request.user
    target = onboarding.safe_next(
        request, request.POST.get("next") or request.GET.get("next")
    ) or reverse("citizens:cabinet")
    offered = onboarding.welcome_channels()
    form = WelcomeForm(
        request.POST or None,
        channels=offered,
        initial={"district": user.district_id, "channels": onboarding.alert_channels(user)},
    )
    if request.method == "POST":
        if "skip" in request.POST:
            onboarding.onboarding_finish(user=user)
            return redirect(target)
        if form.is_valid():
            onboarding.onboarding_finish(
                user=user,
                district=form.cleaned_data["district"],
                channels=form.cleaned_data["channels"],
            )
            messages.success(request, _("Saved. Alerts for your district will reach you."))
            if set(form.cleaned_data["channels"]) & {"webpush", "telegram"}:
                messages.info(
                    request,
                    _(
                        "Push notifications and Telegram start once you turn them on "
                        "for your device in the notification settings."
                    ),
                )
            return redirect(target)
    onboarding.onboarding_shown(user=user)
    return render(
        request,
        "citizens/welcome.html",
        {"form": form, "next": target, **_map_context()},
    )


@login_required
def profile_edit(request):
    user = request.user
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            form.save_changes()
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


# --- Saved places (/me/places/) ------------------------------------------------


def _place_save_from(form, *, user, place=None):
    """Save the form through the service; its refusals become the form's errors."""
    data = form.cleaned_data
    try:
        return places.place_save(
            user=user,
            label=data["label"],
            address=data.get("address", ""),
            latitude=data["latitude"],
            longitude=data["longitude"],
            place=place,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


def _place_page(request, form, *, place=None, status=200):
    mine = list(request.user.saved_places.select_related("district"))
    now = places.places_now(mine)
    return render(
        request,
        "citizens/places.html",
        {
            "places": [(p, now.get(p.pk, [])) for p in mine],
            "form": form,
            "editing": place,
            "can_add": place is not None or len(mine) < places.max_places(),
            "max_places": places.max_places(),
            **_map_context(),
        },
        status=status,
    )


@kept_per_person
@login_required
@checks_own_input  # a NUL byte or a lone surrogate in the name is the form's error
def places_list(request):
    """The person's saved places with what is happening at each now; add one."""
    form = SavedPlaceForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid() and _place_save_from(form, user=request.user):
            messages.success(request, _("The place is saved. We will tell you what happens there."))
            return redirect("citizens:places")
        return _place_page(request, form, status=400)
    return _place_page(request, form)


@login_required
@checks_own_input
def place_edit(request, pk: int):
    """Rename a place or move its point."""
    place = places.place_get(user=request.user, place_id=pk)
    initial = {
        "label": place.label,
        "address": place.address,
        "latitude": place.latitude,
        "longitude": place.longitude,
    }
    form = SavedPlaceForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid() and _place_save_from(form, user=request.user, place=place):
            messages.success(request, _("The place is saved."))
            return redirect("citizens:places")
        return _place_page(request, form, place=place, status=400)
    return _place_page(request, form, place=place)


@require_POST
@login_required
def place_remove(request, pk: int):
    place = places.place_get(user=request.user, place_id=pk)
    places.place_delete(user=request.user, place_id=place.pk)
    messages.success(request, _("The place “%(name)s” is removed.") % {"name": place.label})
    return redirect("citizens:places")
