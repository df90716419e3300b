"""Custom admin views for staff work on one appeal, and the staff dashboard.

Every view opens the appeal through the admin's own queryset (the staff
member's departments, or everything for moderators), so an appeal outside
that scope is a 404 here exactly as on the change page. Every write goes
through appeals.services.staff; a refusal (AppealError) is shown with
messages.error and the form keeps what was typed.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from citizens import services as citizens_services
from mycity.lib.cache import recomputed_once

from .admin_forms import (
    AcceptForm,
    ActionForm,
    AnonymousForm,
    AnswerForm,
    AssignForm,
    AttachmentsForm,
    ConfirmForm,
    ExtendForm,
    ForwardForm,
    MergeForm,
    NoteForm,
    QuestionForm,
    RedactForm,
    RejectForm,
    colleagues,  # noqa: F401 (kept importable here, where it lived)
)
from .models import Appeal, AppealPhoto, DuplicateFlag
from .services import AppealError
from .services import staff as staff_services
from .services.duplicates import duplicate_flag_dismiss
from .statistics import STATISTICS_DAYS, department_statistics
from .workflow import (
    ANSWERED_STATUSES,
    DEPARTMENT,
    HEAD,
    MODERATOR,
    WORKING_STATUSES,
    Action,
    Status,
    allowed,
)


def author_contacts(request, appeal: Appeal, role: str | None):
    """The author's contacts for the staff handling `appeal` (recorded), else None.

    Handling means acting on it as a moderator or as its department
    (staff_services.staff_role); anyone else who opens the page sees none.
    """
    if role is None or appeal.author_id is None:
        return None
    return citizens_services.contacts_disclose(
        viewer=request.user, person=appeal.author, case=f"appeals.appeal {appeal.reference}"
    )


# --- what each action does -------------------------------------------------------


def _changed(form, field):
    value = form.cleaned_data[field]
    return value if value != getattr(form.appeal, field) else None


def _accept(form, appeal, user):
    staff_services.appeal_accept(
        appeal=appeal,
        moderator=user,
        department=form.cleaned_data["department"],
        term_days=form.cleaned_data["term_days"],
        title=_changed(form, "title"),
        description=_changed(form, "description"),
    )


def _answer(form, appeal, user):
    staff_services.appeal_answer(
        appeal=appeal,
        staff=user,
        text=form.cleaned_data["text"],
        attachments=form.cleaned_data["attachments"],
        attachments_public=form.cleaned_data["attachments_public"],
    )


def _publish_files(form, appeal, user):
    chosen = set(form.cleaned_data["public"])
    for attachment in form.fields["public"].queryset:
        staff_services.answer_attachment_publish(
            attachment=attachment, staff=user, public=attachment in chosen
        )


@dataclass(frozen=True)
class StaffAction:
    key: str
    label: str
    form: type[ActionForm]
    run: Callable
    done: str
    # A workflow action: the transition table (workflow.allowed) and the law's
    # windows decide, as in the service. Otherwise `roles` and `statuses` (a
    # named set of workflow.py the service checks too; None: any status) do.
    workflow: str | None = None
    roles: frozenset = frozenset()
    statuses: frozenset | None = None
    # A further condition on the appeal the service also checks (e.g. only anonymous appeals).
    when: Callable[[Appeal], bool] | None = None

    def available(self, appeal: Appeal, role: str | None) -> bool:
        if role is None:
            return False
        if self.when is not None and not self.when(appeal):
            return False
        if self.workflow is not None:
            return allowed(self.workflow, appeal.status, role) and (
                staff_services.within_legal_window(appeal, self.workflow)
            )
        return role in self.roles and (self.statuses is None or appeal.status in self.statuses)

    @property
    def has_fields(self) -> bool:
        return bool(self.form.base_fields)


BOTH = frozenset({MODERATOR, DEPARTMENT})

ACTIONS = {
    a.key: a
    for a in [
        StaffAction(
            "accept",
            _("Accept and route"),
            AcceptForm,
            _accept,
            _("The request is accepted and routed."),
            workflow=Action.ACCEPT,
        ),
        StaffAction(
            "start",
            _("Start work"),
            ConfirmForm,
            lambda f, a, u: staff_services.appeal_start(appeal=a, staff=u),
            _("Work on the request has started."),
            workflow=Action.START,
        ),
        StaffAction(
            "answer",
            _("Answer"),
            AnswerForm,
            _answer,
            _("The official answer is sent."),
            workflow=Action.ANSWER,
        ),
        StaffAction(
            "files",
            _("Public answer files"),
            AttachmentsForm,
            _publish_files,
            _("The public answer files are saved."),
            roles=BOTH,
            statuses=ANSWERED_STATUSES,
        ),
        StaffAction(
            "assign",
            _("Assign"),
            AssignForm,
            lambda f, a, u: staff_services.appeal_assign(
                appeal=a, assignee=f.cleaned_data["assignee"], actor=u
            ),
            _("The request is assigned."),
            roles=BOTH,
            statuses=WORKING_STATUSES,
        ),
        StaffAction(
            "return",
            _("Ask the author for information"),
            QuestionForm,
            lambda f, a, u: staff_services.appeal_return(
                appeal=a, actor=u, question=f.cleaned_data["question"]
            ),
            _("The request is returned to the author with your question."),
            workflow=Action.RETURN,
        ),
        StaffAction(
            "extend",
            _("Extend the deadline"),
            ExtendForm,
            lambda f, a, u: staff_services.appeal_extend(
                appeal=a, actor=u, days=f.cleaned_data["days"], reason=f.cleaned_data["reason"]
            ),
            _("The deadline is extended."),
            workflow=Action.EXTEND,
        ),
        StaffAction(
            "forward",
            _("Forward to another body"),
            ForwardForm,
            lambda f, a, u: staff_services.appeal_forward(
                appeal=a, actor=u, body=f.cleaned_data["body"], comment=f.cleaned_data["comment"]
            ),
            _("The request is forwarded."),
            workflow=Action.FORWARD,
        ),
        StaffAction(
            "merge",
            _("Merge into another request"),
            MergeForm,
            lambda f, a, u: staff_services.appeal_merge(
                appeal=a, into=f.cleaned_data["into"], moderator=u
            ),
            _("The request is merged as a duplicate."),
            workflow=Action.MERGE,
        ),
        StaffAction(
            "reject",
            _("Reject"),
            RejectForm,
            lambda f, a, u: staff_services.appeal_reject(
                appeal=a,
                moderator=u,
                reason=f.cleaned_data["reason"],
                comment=f.cleaned_data["comment"],
            ),
            _("The request is rejected."),
            workflow=Action.REJECT,
        ),
        StaffAction(
            "anonymous",
            _("Leave without consideration: anonymous (Art. 8)"),
            AnonymousForm,
            lambda f, a, u: staff_services.appeal_close_anonymous(
                appeal=a, moderator=u, comment=f.cleaned_data["comment"]
            ),
            _("The anonymous request is left without consideration."),
            workflow=Action.CLOSE_ANONYMOUS,
            when=lambda a: a.is_anonymous,
        ),
        StaffAction(
            "close",
            _("Close"),
            ConfirmForm,
            lambda f, a, u: staff_services.appeal_close(appeal=a, actor=u),
            _("The request is closed."),
            workflow=Action.CLOSE,
        ),
        StaffAction(
            "redact",
            _("Edit out personal data"),
            RedactForm,
            lambda f, a, u: staff_services.appeal_redact(
                appeal=a,
                moderator=u,
                title=_changed(f, "title"),
                description=_changed(f, "description"),
            ),
            _("The public text is changed."),
            roles=frozenset({MODERATOR}),
        ),
        StaffAction(
            "note",
            _("Add an internal note"),
            NoteForm,
            lambda f, a, u: staff_services.appeal_note(
                appeal=a, author=u, text=f.cleaned_data["text"]
            ),
            _("The note is added."),
            roles=BOTH,
        ),
    ]
}


def change_url(appeal: Appeal) -> str:
    return reverse("admin:appeals_appeal_change", args=[appeal.pk])


def open_appeal(request, model_admin, object_id) -> tuple[Appeal, str | None]:
    """The appeal if it is in the admin's scope for this person (else 404) and their role."""
    queryset = model_admin.get_queryset(request).select_related("category", "department")
    try:
        appeal = queryset.get(pk=object_id)
    except (Appeal.DoesNotExist, ValueError, ValidationError):
        raise Http404(gettext("No such request.")) from None
    return appeal, staff_services.staff_role(request.user, appeal)


