"""Admin for categories, the moderation queue and department work on appeals.

Appeals are never edited through a ModelAdmin form: the change page is
read-only and every change goes through the action panel and the bulk
actions, which call appeals.services.staff (see admin_views.py). Scoping by
department lives in `get_queryset`, which every custom view uses too.
"""

from functools import cached_property, partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext, pgettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from mycity.lib.admin import ReadOnlyAdminMixin
from mycity.lib.departments import departments_of

from . import admin_register, admin_views
from .models import (
    AnswerTemplate,
    Appeal,
    AppealAudit,
    AppealEvent,
    AppealMessage,
    AppealNote,
    AppealPhoto,
    Category,
    CategoryGroup,
    CategoryQuestion,
    ModerationQueue,
)
from .services import AppealError
from .workflow import MODERATOR, OPEN_STATUSES, Status


@admin.register(CategoryGroup)
class CategoryGroupAdmin(TranslationAdmin):
    list_display = ["name", "ordering"]
    search_fields = ["name_uk", "name_en"]


class CategoryQuestionInline(TranslationTabularInline):
    model = CategoryQuestion
    extra = 0
    fields = ["ordering", "code", "label", "type", "required", "choices", "help_text"]


@admin.register(Category)
class CategoryAdmin(TranslationAdmin):
    list_display = [
        "name",
        "group",
        "department",
        "location_required",
        "sensitive",
        "answer_days",
        "is_active",
    ]
    list_filter = ["group", "department", "sensitive", "is_active"]
    search_fields = ["name_uk", "name_en", "slug"]
    list_select_related = ["group", "department"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [CategoryQuestionInline]


# --- a changelist that stays fast on a million rows ------------------------------


class EstimatedCountPaginator(Paginator):
    """Never COUNT(*) a whole large table on a page view.

    Unfiltered on PostgreSQL: the planner's estimate (pg_class.reltuples) when
    the table is large. Otherwise a COUNT(*) over a LIMITed subquery, so the
    count stops at CAP and later pages are reached by filtering or search.
    """

    CAP = 10_000

    @cached_property
    def count(self):
        queryset = self.object_list
        connection = connections[queryset.db]
        if connection.vendor == "postgresql" and not queryset.query.where:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                    [queryset.model._meta.db_table],
                )
                row = cursor.fetchone()
            if row and row[0] > self.CAP:
                return int(row[0])
        return queryset.order_by()[: self.CAP].count()

    # From this offset on, a page is read in two steps (see page()).
    DEEP_OFFSET = 1_000

    def page(self, number):
        """A deep page reads the skipped rows' keys only, then its own rows.

        OFFSET 25000 over whole rows fetches 25,050 rows from the table; over
        the primary keys in list order it is an index-only scan (the
        appeals_list_order index), and the page's 50 rows are fetched by
        key. Shallow pages are one query, as Django's paginator does.
        """
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if bottom < self.DEEP_OFFSET:
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = self.object_list.order_by().filter(pk__in=keys).in_bulk()
        return self._get_page([rows[key] for key in keys if key in rows], number, self)


class FastChangeListMixin:
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    date_hierarchy = None  # its year/month drill-down scans the whole table


