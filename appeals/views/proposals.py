"""Public proposals and their supports."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Value, When
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mycity.lib.pagination import EstimatedCountPaginator
from mycity.lib.ratelimit import rate_limited
from mycity.lib.replica import replica

from ..models import Appeal, Kind, ProposalSupport
from ..services.common import AppealError
from ..services.proposals import proposal_support, proposal_unsupport

PER_PAGE = 20
ROWS_TEMPLATE = "appeals/_proposal_rows.html"
SUPPORT_TEMPLATE = "appeals/_support.html"

SORTS = {
    "supported": gettext_lazy("Most supported"),
    "newest": gettext_lazy("Newest"),
    "ending": gettext_lazy("Ending soon"),
}
DEFAULT_SORT = "supported"


def _is_partial(request) -> bool:
    # A history restore wants the whole page, even though htmx asks for it.
    return bool(request.htmx) and not request.htmx.history_restore_request


def _proposals(user, sort: str):
    today = timezone.localdate()
    public = Appeal.objects.public()
    # A resident who has just supported a proposal reads it from the primary.
    if not user.is_authenticated:
        public = replica(public)
    proposals = (
        public.filter(kind=Kind.PROPOSAL)
        .select_related("category")
        # The long texts are not shown in the list.
        .defer("description", "search_text", "extra_answers")
    )
    if user.is_authenticated:
        # Whether the viewer supports each row, in the same query: no N+1.
        proposals = proposals.annotate(
            viewer_supports=Exists(ProposalSupport.objects.filter(appeal=OuterRef("pk"), user=user))
        )
    if sort == "newest":
        return proposals.order_by("-registered_at", "-pk")
    if sort == "ending":
        # Still collecting, the nearest end first; then those whose period is over.
        collecting = Case(
            When(support_until__gte=today, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return proposals.annotate(collecting=collecting).order_by(
            "collecting", F("support_until").asc(nulls_last=True), "-pk"
        )
    return proposals.order_by("-support_count", "-registered_at", "-pk")


def proposal_list(request):
    sort = request.GET.get("sort")
    if sort not in SORTS:
        sort = DEFAULT_SORT
    page = EstimatedCountPaginator(_proposals(request.user, sort), PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "sort": sort,
        "sorts": list(SORTS.items()),
        "default_threshold": settings.PROPOSAL_SUPPORT_THRESHOLD,
        "support_days": settings.PROPOSAL_SUPPORT_DAYS,
    }
    partial = _is_partial(request)
    response = render(request, ROWS_TEMPLATE if partial else "appeals/proposals.html", context)
    # The same URL answers with a page or a fragment: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _safe_next(request, fallback: str) -> str:
    url = request.POST.get("next") or ""
    # Only a path on this site: `next` comes from the form and could be forged.
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return fallback


@require_POST
@rate_limited("support")
def support(request, ref):
    appeal = get_object_or_404(
        Appeal.objects.visible_to(request.user).select_related("category"), reference=ref
    )
    if not request.user.is_authenticated:
        # Back to the proposal after signing in, not to this POST-only address.
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = redirect_to_login(appeal.get_absolute_url()).url
            return response
        return redirect_to_login(appeal.get_absolute_url())

    withdraw = request.POST.get("action") == "withdraw"
    error = message = ""
    try:
        if withdraw:
            appeal, changed = proposal_unsupport(appeal=appeal, user=request.user)
            message = (
                _("Your support is withdrawn.")
                if changed
                else _("You do not support this proposal.")
            )
        else:
            appeal, changed = proposal_support(appeal=appeal, user=request.user)
            message = (
                _("Thank you: your support is counted.")
                if changed
                else _("You already support this proposal.")
            )
    except AppealError as exc:
        error = str(exc)
    supported = ProposalSupport.objects.filter(appeal=appeal, user=request.user).exists()

    next_url = _safe_next(request, appeal.get_absolute_url())
    if request.htmx:
        return render(
            request,
            SUPPORT_TEMPLATE,
            {
                "appeal": appeal,
                "supported": supported,
                "support_message": message,
                "support_error": error,
                "support_next": next_url,
            },
        )
    if error:
        messages.error(request, error)
    elif changed:
        messages.success(request, message)
    else:
        messages.info(request, message)
    return redirect(next_url)
