"""Applying online, following an application, its receipt and its documents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citizens.pagecache import kept_per_person
from mycity.lib.ratelimit import rate_limited

from .. import policies, selectors
from ..downloads import document_response, receipt_response
from ..forms import ApplicationForm, MessageForm, PublicRequestForm
from ..models import Application, Service
from ..services import (
    ServiceError,
    application_submit,
    application_transition,
    public_request_submit,
)
from ..services import application_write as write_to_officer
from ..workflow import Action


@login_required
@require_http_methods(["GET", "POST"])
@rate_limited("application")
def apply(request, slug):
    service = get_object_or_404(
        Service.objects.active().select_related("category", "department"), slug=slug
    )
    if not service.online:
        messages.info(request, _("This service cannot be applied for online. Book a visit."))
        return redirect(service)
    specs = list(service.fields.all())
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES, service=service, specs=specs)
        if form.is_valid():
            try:
                application, _created = application_submit(
                    applicant=request.user, service=service, **form.submit_kwargs()
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _(
                        "Your application %(reference)s is received. You can download "
                        "the receipt below."
                    )
                    % {"reference": application.reference},
                )
                return redirect(application)
    else:
        form = ApplicationForm(service=service, specs=specs)
    return render(
        request,
        "services/apply.html",
        {
            "service": service,
            "form": form,
            "files_lost": form.is_bound and bool(request.FILES),
        },
    )


@require_http_methods(["GET", "POST"])
@rate_limited("public_request")
def request_without_account(request, slug):
    """A request for public information without an account (Art. 19)."""
    service = get_object_or_404(
        Service.objects.active()
        .filter(public_information=True, online=True)
        .select_related("category", "department"),
        slug=slug,
    )
    specs = [spec for spec in service.fields.all() if spec.type != "file"]
    if request.method == "POST":
        form = PublicRequestForm(request.POST, service=service, specs=specs)
        if form.is_valid():
            try:
                application = public_request_submit(
                    service=service,
                    language=(get_language() or "uk")[:2],
                    **form.public_kwargs(),
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                return render(
                    request,
                    "services/request_received.html",
                    {"service": service, "application": application},
                )
        return render(
            request,
            "services/request_anonymous.html",
            {"service": service, "form": form},
            status=400,
        )
    form = PublicRequestForm(service=service, specs=specs)
    return render(request, "services/request_anonymous.html", {"service": service, "form": form})


def _page(request, application, *, message_form=None, status=200):
    return render(
        request,
        "services/application.html",
        {
            "application": application,
            "is_applicant": policies.is_applicant(application, request.user),
            "message_form": message_form or MessageForm(),
            "can_write": policies.can_write(application, request.user),
            "needs_correction": policies.needs_correction(application),
            "can_withdraw": policies.can_withdraw(application, request.user),
        },
        status=status,
    )


@login_required
@require_GET
def application_detail(request, ref):
    application = selectors.get_application_for_user(request.user, ref)
    return _page(request, application)


@login_required
@require_POST
@rate_limited("message")
def application_write(request, ref):
    """A message (and files) from the applicant; on a returned application, the correction."""
    application = selectors.get_application_for_user(request.user, ref)
    if application.applicant_id != request.user.pk:
        raise Http404("Officers write from the administration.")
    form = MessageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            corrected = write_to_officer(
                application=application,
                applicant=request.user,
                body=form.cleaned_data["body"],
                documents=form.cleaned_data["files"],
            )
            messages.success(
                request,
                _("Thank you. The application is back with the officer.")
                if corrected
                else _("Your message is sent."),
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(application)
    return _page(request, application, message_form=form, status=400)


@login_required
@require_POST
def application_withdraw(request, ref):
    application = selectors.get_application_for_user(request.user, ref)
    try:
        application_transition(application=application, action=Action.WITHDRAW, actor=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The application is withdrawn."))
    return redirect(application)


@login_required
@require_GET
def receipt(request, ref):
    return receipt_response(selectors.get_application_for_user(request.user, ref))


@login_required
@require_GET
def document(request, pk):
    """A private document, only through this check: never a public media URL."""
    return document_response(selectors.get_document_for_user(request.user, pk))


@kept_per_person
@login_required
@require_GET
def mine(request):
    """My applications and my visits (/me/services/)."""
    applications = list(
        Application.objects.filter(applicant=request.user)
        .select_related("service")
        .order_by("-submitted_at")[:50]
    )
    from ..models import Appointment

    appointments = list(
        Appointment.objects.filter(resident=request.user)
        .select_related("service", "centre")
        .order_by("-starts_at")[:50]
    )
    return render(
        request,
        "services/mine.html",
        {"applications": applications, "appointments": appointments},
    )