def user_roles(user, appeal: Appeal, role: str | None) -> set[str]:
    """Every role `user` holds on `appeal`: a moderator may also work in the department."""
    roles = {role} if role else set()
    if role == MODERATOR and (
        appeal.department.head_id == user.pk
        or appeal.department.members.filter(pk=user.pk).exists()
    ):
        roles.add(DEPARTMENT)
    if DEPARTMENT in roles and (
        appeal.department.head_id == user.pk
        or appeal.department.deputies.filter(pk=user.pk).exists()
    ):
        roles.add(HEAD)
    return roles


def available(spec: "StaffAction", appeal: Appeal, roles: set[str]) -> bool:
    return any(spec.available(appeal, role) for role in roles)


def panel_actions(request, appeal: Appeal, role: str | None) -> list[dict]:
    """The action panel: only what the workflow allows this person's roles from this status."""
    if not request.user.has_perm("appeals.change_appeal"):
        return []
    roles = user_roles(request.user, appeal, role)
    items = []
    for spec in ACTIONS.values():
        if available(spec, appeal, roles):
            form = spec.form(appeal=appeal, user=request.user, prefix=spec.key)
            items.append(
                {
                    "spec": spec,
                    "form": form,
                    "url": reverse("admin:appeals_appeal_action", args=[appeal.pk, spec.key]),
                    "templates": form.templates() if isinstance(form, AnswerForm) else (),
                }
            )
    return items


