"""Admin for the catalogue, applications (department-scoped) and the day's visits.

Applications and appointments are never edited through a ModelAdmin form:
their change pages are read-only, and every change goes through the action
panel, the bulk actions and the day's schedule, which call services.services.
Scoping by department is in `get_queryset`, which every custom view uses too.
"""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from citizens.services import contacts_disclose, user_verify_resident

from .forms import DocumentsField
from .models import (
    Application,
    ApplicationEvent,
    Appointment,
    CentreException,
    Document,
    FormField,
    OpeningHours,
    Service,
    ServiceCategory,
    ServiceCentre,
)
from .services import (
    ServiceError,
    application_message,
    application_transition,
    appointment_cancel,
    appointment_mark,
    needs_post,
    requester_post_record,
)
from .workflow import OFFICER_ACTIONS, Action, may_extend, needs_reason, officer_actions_from


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(TranslationAdmin):
    list_display = ["name", "slug", "ordering"]
    search_fields = ["name_uk", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


class CentreExceptionInline(TranslationTabularInline):
    model = CentreException
    extra = 0
    fields = ["date", "reason", "opens", "closes", "note"]

    def get_queryset(self, request):
        # Past exceptions only clutter the form.
        return super().get_queryset(request).filter(date__gte=timezone.localdate())


@admin.register(ServiceCentre)
class ServiceCentreAdmin(TranslationAdmin):
    list_display = ["name", "address", "phone", "slot_minutes", "slot_capacity", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name_uk", "name_en", "address_uk", "address_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [OpeningHoursInline, CentreExceptionInline]


class FormFieldInline(TranslationStackedInline):
    model = FormField
    extra = 0
    fields = [
        ("ordering", "code", "type", "required", "max_files"),
        "label",
        "help_text",
        "choices",
        ("min_value", "max_value"),
        ("pattern", "pattern_message"),
    ]


def _with_field_labels(application, documents) -> list:
    """The documents, each with the question of the form it was given for (several
    files may answer one question: both pages of a passport)."""
    language = "en" if get_language() == "en" else "uk"
    labels = {}
    for item in application.answers or []:
        label = item.get("label") or {}
        labels[item.get("code")] = label.get(language) or label.get("uk", "")
    documents = list(documents)
    for document in documents:
        document.field_label = labels.get(document.field_code, "")
    return documents


@admin.register(Service)
class ServiceAdmin(TranslationAdmin):
    list_display = [
        "name",
        "category",
        "department",
        "processing_days",
        "fee",
        "online",
        "bookable",
        "is_active",
    ]
    list_filter = ["category", "department", "online", "bookable", "is_active"]
    list_select_related = ["category", "department"]
    search_fields = ["name_uk", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    filter_horizontal = ["centres"]
    inlines = [FormFieldInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "category", "department", "summary", "who_may_apply"]}),
        (
            _("Documents, fee and terms"),
            {
                "fields": [
                    "documents",
                    ("fee", "fee_note"),
                    ("processing_days", "urgent_hours", "extension_days"),
                    "legal_basis",
                ]
            },
        ),
        (
            _("How it is received"),
            {"fields": ["centres", ("online", "bookable", "is_active"), "ordering"]},
        ),
    ]


# --- applications ------------------------------------------------------------------


class ScopedAdmin(admin.ModelAdmin):
    """Staff see only their departments' rows; the rows are never edited by a form."""

    def get_queryset(self, request):
        return super().get_queryset(request).for_officer(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + list(self.extra_readonly)

    extra_readonly: tuple = ()


class ActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, Action(a).label) for a in OFFICER_ACTIONS])
    reason = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)


