"""The appeal admin: the department's and moderators' list, the case page and bulk actions."""

from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mycity.lib.admin import ReadOnlyAdminMixin

from .. import admin_forms, admin_register, admin_views
from ..models import (
    Appeal,
)
from ..services import AppealError
from ..services.incidents import incident_admin_url
from ..workflow import MODERATOR
from .changelist import (
    AppealAuditInline,
    AppealEventInline,
    AppealMessageInline,
    AppealNoteInline,
    AssigneeFilter,
    FastChangeListMixin,
    IncidentLinkedFilter,
    OverdueFilter,
    is_moderator,
)
from .labels import answers_html, short_date

# --- appeals: department work --------------------------------------------------------

# Longer texts are cut in the lists (the whole text in the cell's title).
TITLE_CHARS, CATEGORY_CHARS, STATUS_CHARS, ASSIGNEE_CHARS = 60, 28, 28, 24


def short_cell(text: str, chars: int, css_class: str):
    """`text` cut to `chars` characters, the whole of it in a tooltip when cut."""
    short = Truncator(text).chars(chars)
    if short == text:
        return format_html('<span class="{}">{}</span>', css_class, text)
    return format_html('<span class="{}" title="{}">{}</span>', css_class, text, short)


def reference_cell(obj):
    """The reference, and a priority mark (Art. 20) for the appeals that come first."""
    if not obj.priority:
        return obj.reference
    return format_html(
        '<span class="appeal-reference">{}</span> '
        '<span class="appeal-priority" title="{}">{}</span>',
        obj.reference,
        obj.get_priority_category_display(),
        gettext("priority"),
    )


