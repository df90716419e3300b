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
from .appeal import AppealAdmin
from .changelist import FastChangeListMixin, is_moderator

# --- the moderators' queue -------------------------------------------------------------


@admin.register(ModerationQueue)
class ModerationQueueAdmin(ReadOnlyAdminMixin, FastChangeListMixin, admin.ModelAdmin):
    list_display = [
        "priority_flag",
        "thumbnails",
        "open_link",
        "title",
        "likely_duplicate",
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
