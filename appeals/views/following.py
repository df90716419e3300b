"""The appeal page, following, the author's actions on it, and "My requests".

Thin views: form → service → redirect (or, for htmx, the part of the page
that changed). Who may see what is decided in appeals.selectors.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from citizens.pagecache import kept_per_person
from mycity.lib.ratelimit import rate_limited

from .. import photos as photo_rules
from .. import selectors
from ..forms import MultipleFileField, MultipleFileInput
from ..models import Kind, ProposalSupport
from ..services.common import AppealError
from ..services.following import (
    appeal_add_info,
    appeal_follow,
    appeal_rate,
    appeal_reopen,
    appeal_unfollow,
    rating_refusal,
    reopen_refusal,
)
from ..workflow import AUTHOR_CAN_ADD, Status

PAGE_TEMPLATE = "appeals/detail.html"
APPEAL_PARTIAL = "appeals/_appeal.html"
FOLLOW_PARTIAL = "appeals/_follow.html"
SUPPORT_TEMPLATE = "appeals/_support.html"


# --- Forms -------------------------------------------------------------------


class MultiplePhotoField(MultipleFileField):
    """Up to MAX_PHOTOS photos; each is checked by photos.clean_photo in the service."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        cleaned = super().clean(data, initial)
        if len(cleaned) > photo_rules.MAX_PHOTOS:
            raise forms.ValidationError(
                _("You can attach up to %(n)d photos.") % {"n": photo_rules.MAX_PHOTOS}
            )
        return cleaned


class AddInfoForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("What would you like to add?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    photos = MultiplePhotoField(
        label=gettext_lazy("Photos"),
        required=False,
        help_text=gettext_lazy("Up to 5 photos, each up to 10 MB."),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("text", "").strip() and not data.get("photos"):
            raise forms.ValidationError(_("Write something or attach a photo."))
        return data


class RateForm(forms.Form):
    score = forms.TypedChoiceField(
        label=gettext_lazy("How good is the answer?"),
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        coerce=int,
        # Bootstrap's toggle buttons: plain radios underneath, so no JavaScript is needed.
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("What is still not fixed?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- The appeal page ---------------------------------------------------------


def _is_partial(request) -> bool:
    # A history restore wants the whole page, even though htmx asks for it.
    return bool(request.htmx) and not request.htmx.history_restore_request


def _support_context(appeal) -> dict:
    """The proposals' support box, when that template exists (public or awaiting moderation)."""
    if appeal.kind != Kind.PROPOSAL:
        return {}
    if not (selectors.is_public(appeal) or appeal.status == Status.MODERATION):
        return {}
    try:
        select_template([SUPPORT_TEMPLATE])
    except TemplateDoesNotExist:
        return {}
    viewer = appeal.viewer
    supported = viewer.is_resident and getattr(appeal, "viewer_supports", None)
    if supported is None:  # an appeal not loaded by get_appeal_for_user
        supported = ProposalSupport.objects.filter(appeal=appeal, user=viewer.user).exists()
    return {"support_template": SUPPORT_TEMPLATE, "supported": supported}


def _author_forms(appeal, bound: dict) -> dict:
    """The author's forms that apply to the appeal now (a bound one keeps what was typed)."""
    if not appeal.viewer.is_author:
        return {}
    found = {}
    if appeal.status in AUTHOR_CAN_ADD:
        found["add_info_form"] = bound.get("add_info") or AddInfoForm()
    if rating_refusal(appeal) is None:
        found["rate_form"] = bound.get("rate") or RateForm()
    if reopen_refusal(appeal) is None:
        found["reopen_form"] = bound.get("reopen") or ReopenForm()
    return found


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def _render_appeal(request, appeal, *, bound: dict | None = None):
    context = selectors.appeal_page(appeal)
    context.update(_author_forms(appeal, bound or {}))
    context.update(_support_context(appeal))
    context["absolute_url"] = settings.SITE_URL + appeal.get_absolute_url()
    context["og_image_url"] = (
        _absolute(context["og_photo"].get_absolute_url()) if context["og_photo"] else ""
    )
    partial = _is_partial(request)
    context["partial"] = partial
    response = render(request, APPEAL_PARTIAL if partial else PAGE_TEMPLATE, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@kept_per_person
def detail(request, ref):
    appeal = selectors.get_appeal_for_user(request.user, ref)
    return _render_appeal(request, appeal)


def _after_action(request, ref, *, bound: dict | None = None):
    """Back to the page: a redirect, or for htmx the updated appeal in place."""
    if _is_partial(request) or bound:
        appeal = selectors.get_appeal_for_user(request.user, ref)
        return _render_appeal(request, appeal, bound=bound)
    return redirect("appeals:detail", ref=ref)


@login_required
@require_POST
@rate_limited("message")
def add_info(request, ref):
    appeal = selectors.get_appeal_for_user(request.user, ref)
    form = AddInfoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Nothing was added yet: please correct the marked fields."))
        return _after_action(request, ref, bound={"add_info": form})
    try:
        appeal_add_info(
            appeal=appeal,
            author=request.user,
            text=form.cleaned_data["text"],
            photos=form.cleaned_data["photos"],
        )
    except AppealError as exc:
        messages.error(request, str(exc))
        return _after_action(request, ref, bound={"add_info": form})
    messages.success(request, _("Thank you: your information is added to the request."))
    return _after_action(request, ref)


@login_required
@require_POST
def rate(request, ref):
    appeal = selectors.get_appeal_for_user(request.user, ref)
    form = RateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose from 1 to 5 stars."))
        return _after_action(request, ref, bound={"rate": form})
    try:
        appeal_rate(
            appeal=appeal,
            author=request.user,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        )
    except AppealError as exc:
        messages.error(request, str(exc))
        return _after_action(request, ref)
    messages.success(request, _("Thank you for rating the answer."))
    return _after_action(request, ref)


@login_required
@require_POST
def reopen(request, ref):
    appeal = selectors.get_appeal_for_user(request.user, ref)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tell the city what is still wrong."))
        return _after_action(request, ref, bound={"reopen": form})
    try:
        appeal_reopen(appeal=appeal, author=request.user, reason=form.cleaned_data["reason"])
    except AppealError as exc:
        messages.error(request, str(exc))
        return _after_action(request, ref)
    messages.success(request, _("The request is reopened and goes back to the department."))
    return _after_action(request, ref)


# --- Following ---------------------------------------------------------------


def _safe_next(request) -> str | None:
    url = request.POST.get("next", "")
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


@login_required
@require_POST
def follow(request, ref):
    # Private and not yet accepted appeals cannot be followed: 404, as for a stranger.
    appeal = selectors.get_public_appeal_for_user(request.user, ref)
    partial = _is_partial(request)
    error = None
    try:
        if request.POST.get("action") == "unfollow":
            appeal_unfollow(appeal=appeal, user=request.user)
            done = _("You no longer follow this request.")
        else:
            appeal_follow(appeal=appeal, user=request.user)
            done = _("You follow this request: we will tell you when its status changes.")
    except AppealError as exc:
        error = str(exc)
        if not partial:
            messages.error(request, error)
    else:
        if not partial:
            messages.success(request, done)
    if partial:
        context = selectors.follow_context(appeal)
        context["follow_error"] = error
        return render(request, FOLLOW_PARTIAL, context)
    return redirect(_safe_next(request) or appeal.get_absolute_url())


# --- My requests -------------------------------------------------------------


@kept_per_person
@login_required
def my_requests(request):
    context = selectors.my_requests_page(
        request.user,
        page=request.GET.get("page"),
        following_page=request.GET.get("following_page"),
    )
    return render(request, "appeals/mine.html", context)
