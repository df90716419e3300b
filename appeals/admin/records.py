"""Answer templates and the audit log of appeals."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mycity.lib.admin import ReadOnlyAdminMixin
from mycity.lib.departments import departments_of

from .. import admin_views
from ..models import (
    AnswerTemplate,
    AppealAudit,
)
from ..workflow import AUDIT_ACTIONS, Action, audit_action_label
from .changelist import FastChangeListMixin, is_moderator
from .labels import audit_changes

# --- answer templates and the audit log ---------------------------------------------


def staff_departments(request):
    return departments_of(request.user).values("pk")


def sees_every_department(request) -> bool:
    return is_moderator(request) or request.user.has_perm("appeals.add_category")


@admin.register(AnswerTemplate)
class AnswerTemplateAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "is_active"]
    list_filter = ["is_active", "department"]
    search_fields = ["title", "text"]
    list_select_related = ["department"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser or sees_every_department(request):
            return queryset
        return queryset.filter(department__in=staff_departments(request))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department" and not (
            request.user.is_superuser or sees_every_department(request)
        ):
            from mycity.models import Department

            kwargs["queryset"] = Department.objects.filter(pk__in=staff_departments(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AuditActionFilter(admin.SimpleListFilter):
    """The audit's codes by their names, in the reader's language."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        codes = [*(f"appeals.{action}" for action in Action.values), *AUDIT_ACTIONS]
        return [(code, audit_action_label(code)) for code in codes]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AppealAudit)
class AppealAuditAdmin(ReadOnlyAdminMixin, FastChangeListMixin, admin.ModelAdmin):
    """The append-only log: read by whoever may see the appeal; changed by nobody."""

    list_display = ["created_at", "appeal_link", "actor", "action_label", "changes_display"]
    list_filter = [AuditActionFilter]
    search_fields = ["^appeal__reference"]
    list_select_related = ["appeal", "actor"]
    fields = ["created_at", "appeal_link", "actor", "action_label", "changes_display"]
    readonly_fields = fields

    def get_queryset(self, request):
        scoped = admin_views.staff_services.appeals_for_staff(request.user)
        return super().get_queryset(request).filter(appeal__in=scoped.values("pk"))

    def has_module_permission(self, request):
        return request.user.has_perm("appeals.view_appeal")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("appeals.view_appeal")

    @admin.display(description=_("request"), ordering="appeal__reference")
    def appeal_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:appeals_appeal_change", args=[obj.appeal_id]),
            obj.appeal.reference,
        )

    @admin.display(description=_("action"), ordering="action")
    def action_label(self, obj):
        return audit_action_label(obj.action)

    @admin.display(description=_("changes"))
    def changes_display(self, obj):
        return audit_changes(obj)
