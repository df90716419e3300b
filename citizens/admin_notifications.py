"""Admin for notifications: staff read the outbox and retry failed rows.

Outbox rows are written only by citizens.notifications.services and moved
only by the delivery code: a hand-edited status or claim would break the
"never lost, never sent twice" guarantees, so every page here is read-only.
Push keys and Telegram link codes are secrets and are not shown at all.
"""

from urllib.parse import urlsplit

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from mycity.lib.admin import ReadOnlyAdminMixin, number_column, person_column

from .notifications import delivery as outbox
from .notifications import overview
from .notifications.models import (
    Broadcast,
    Delivery,
    Device,
    Notification,
    NotificationPreference,
    PushSubscription,
    TelegramLink,
)


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Rows that only the notification services write: staff may look, not edit."""

    show_full_result_count = False  # no second COUNT(*) over a large outbox
    list_per_page = 100


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ["channel", "status", "attempts", "next_attempt_at", "sent_at", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        number_column,
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "recipient_email",
        "event",
        "error_excerpt",
        "created_at",
    ]
    list_filter = ["status", "channel", "is_fallback"]
    search_fields = ["notification__recipient__email"]
    list_select_related = ["notification__recipient"]
    fields = [
        "notification",
        "channel",
        "push_subscription",
        "device",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "claimed_by",
        "heartbeat_at",
        "sent_at",
        "received_at",
        "is_fallback",
        "last_error",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["retry_deliveries"]

    def get_urls(self):
        return [
            path(
                "overview/",
                self.admin_site.admin_view(self.overview_view),
                name="citizens_delivery_overview",
            ),
            *super().get_urls(),
        ]

    def overview_view(self, request):
        """Per channel and lane: queued, held, sending, sent, failed, the longest wait."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        figures = overview.outbox_overview()
        rows = []
        for row in figures.rows:
            waited = figures.waited(row)
            rows.append(
                {
                    "figures": row,
                    "waited": None if waited is None else overview.duration_text(waited),
                    "late": figures.is_late(row),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Outbox by channel"),
            "rows": rows,
            "computed_at": figures.computed_at,
            "cache_seconds": overview.OVERVIEW_CACHE_SECONDS,
            "max_wait": overview.duration_text(overview.max_wait()),
        }
        return TemplateResponse(request, "admin/citizens/delivery/overview.html", context)

    def has_change_permission(self, request, obj=None):
        # The changelist needs "change" for the retry action; a row's own page
        # stays read-only.
        if obj is not None:
            return False
        return request.user.has_perm("citizens.change_delivery")

    @admin.display(description=_("recipient"), ordering="notification__recipient__email")
    def recipient_email(self, obj):
        return obj.notification.recipient.email

    @admin.display(description=_("event"), ordering="notification__event")
    def event(self, obj):
        return obj.notification.event

    @admin.display(description=_("last error"))
    def error_excerpt(self, obj):
        return Truncator(obj.last_error).chars(80)

    @admin.action(description=_("Retry sending the selected deliveries"), permissions=["change"])
    def retry_deliveries(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        count = outbox.retry(ids)
        self.message_user(
            request,
            ngettext("%d delivery will be sent again.", "%d deliveries will be sent again.", count)
            % count,
            messages.SUCCESS,
        )
        skipped = len(ids) - count
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d delivery was left alone: only failed or cancelled ones are retried.",
                    "%d deliveries were left alone: only failed or cancelled ones are retried.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = [
        number_column,
        "event",
        "recipient",
        "urgent",
        "broadcast",
        "created_at",
        "read_at",
    ]
    list_filter = ["urgent", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__email", "event"]
    list_select_related = ["recipient", "broadcast"]
    fields = [
        "recipient",
        "event",
        "context",
        "url",
        "urgent",
        "broadcast",
        "created_at",
        "read_at",
    ]
    readonly_fields = fields
    inlines = [DeliveryInline]

    def get_fields(self, request, obj=None):
        # What a message said (a private request's title, say) is the
        # recipient's business: those who look after delivery see where it
        # went and how, not what it said.
        fields = super().get_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return [name for name in fields if name != "context"]


@admin.register(Broadcast)
class BroadcastAdmin(ReadOnlyAdmin):
    list_display = [
        number_column,
        "event",
        "status",
        "audience",
        "recipient_count",
        "created_at",
        "updated_at",
    ]
    list_filter = ["status"]
    search_fields = ["event"]
    fields = [
        "event",
        "context",
        "url",
        "audience",
        "status",
        "cursor",
        "recipient_count",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = [person_column, "event", "channel", "enabled"]
    list_filter = ["channel", "enabled"]
    search_fields = ["user__email", "event"]
    list_select_related = ["user"]
    fields = [person_column, "event", "channel", "enabled"]
    readonly_fields = fields


class PersonalChannelAdmin(ReadOnlyAdmin):
    """A person's device or chat: staff may remove one (lost phone), never edit it."""

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)


@admin.register(PushSubscription)
class PushSubscriptionAdmin(PersonalChannelAdmin):
    list_display = [person_column, "user_agent", "push_service", "created_at"]
    search_fields = ["user__email", "user_agent"]
    list_select_related = ["user"]
    fields = [person_column, "user_agent", "push_service", "created_at"]  # not the keys
    readonly_fields = fields

    @admin.display(description=_("push service"))
    def push_service(self, obj):
        return urlsplit(obj.endpoint).hostname or "—"


@admin.register(Device)
class DeviceAdmin(PersonalChannelAdmin):
    list_display = [person_column, "platform", "provider", "name", "last_seen_at", "created_at"]
    list_filter = ["platform", "provider"]
    search_fields = ["user__email", "name"]
    list_select_related = ["user"]
    fields = [person_column, "platform", "provider", "name", "last_seen_at", "created_at"]
    readonly_fields = fields  # not the token: it addresses the phone


@admin.register(TelegramLink)
class TelegramLinkAdmin(PersonalChannelAdmin):
    list_display = [person_column, "username", "is_linked", "linked_at"]
    list_filter = [("chat_id", admin.EmptyFieldListFilter)]
    search_fields = ["user__email", "username"]
    list_select_related = ["user"]
    fields = [person_column, "username", "is_linked", "linked_at"]  # not the one-time code
    readonly_fields = fields

    @admin.display(description=_("linked"), boolean=True)
    def is_linked(self, obj):
        return obj.is_linked