class PostedForm(forms.Form):
    what = forms.CharField(
        label=_("What was sent by post"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text=_("For example: the answer, registered letter No. …; a notice of extension."),
    )


class OfficerMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message to the applicant"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = DocumentsField(label=_("Files (the answer, a certificate)"))


@admin.register(Application)
class ApplicationAdmin(ScopedAdmin):
    list_display = [
        "reference",
        "service",
        "applicant_name",
        "status",
        "due",
        "submitted_at",
        "assignee",
    ]
    list_filter = ["status", "urgent", "urgent_ground", "service", "department"]
    list_select_related = ["service", "applicant", "assignee"]
    search_fields = ["reference", "applicant__email", "applicant__full_name"]
    date_hierarchy = "submitted_at"
    ordering = ["due_at"]
    actions = ["take_into_work"]
    change_form_template = "admin/services/application/change_form.html"
    list_per_page = 50

    @admin.display(description=_("applicant"), ordering="applicant__full_name")
    def applicant_name(self, obj):
        # Contacts (the e-mail among them) are shown on the application's own page.
        if obj.applicant is None:
            return gettext("without an account")
        return obj.applicant.full_name or obj.applicant.public_name

    @admin.display(description=_("due"), ordering="due_at")
    def due(self, obj):
        text = timezone.localtime(obj.due_at).strftime("%d.%m.%Y")
        if obj.is_overdue:
            return format_html('<strong class="overdue">{} ⚠ {}</strong>', text, gettext("overdue"))
        return text

    @admin.action(description=_("Take the selected applications into work"))
    def take_into_work(self, request, queryset):
        done = 0
        for application in queryset.filter(status="submitted"):
            try:
                application_transition(
                    application=application, action=Action.START, actor=request.user
                )
                done += 1
            except ServiceError as exc:
                self.message_user(request, f"{application}: {exc}", messages.ERROR)
        self.message_user(
            request, gettext("Taken into work: %(n)d.") % {"n": done}, messages.SUCCESS
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/act/",
                self.admin_site.admin_view(self.act_view),
                name="services_application_act",
            ),
            path(
                "<int:pk>/write/",
                self.admin_site.admin_view(self.write_view),
                name="services_application_write",
            ),
            path(
                "<int:pk>/posted/",
                self.admin_site.admin_view(self.posted_view),
                name="services_application_posted",
            ),
            path(
                "<int:pk>/verify-applicant/",
                self.admin_site.admin_view(self.verify_applicant_view),
                name="services_application_verify_applicant",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if obj is not None:
            extra_context.update(self._panel_context(obj))
            extra_context["may_verify"] = request.user.has_perm("citizens.verify_resident")
            if request.method == "GET" and obj.applicant_id is None:
                # A request without an account (Art. 19): the contacts given for the
                # answer, to the officers who handle it (get_object is scoped).
                extra_context["requester_contact"] = getattr(obj, "requester", None)
                if needs_post(obj):
                    extra_context["posted_form"] = PostedForm()
            elif request.method == "GET":
                # get_object is scoped to the officer's departments: whoever gets here
                # handles the application, and sees (recorded) the applicant's contacts.
                extra_context["applicant_contacts"] = contacts_disclose(
                    viewer=request.user,
                    person=obj.applicant,
                    case=f"services.application {obj.reference}",
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def _panel_context(self, obj, *, message_form=None):
        return {
            "panel_actions": [
                (action, Action(action).label, needs_reason(action))
                for action in officer_actions_from(obj.status)
                if action != Action.EXTEND or may_extend(obj, timezone.now())
            ],
            "events": ApplicationEvent.objects.filter(application=obj).select_related("actor"),
            "documents": _with_field_labels(obj, Document.objects.filter(application=obj)),
            "thread": obj.messages.select_related("author").prefetch_related("documents"),
            "message_form": message_form or OfficerMessageForm(),
        }

    def _scoped(self, request, pk) -> Application:
        if not self.has_change_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def act_view(self, request, pk):
        application = self._scoped(request, pk)
        target = reverse("admin:services_application_change", args=[pk])
        if request.method != "POST":
            return redirect(target)
        form = ActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Choose an action."))
            return redirect(target)
        try:
            application_transition(
                application=application,
                action=form.cleaned_data["action"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            if needs_post(application):
                messages.warning(
                    request,
                    gettext(
                        "Done. The requester gave only a postal address: send this to them "
                        "by post and record the letter on this page."
                    ),
                )
            else:
                messages.success(request, gettext("Done: the applicant is told."))
        return redirect(target)

    def posted_view(self, request, pk):
        """Record a letter sent by post to a requester who gave only a postal address."""
        application = self._scoped(request, pk)
        target = reverse("admin:services_application_change", args=[pk])
        if request.method != "POST":
            return redirect(target)
        form = PostedForm(request.POST)
        try:
            if not form.is_valid():
                raise ServiceError(" ".join(form.errors.get("what", [])))
            requester_post_record(
                application=application, officer=request.user, what=form.cleaned_data["what"]
            )
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, gettext("Recorded: sent by post today."))
        return redirect(target)

    def verify_applicant_view(self, request, pk):
        """Mark the applicant a verified resident, from the application the officer handles.

        Officers no longer have the user list; they verify the people whose
        documents they check, here.
        """
        if not request.user.has_perm("citizens.verify_resident"):
            raise PermissionDenied
        application = get_object_or_404(self.get_queryset(request), pk=pk)
        target = reverse("admin:services_application_change", args=[pk])
        if request.method == "POST":
            if user_verify_resident(user=application.applicant, by=request.user):
                messages.success(request, gettext("The applicant is marked a verified resident."))
            else:
                messages.info(request, gettext("The applicant is already a verified resident."))
        return redirect(target)

    def write_view(self, request, pk):
        application = self._scoped(request, pk)
        target = reverse("admin:services_application_change", args=[pk])
        if request.method != "POST":
            return redirect(target)
        form = OfficerMessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                application_message(
                    application=application,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    documents=form.cleaned_data["files"],
                )
            except ServiceError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, gettext("Your message is sent."))
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect(target)


# --- appointments and the day's schedule ----------------------------------------------


@admin.register(Appointment)
class AppointmentAdmin(ScopedAdmin):
    list_display = ["starts_at", "code", "service", "centre", "resident_name", "status"]
    list_filter = ["status", "centre", "service"]
    list_select_related = ["service", "centre", "resident"]
    search_fields = ["code", "resident__email", "resident__full_name"]
    date_hierarchy = "starts_at"
    actions = ["mark_attended", "mark_no_show", "cancel"]
    change_list_template = "admin/services/appointment/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    @admin.display(description=_("resident"), ordering="resident__full_name")
    def resident_name(self, obj):
        # Lists show a name, never the e-mail (contacts are on the application's page).
        return obj.resident.full_name or obj.resident.public_name

    def _mark(self, request, queryset, status):
        done = 0
        for appointment in queryset:
            try:
                appointment_mark(appointment=appointment, officer=request.user, status=status)
                done += 1
            except ServiceError as exc:
                self.message_user(request, f"{appointment.code}: {exc}", messages.ERROR)
        self.message_user(request, gettext("Marked: %(n)d.") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Mark as attended"))
    def mark_attended(self, request, queryset):
        self._mark(request, queryset, Appointment.Status.ATTENDED)

    @admin.action(description=_("Mark as no-show"))
    def mark_no_show(self, request, queryset):
        self._mark(request, queryset, Appointment.Status.NO_SHOW)

    @admin.action(description=_("Cancel (the resident is told)"))
    def cancel(self, request, queryset):
        for appointment in queryset:
            try:
                appointment_cancel(appointment=appointment, by=request.user)
            except ServiceError as exc:
                self.message_user(request, f"{appointment.code}: {exc}", messages.ERROR)

    def get_urls(self):
        return [
            path(
                "day/",
                self.admin_site.admin_view(self.day_view),
                name="services_appointment_day",
            ),
            *super().get_urls(),
        ]

    def day_view(self, request):
        """The day's schedule of the officer's departments, with attended/no-show buttons."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            day = dt.date.fromisoformat(request.GET.get("date", ""))
        except ValueError:
            day = timezone.localdate()
        if request.method == "POST":
            appointment = get_object_or_404(self.get_queryset(request), pk=request.POST.get("id"))
            status = request.POST.get("status", "")
            try:
                appointment_mark(appointment=appointment, officer=request.user, status=status)
            except ServiceError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, gettext("Marked."))
            return redirect(f"{reverse('admin:services_appointment_day')}?date={day.isoformat()}")
        start = dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())
        rows = (
            self.get_queryset(request)
            .filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))
            .exclude(status=Appointment.Status.CANCELLED)
            .select_related("service", "centre", "resident")
            .order_by("centre__name", "starts_at")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Visits on %(day)s") % {"day": day.strftime("%d.%m.%Y")},
            "day": day,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1),
            "rows": rows,
            "now": timezone.now(),
        }
        return TemplateResponse(request, "admin/services/appointment/day.html", context)