def appeal_action(request, model_admin, object_id, key):
    """One action of the panel: GET shows its form alone, POST calls the service."""
    spec = ACTIONS.get(key)
    if spec is None:
        raise Http404
    if not request.user.has_perm("appeals.change_appeal"):
        raise PermissionDenied
    appeal, role = open_appeal(request, model_admin, object_id)
    if not available(spec, appeal, user_roles(request.user, appeal, role)):
        messages.error(request, gettext("This action is not available for this request now."))
        return redirect(change_url(appeal))
    initial = {"template": request.GET.get("template")} if key == "answer" else None
    if request.method == "POST":
        form = spec.form(
            request.POST, request.FILES, appeal=appeal, user=request.user, prefix=spec.key
        )
        if form.is_valid():
            try:
                spec.run(form, appeal, request.user)
            except AppealError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, spec.done)
                return redirect(change_url(appeal))
    else:
        form = spec.form(appeal=appeal, user=request.user, prefix=spec.key, initial=initial)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": f"{spec.label}: {appeal.reference}",
        "appeal": appeal,
        "spec": spec,
        "form": form,
        "templates": form.templates() if isinstance(form, AnswerForm) else (),
        "change_url": change_url(appeal),
    }
    return TemplateResponse(request, "admin/appeals/appeal/action.html", context)


PHOTO_OPERATIONS = {
    "hide": ("photo_hide", _("The photo is hidden from the public.")),
    "remove": ("photo_remove", _("The photo is removed.")),
}


