"""The moderators' queue: appeals waiting for moderation, priority first."""

from django.contrib import admin
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from mycity.lib.admin import ReadOnlyAdminMixin

from ..models import (
    Appeal,
    AppealPhoto,
    DuplicateFlag,
    ModerationQueue,
)
from ..workflow import Status
from .appeal import AppealAdmin, reference_cell
from .changelist import FastChangeListMixin, is_moderator

# --- the moderators' queue -------------------------------------------------------------


@admin.register(ModerationQueue)
class ModerationQueueAdmin(ReadOnlyAdminMixin, FastChangeListMixin, admin.ModelAdmin):
    # Narrow enough for a 1366 px laptop: every appeal here is awaiting
    # moderation and nobody is assigned yet, so the clock is what counts.
    list_display = [
        "open_link",
        "thumbnails",
        "title_short",
        "category_short",
        "likely_duplicate",
        "kind",
        "district",
        "age",
        "deadline_display",
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
        duplicates = Prefetch(
            "duplicate_flags",
            queryset=DuplicateFlag.objects.filter(dismissed_at__isnull=True)
            .exclude(other__status=Status.MERGED)
            .select_related("other")
            .only("id", "appeal_id", "other__id", "other__reference"),
            to_attr="open_duplicate_flags",
        )
        return (
            super()
            .get_queryset(request)
            .filter(status=Status.MODERATION)
            .select_related("category", "district")
            .prefetch_related(photos, duplicates)
        )

    def has_module_permission(self, request):
        return is_moderator(request)

    def has_view_permission(self, request, obj=None):
        return is_moderator(request)

    def changelist_view(self, request, extra_context=None):
        # The queue needs the width: the app list is one click away in the breadcrumbs.
        return super().changelist_view(
            request, {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # One page per appeal, with its action panel: the appeals admin's.
        return self.admin_site._registry[Appeal].change_view(
            request, object_id, form_url, extra_context
        )

    priority_flag = AppealAdmin.priority_flag
    title_short = AppealAdmin.title_short
    category_short = AppealAdmin.category_short
    deadline_display = AppealAdmin.deadline_display

    @admin.display(description=_("№"), ordering="reference")
    def open_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:appeals_appeal_change", args=[obj.pk]),
            reference_cell(obj),
        )

    @admin.display(description=_("photos"))
    def thumbnails(self, obj):
        photos = list(obj.photos.all())
        if not photos:
            return "—"
        more = f" +{len(photos) - 1}" if len(photos) > 1 else ""
        return format_html(
            '<img src="{}" alt="" class="appeal-thumb" loading="lazy" width="48" height="48">{}',
            photos[0].get_absolute_url(),
            more,
        )

    @admin.display(description=_("waiting"), ordering="registered_at")
    def age(self, obj):
        # One unit is enough to sort out the queue: "3 days", not "3 days, 4 hours".
        return timesince(obj.registered_at, depth=1)

    @admin.display(description=_("likely duplicate"))
    def likely_duplicate(self, obj):
        # Flagged at filing (services/duplicates.py); the appeal's page has the actions.
        flags = obj.open_duplicate_flags
        if not flags:
            return ""
        return format_html(
            '<span class="appeal-duplicate">{}</span>',
            format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                (
                    (reverse("admin:appeals_appeal_change", args=[f.other.pk]), f.other.reference)
                    for f in flags
                ),
            ),
        )
