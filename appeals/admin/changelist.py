"""What the appeal admins share: a changelist fast on a million rows, read-only inlines, filters."""

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from mycity.lib.admin import ReadOnlyAdminMixin
from mycity.lib.pagination import EstimatedCountPaginator

from ..models import (
    AppealAudit,
    AppealEvent,
    AppealMessage,
    AppealNote,
)
from ..workflow import OPEN_STATUSES, audit_action_label
from .labels import audit_changes

# --- a changelist that stays fast on a million rows ------------------------------


class FastChangeListMixin:
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    date_hierarchy = None  # its year/month drill-down scans the whole table

    # A word search counts exactly up to this many matches, then says "about".
    search_count_cap = 1_000

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        # A word search is costly to count (a similarity test a row): the planner is
        # asked first, and the exact count stops at search_count_cap.
        searched = bool(request.GET.get("q", "").strip())
        return self.paginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            estimate_first=searched,
            cap=self.search_count_cap if searched else None,
        )


# --- read-only inlines of the appeal page ------------------------------------------


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Shown to whoever may open the appeal; nobody adds, changes or deletes here."""

    extra = 0
    can_delete = False
    # appeals-admin.css hides each row's title (its __str__): the columns say it all.
    classes = ["appeal-records"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_view_permission(self, request, obj=None):
        return True  # the appeal's own admin decided who opens the page


class AppealMessageInline(ReadOnlyInline):
    model = AppealMessage
    fields = ["created_at", "type", "author", "text", "files"]
    verbose_name_plural = _("messages with the author (answers, questions, information)")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("author", "appeal")
            .prefetch_related("attachments")
        )

    @admin.display(description=_("files"))
    def files(self, message):
        # Through the permission-checked download view: the files have no public URL.
        return format_html_join(
            "",
            '<div><a href="{}">{}</a> ({})</div>',
            (
                (
                    reverse("appeals:answer_file", args=[message.appeal.reference, f.pk]),
                    f.name,
                    pgettext("file", "public") if f.is_public else pgettext("file", "private"),
                )
                for f in message.attachments.all()
            ),
        )


class AppealNoteInline(ReadOnlyInline):
    model = AppealNote
    fields = ["created_at", "author", "text"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class AppealEventInline(ReadOnlyInline):
    model = AppealEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "reason", "is_public"]
    verbose_name_plural = _("timeline")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class AppealAuditInline(ReadOnlyInline):
    model = AppealAudit
    fields = ["created_at", "actor", "action_label", "changes_display"]
    verbose_name_plural = _("audit log")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("action"))
    def action_label(self, obj):
        return audit_action_label(obj.action)

    @admin.display(description=_("changes"))
    def changes_display(self, obj):
        return audit_changes(obj)


# --- filters ---------------------------------------------------------------------------


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("Not overdue"))]

    def queryset(self, request, queryset):
        overdue = {"status__in": OPEN_STATUSES, "deadline__lt": timezone.localdate()}
        if self.value() == "yes":
            return queryset.filter(**overdue)
        if self.value() == "no":
            return queryset.exclude(**overdue)
        return queryset


class IncidentLinkedFilter(admin.SimpleListFilter):
    title = _("linked to an outage")
    parameter_name = "outage"

    def lookups(self, request, model_admin):
        return [("yes", _("Linked to an outage")), ("no", _("Not linked"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(incident__isnull=False)
        if self.value() == "no":
            return queryset.filter(incident__isnull=True)
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = _("assigned to")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("Me")), ("none", _("Nobody")), ("any", _("Someone"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        if self.value() == "none":
            return queryset.filter(assignee__isnull=True)
        if self.value() == "any":
            return queryset.filter(assignee__isnull=False)
        return queryset


def is_moderator(request) -> bool:
    return request.user.has_perm("appeals.moderate_appeal")