def photo_action(request, model_admin, object_id, photo_id, operation):
    """Hide or remove a photo before it goes public (moderators)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if operation not in PHOTO_OPERATIONS or not request.user.has_perm("appeals.change_appeal"):
        raise Http404
    appeal, role = open_appeal(request, model_admin, object_id)
    photo = get_object_or_404(AppealPhoto, pk=photo_id, appeal=appeal)
    if role != MODERATOR:
        messages.error(request, gettext("Only moderators change photos."))
        return redirect(change_url(appeal))
    name, done = PHOTO_OPERATIONS[operation]
    try:
        getattr(staff_services, name)(photo=photo, moderator=request.user)
    except AppealError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(change_url(appeal))


# --- likely duplicates ---------------------------------------------------------------


def duplicate_flags(request, model_admin, appeal: Appeal, role: str | None) -> list[dict]:
    """Open duplicate flags on `appeal` either way, for a moderator: the other appeal and actions.

    Only appeals the moderator's admin may open are named; "merge into" is offered
    where the workflow lets this person merge `appeal` now (its own panel's rule).
    """
    if role != MODERATOR or not request.user.has_perm("appeals.change_appeal"):
        return []
    flags = (
        DuplicateFlag.objects.filter(Q(appeal=appeal) | Q(other=appeal), dismissed_at__isnull=True)
        .select_related("appeal", "other")
        .order_by("pk")
    )
    scope = set(
        model_admin.get_queryset(request)
        .filter(pk__in=[pk for flag in flags for pk in (flag.appeal_id, flag.other_id)])
        .values_list("pk", flat=True)
    )
    can_merge = available(ACTIONS["merge"], appeal, user_roles(request.user, appeal, role))
    items = []
    for flag in flags:
        other = flag.other if flag.appeal_id == appeal.pk else flag.appeal
        if other.pk not in scope or Status.MERGED in (appeal.status, other.status):
            continue
        items.append(
            {
                "flag": flag,
                "other": other,
                "later": flag.appeal_id != appeal.pk,
                "url": change_url(other),
                "merge_url": (
                    reverse("admin:appeals_appeal_action", args=[appeal.pk, "merge"])
                    if can_merge and flag.appeal_id == appeal.pk
                    else ""
                ),
                "dismiss_url": reverse(
                    "admin:appeals_appeal_duplicate_dismiss", args=[appeal.pk, flag.pk]
                ),
            }
        )
    return items


def duplicate_dismiss(request, model_admin, object_id, flag_id):
    """A moderator dismisses a duplicate flag: the two appeals are not one problem."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.has_perm("appeals.change_appeal"):
        raise PermissionDenied
    appeal, role = open_appeal(request, model_admin, object_id)
    flag = get_object_or_404(
        DuplicateFlag.objects.filter(Q(appeal=appeal) | Q(other=appeal)), pk=flag_id
    )
    if role != MODERATOR:
        messages.error(request, gettext("Only moderators decide on duplicates."))
        return redirect(change_url(appeal))
    try:
        duplicate_flag_dismiss(flag=flag, moderator=request.user)
    except AppealError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, gettext("The duplicate flag is dismissed."))
    return redirect(change_url(appeal))


# --- the dashboard -------------------------------------------------------------------


# The dashboard's figures are computed at most once a minute for each scope of requests.
DASHBOARD_CACHE_SECONDS = 60


def dashboard(request, model_admin):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    appeals = model_admin.get_queryset(request)
    # Keyed by the scope's own SQL: people who see the same requests share the figures.
    scope = hashlib.sha256(str(appeals.query).encode()).hexdigest()[:32]
    key = f"appeals:dashboard:{timezone.localdate().isoformat()}:{scope}"
    computed_at, rows = recomputed_once(
        key, DASHBOARD_CACHE_SECONDS, lambda: (timezone.now(), department_statistics(appeals))
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": gettext("Requests dashboard"),
        "days": STATISTICS_DAYS,
        "rows": rows,
        "computed_at": computed_at,
    }
    return TemplateResponse(request, "admin/appeals/dashboard.html", context)