# --- read-only inlines of the appeal page ------------------------------------------


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Shown to whoever may open the appeal; nobody adds, changes or deletes here."""

    extra = 0
    can_delete = False

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


def audit_changes(entry):
    changes = entry.changes or {}
    if not isinstance(changes, dict):
        return str(changes)
    pairs = []
    for field, value in changes.items():
        if isinstance(value, list | tuple) and len(value) == 2:
            value = f"{value[0]} → {value[1]}"
        pairs.append((field, value))
    return format_html_join("", "<div><strong>{}</strong>: {}</div>", pairs)


class AppealAuditInline(ReadOnlyInline):
    model = AppealAudit
    fields = ["created_at", "actor", "action", "changes_display"]
    verbose_name_plural = _("audit log")

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

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


# --- appeals: department work --------------------------------------------------------


class BulkAssignForm(forms.Form):
    assignee = admin_views.ColleagueChoiceField(label=_("Assign to"), queryset=None)


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdminMixin, FastChangeListMixin, admin.ModelAdmin):
    """Staff work on an appeal through its action panel, never its form; residents file them."""

    list_display = [
        "priority_flag",
        "reference",
        "title",
        "status",
        "kind",
        "category",
        "department",
        "district",
        "assignee",
        "deadline_display",
        "registered_at",
    ]
    # Art. 20: priority appeals first (index appeals_priority_order), then newest.
    ordering = ["-priority", "-registered_at", "-pk"]
    list_filter = [
        "status",
        "priority",
        "kind",
        OverdueFilter,
        AssigneeFilter,
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
        "extra_answers",
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
        "support_count",
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
            {"fields": ["title", "description", "extra_answers", "district", "address"]},
        ),
        (_("Place"), {"fields": ["location_link"]}),
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
        (_("Outcome"), {"fields": ["forwarded_to", "merged_into_link", "support_count"]}),
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
                    "can_change_photos": role == MODERATOR
                    and request.user.has_perm("appeals.change_appeal"),
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)

    # --- columns and facts ---

    @admin.display(description=_("answer due"), ordering="deadline")
    def deadline_display(self, obj):
        if obj.is_overdue:
            return format_html(
                '<span class="appeal-overdue">{} ({})</span>', obj.deadline, gettext("overdue")
            )
        return obj.deadline

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
        staff = admin_views.staff_services
        self._bulk(
            request,
            queryset,
            lambda appeal, role: staff.appeal_assign(
                appeal=appeal, assignee=request.user, actor=request.user
            ),
        )

    @admin.action(description=_("Assign to a colleague…"), permissions=["work"])
    def assign_to_colleague(self, request, queryset):
        departments = queryset.order_by().values("department").distinct()
        form = BulkAssignForm(request.POST if "apply" in request.POST else None)
        form.fields["assignee"].queryset = admin_views.colleagues(departments)
        if form.is_bound and form.is_valid():
            staff = admin_views.staff_services
            assignee = form.cleaned_data["assignee"]
            self._bulk(
                request,
                queryset,
                lambda appeal, role: staff.appeal_assign(
                    appeal=appeal, assignee=assignee, actor=request.user
                ),
            )
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


# --- the moderators' queue -------------------------------------------------------------


@admin.register(ModerationQueue)
class ModerationQueueAdmin(ReadOnlyAdminMixin, FastChangeListMixin, admin.ModelAdmin):
    list_display = [
        "priority_flag",
        "thumbnails",
        "open_link",
        "title",
        "kind",
        "category",
        "district",
        "is_public",
        "age",
    ]
    list_display_links = None
    list_filter = ["kind", "category", "district"]
    search_fields = ["^reference", "title"]
    # Priority appeals (Art. 20) first, then oldest first: the law's clock is running.
    ordering = ["-priority", "registered_at", "pk"]
    actions = None

    class Media:
        css = {"all": ["css/appeals-admin.css"]}

    def get_queryset(self, request):
        photos = Prefetch("photos", queryset=AppealPhoto.objects.order_by("created_at", "pk"))
        return (
            super()
            .get_queryset(request)
            .filter(status=Status.MODERATION)
            .select_related("category", "district")
            .prefetch_related(photos)
        )

    def has_module_permission(self, request):
        return is_moderator(request)

    def has_view_permission(self, request, obj=None):
        return is_moderator(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # One page per appeal, with its action panel: the appeals admin's.
        return self.admin_site._registry[Appeal].change_view(
            request, object_id, form_url, extra_context
        )

    priority_flag = AppealAdmin.priority_flag

    @admin.display(description=_("request"), ordering="reference")
    def open_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:appeals_appeal_change", args=[obj.pk]),
            obj.reference,
        )

    @admin.display(description=_("photos"))
    def thumbnails(self, obj):
        return format_html_join(
            "",
            '<img src="{}" alt="" class="appeal-thumb" loading="lazy" width="64" height="64">',
            ((photo.get_absolute_url(),) for photo in list(obj.photos.all())[:3]),
        )

    @admin.display(description=_("waiting"), ordering="registered_at")
    def age(self, obj):
        return timesince(obj.registered_at)


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


@admin.register(AppealAudit)
class AppealAuditAdmin(ReadOnlyAdminMixin, FastChangeListMixin, admin.ModelAdmin):
    """The append-only log: read by whoever may see the appeal; changed by nobody."""

    list_display = ["created_at", "appeal_link", "actor", "action", "changes_display"]
    list_filter = ["action"]
    search_fields = ["^appeal__reference"]
    list_select_related = ["appeal", "actor"]
    fields = ["created_at", "appeal", "actor", "action", "changes_display"]
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

    @admin.display(description=_("changes"))
    def changes_display(self, obj):
        return audit_changes(obj)


# Open311 API clients and submissions: their own module.
from .open311 import admin as _open311_admin  # noqa: E402, F401
