"""API clients in the admin: issue a key (shown once), rotate it, revoke it.

Creating a client and changing its key go through appeals.open311.services;
the admin only shows the new key on a page of its own, never stores it.
"""

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mycity.lib.admin import ReadOnlyAdminMixin

from ..services import AppealError
from .models import ApiClient, Open311Submission
from .services import (
    api_client_create,
    api_client_revoke,
    api_client_rotate_key,
    open311_media_approve,
    open311_media_remove,
)

KEY_TEMPLATE = "admin/appeals/apiclient/key.html"


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "key_prefix", "is_active", "requests_per_minute", "last_used_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "contact_email", "key_prefix"]
    fields = ["name", "contact_email", "notes", "requests_per_minute"]
    readonly_fields = [
        "key_prefix",
        "is_active",
        "created_at",
        "created_by",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke", "rotate"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "contact_email", "notes", "requests_per_minute"]
        return [*self.fields, *self.readonly_fields]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    def has_delete_permission(self, request, obj=None):
        # Requests were filed under the client: revoke it instead.
        return False

    def save_model(self, request, obj, form, change):
        if change:  # name, contacts and limit only: the key changes by the actions
            obj.save()
            return
        client, key = api_client_create(
            name=obj.name,
            contact_email=obj.contact_email,
            notes=obj.notes,
            requests_per_minute=obj.requests_per_minute,
            created_by=request.user,
        )
        obj.pk = client.pk
        obj.__dict__.update(client.__dict__)
        request._issued_key = key

    def response_add(self, request, obj, post_url_continue=None):
        return self._show_keys(request, [(obj, request._issued_key)])

    def _show_keys(self, request, issued):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("The API key, shown only once"),
            "issued": issued,
        }
        return TemplateResponse(request, KEY_TEMPLATE, context)

    @admin.action(description=gettext_lazy("Revoke the key of the selected clients"))
    def revoke(self, request, queryset):
        revoked = sum(api_client_revoke(client=client) for client in queryset)
        self.message_user(
            request,
            ngettext("%(n)d key revoked.", "%(n)d keys revoked.", revoked) % {"n": revoked},
            messages.SUCCESS,
        )

    @admin.action(description=gettext_lazy("Issue a new key (the old one stops working)"))
    def rotate(self, request, queryset):
        issued = [(client, api_client_rotate_key(client=client)) for client in queryset]
        return self._show_keys(request, issued)


@admin.register(Open311Submission)
class Open311SubmissionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only, but for a moderator's decision on the client's media URL (two actions)."""

    list_display = ["appeal", "client", "media_url", "media_url_approved", "created_at"]
    list_filter = ["client", "media_url_approved"]
    actions = ["approve_media", "remove_media"]
    search_fields = ["appeal__reference", "email", "last_name", "phone"]
    list_select_related = ["appeal", "client"]
    readonly_fields = [
        "appeal",
        "client",
        "token",
        "email",
        "first_name",
        "last_name",
        "phone",
        "device_id",
        "account_id",
        "media_url",
        "media_url_approved",
        "created_at",
    ]

    def has_moderate_permission(self, request):
        return request.user.has_perm("appeals.moderate_appeal")

    def _moderate_media(self, request, queryset, decide, done_message):
        changed = 0
        for submission in queryset:
            try:
                changed += decide(submission=submission, moderator=request.user)
            except AppealError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return
        self.message_user(request, done_message(changed) % {"n": changed}, messages.SUCCESS)

    @admin.action(
        permissions=["moderate"],
        description=gettext_lazy("Show the media URL publicly (checked by a moderator)"),
    )
    def approve_media(self, request, queryset):
        self._moderate_media(
            request,
            queryset,
            open311_media_approve,
            lambda n: ngettext("%(n)d media URL approved.", "%(n)d media URLs approved.", n),
        )

    @admin.action(permissions=["moderate"], description=gettext_lazy("Remove the media URL"))
    def remove_media(self, request, queryset):
        self._moderate_media(
            request,
            queryset,
            open311_media_remove,
            lambda n: ngettext("%(n)d media URL removed.", "%(n)d media URLs removed.", n),
        )