class BulkAssignForm(forms.Form):
    assignee = admin_forms.ColleagueChoiceField(label=_("Assign to"), queryset=None)


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdminMixin, FastChangeListMixin, admin.ModelAdmin):
    """Staff work on an appeal through its action panel, never its form; residents file them."""

    # What a clerk decides by, narrow enough for a 1366 px laptop without
    # scrolling sideways (kind, district, department: the filters and the case page).
    list_display = [
        "reference_display",
        "title_short",
        "category_short",
        "status_short",
        "deadline_display",
        "assignee_short",
    ]
    list_display_links = ["reference_display"]
    # Art. 20: priority appeals first (index appeals_priority_order), then newest.
    ordering = ["-priority", "-registered_at", "-pk"]
    list_filter = [
        "status",
        "priority",
        "kind",
        OverdueFilter,
        AssigneeFilter,
        IncidentLinkedFilter,
        "category",
        "district",
    ]
    search_fields = ["^reference", "title"]
    list_select_related = ["category", "department", "district", "assignee"]
    raw_id_fields = ["author", "assignee", "merged_into", "district"]
    readonly_fields = [
        "reference",
        "status",
        "kind",
        "category",
        "department",
        "assignee",
        "is_public",
        "sensitive",
        "author_shown",
        "channel",
        "registered_by",
        "title",
        "description",
        "answers_display",
        "district",
        "address",
        "location_link",
        "registered_at",
        "term_days",
        "deadline_display",
        "deadline_extended",
        "extension_reason",
        "answered_at",
        "closed_at",
        "escalated_on",
        "forwarded_to",
        "merged_into_link",
        "incident_link",
        "support_count",
        "geocoded_address",
        "public_address",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "status",
                    "kind",
                    "category",
                    "department",
                    "assignee",
                    "is_public",
                    "sensitive",
                ]
            },
        ),
        (_("Author"), {"fields": ["author_shown", "channel", "registered_by"]}),
        (
            _("Request"),
            {"fields": ["title", "description", "answers_display", "district", "address"]},
        ),
        (_("Place"), {"fields": ["location_link", "geocoded_address", "public_address"]}),
        (
            _("Deadline"),
            {
                "fields": [
                    "registered_at",
                    "term_days",
                    "deadline_display",
                    "deadline_extended",
                    "extension_reason",
                    "answered_at",
                    "closed_at",
                    "escalated_on",
                ]
            },
        ),
        (
            _("Outcome"),
            {"fields": ["forwarded_to", "merged_into_link", "incident_link", "support_count"]},
        ),
    ]
    inlines = [AppealMessageInline, AppealNoteInline, AppealEventInline, AppealAuditInline]
    actions = ["assign_to_me", "assign_to_colleague", "start_work", "close_answered"]
    change_form_template = "admin/appeals/appeal/change_form.html"
    change_list_template = "admin/appeals/appeal/change_list.html"

    class Media:
        css = {"all": ["css/appeals-admin.css"]}

    def get_queryset(self, request):
        scoped = admin_views.staff_services.appeals_for_staff(request.user)
        return scoped.select_related(*self.list_select_related)

    def changelist_view(self, request, extra_context=None):
        # The list needs the width: the app list is one click away in the breadcrumbs.
        return super().changelist_view(
            request, {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        )

    def get_list_filter(self, request):
        if is_moderator(request):
            return [*self.list_filter, "department"]
        return self.list_filter

    def has_work_permission(self, request):
        return request.user.has_perm("appeals.change_appeal")

    def get_urls(self):
        site = self.admin_site
        return [
            path(
                "dashboard/",
                site.admin_view(partial(admin_views.dashboard, model_admin=self)),
                name="appeals_appeal_dashboard",
            ),
            path(
                "register/",
                site.admin_view(partial(admin_register.register, model_admin=self)),
                name="appeals_appeal_register",
            ),
            path(
                "register/<str:reference>/receipt/",
                site.admin_view(partial(admin_register.receipt, model_admin=self)),
                name="appeals_appeal_receipt",
            ),
            path(
                "<path:object_id>/act/<slug:key>/",
                site.admin_view(partial(admin_views.appeal_action, model_admin=self)),
                name="appeals_appeal_action",
            ),
            path(
                "<path:object_id>/duplicate/<int:flag_id>/dismiss/",
                site.admin_view(partial(admin_views.duplicate_dismiss, model_admin=self)),
                name="appeals_appeal_duplicate_dismiss",
            ),
            path(
                "<path:object_id>/photo/<int:photo_id>/<slug:operation>/",
                site.admin_view(partial(admin_views.photo_action, model_admin=self)),
                name="appeals_appeal_photo",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        appeal = self.get_object(request, object_id)
        if appeal is not None:
            role = admin_views.staff_services.staff_role(request.user, appeal)
            photos = list(appeal.photos.all())
            extra_context.update(
                {
                    "author_contacts": (
                        admin_views.author_contacts(request, appeal, role)
                        if request.method == "GET"
                        else None
                    ),
                    "panel_actions": admin_views.panel_actions(request, appeal, role),
                    "answer_contact": (
                        admin_register.answer_contact(request, appeal, role)
                        if request.method == "GET"
                        else None
                    ),
                    "photos": photos,
                    "duplicate_flags": admin_views.duplicate_flags(request, self, appeal, role),
                    "can_change_photos": role == MODERATOR
                    and request.user.has_perm("appeals.change_appeal"),
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)

    # --- columns and facts ---

    @admin.display(description=_("№"), ordering="reference")
    def reference_display(self, obj):
        return reference_cell(obj)

    @admin.display(description=_("title"), ordering="title")
    def title_short(self, obj):
        return short_cell(obj.title, TITLE_CHARS, "appeal-title")

    @admin.display(description=_("category"), ordering="category")
    def category_short(self, obj):
        return short_cell(str(obj.category), CATEGORY_CHARS, "appeal-category")

    @admin.display(description=_("status"), ordering="status")
    def status_short(self, obj):
        return short_cell(obj.get_status_display(), STATUS_CHARS, "appeal-status")

    @admin.display(description=_("assigned to"), ordering="assignee")
    def assignee_short(self, obj):
        if obj.assignee is None:
            return "—"
        return short_cell(str(obj.assignee), ASSIGNEE_CHARS, "appeal-assignee")

    @admin.display(description=_("answer due"), ordering="deadline")
    def deadline_display(self, obj):
        if obj.is_overdue:
            return format_html(
                '<span class="appeal-overdue">{} ({})</span>',
                short_date(obj.deadline),
                gettext("overdue"),
            )
        return short_date(obj.deadline)

    @admin.display(description=_("answers to the category's questions"))
    def answers_display(self, obj):
        return answers_html(obj)

    @admin.display(description=_("priority"), ordering="-priority")
    def priority_flag(self, obj):
        if not obj.priority:
            return ""
        return format_html(
            '<span class="appeal-priority" title="{}">{}</span>',
            obj.get_priority_category_display(),
            gettext("priority"),
        )

    @admin.display(description=_("sensitive"), boolean=True)
    def sensitive(self, obj):
        return obj.category.sensitive

    @admin.display(description=_("author"))
    def author_shown(self, obj):
        # The contacts are in the panel above, for the staff handling the request only.
        if obj.author is None:
            return _("no account (registered by staff)")
        return obj.author.public_name

    @admin.display(description=_("on the map"))
    def location_link(self, obj):
        if obj.latitude is None:
            return "—"
        lat, lon = obj.latitude, obj.longitude
        return format_html(
            '<div class="admin-appeal-map" data-lat="{}" data-lon="{}" data-tiles="{}" '
            'data-attribution="{}"></div>'
            '<a href="https://www.openstreetmap.org/?mlat={}&amp;mlon={}#map=18/{}/{}" '
            'target="_blank" rel="noopener">{} {}, {}</a>',
            lat,
            lon,
            settings.MAP_TILE_URL,
            settings.MAP_TILE_ATTRIBUTION,
            lat,
            lon,
            lat,
            lon,
            gettext("OpenStreetMap:"),
            # format_html escapes its arguments to text first: format numbers here.
            f"{lat:.5f}",
            f"{lon:.5f}",
        )

    @admin.display(description=_("merged into"))
    def merged_into_link(self, obj):
        if obj.merged_into_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:appeals_appeal_change", args=[obj.merged_into_id]),
            obj.merged_into.reference,
        )

    @admin.display(description=_("outage"))
    def incident_link(self, obj):
        if obj.incident_id is None:
            return "—"
        incident = obj.incident
        return format_html(
            '<a href="{}">{} {}</a> ({})',
            incident_admin_url(incident),
            incident.icon,
            incident.title,
            incident.get_status_display(),
        )

    # --- bulk actions: each row through the service, outsiders counted ---

    def _bulk(self, request, queryset, operation):
        selected = set(request.POST.getlist(ACTION_CHECKBOX_NAME))
        rows = list(queryset.select_related("category", "department"))
        outside = (
            0
            if request.POST.get("select_across") == "1"
            else len(selected - {str(appeal.pk) for appeal in rows})
        )
        staff = admin_views.staff_services
        done, skipped = 0, []
        for appeal in rows:
            role = staff.staff_role(request.user, appeal)
            if role is None:
                outside += 1
                continue
            try:
                operation(appeal, role)
            except AppealError as error:
                skipped.append(f"{appeal.reference}: {error}")
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%d request updated.", "%d requests updated.", done) % done,
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d request skipped: %(reasons)s",
                    "%(count)d requests skipped: %(reasons)s",
                    len(skipped),
                )
                % {"count": len(skipped), "reasons": "; ".join(skipped[:10])},
                messages.WARNING,
            )
        if outside:
            self.message_user(
                request,
                ngettext(
                    "%d selected request is outside your departments and was not changed.",
                    "%d selected requests are outside your departments and were not changed.",
                    outside,
                )
                % outside,
                messages.ERROR,
            )

    @admin.action(description=_("Assign to me"), permissions=["work"])
    def assign_to_me(self, request, queryset):
        self._assign_all(request, queryset, request.user)

    def _assign_all(self, request, queryset, assignee) -> None:
        staff = admin_views.staff_services
        self._bulk(
            request,
            queryset,
            lambda appeal, role: staff.appeal_assign(
                appeal=appeal, assignee=assignee, actor=request.user
            ),
        )

    @admin.action(description=_("Assign to a colleague…"), permissions=["work"])
    def assign_to_colleague(self, request, queryset):
        departments = queryset.order_by().values("department").distinct()
        form = BulkAssignForm(request.POST if "apply" in request.POST else None)
        form.fields["assignee"].queryset = admin_forms.colleagues(departments)
        if form.is_bound and form.is_valid():
            self._assign_all(request, queryset, form.cleaned_data["assignee"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Assign to a colleague"),
            "form": form,
            "appeals": queryset[:200],
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/appeals/appeal/bulk_assign.html", context)

    @admin.action(description=_("Start work"), permissions=["work"])
    def start_work(self, request, queryset):
        staff = admin_views.staff_services
        self._bulk(
            request,
            queryset,
            lambda appeal, role: staff.appeal_start(appeal=appeal, staff=request.user),
        )

    @admin.action(description=_("Close answered requests"), permissions=["work"])
    def close_answered(self, request, queryset):
        staff = admin_views.staff_services
        self._bulk(
            request,
            queryset,
            lambda appeal, role: staff.appeal_close(appeal=appeal, actor=request.user),
        )
