"""The editors' side: news items, topics and urgent alerts in the admin.

Every save goes through news.services: the admin never writes a news item
or changes an alert's status on its own. An alert's status is changed by
the status field (draft → published → resolved), applied after the
districts are saved so that the right residents are told.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from mycity.lib.admin import person_column

from .alert_workflow import next_statuses
from .forms import GeoJSONField
from .images import open_cover
from .models import Alert, AlertUpdate, DigestRun, NewsItem, Subscription, Topic
from .services import (
    NewsError,
    alert_publish,
    alert_resolve,
    alert_save,
    alert_update_add,
    newsitem_save,
    newsitem_set_status,
)


@admin.register(Topic)
class TopicAdmin(TranslationAdmin):
    list_display = ["name", "slug", "ordering"]
    search_fields = ["name_uk", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}


class NewsItemForm(forms.ModelForm):
    cover_file = forms.FileField(
        label=_("Cover image"),
        required=False,
        help_text=_("JPEG, PNG or WebP up to 10 MB; resized for phones and large screens."),
    )

    class Meta:
        model = NewsItem
        fields = [
            "title_uk", "title_en", "lead_uk", "lead_en", "body_uk", "body_en",
            "cover_alt_uk", "cover_alt_en", "topic", "districts", "status", "published_at",
            "pinned",
        ]  # fmt: skip

    def clean_cover_file(self):
        upload = self.cleaned_data.get("cover_file")
        if upload:
            open_cover(upload)  # the same checks the service makes, shown on the field
        return upload


@admin.register(NewsItem)
class NewsItemAdmin(TranslationAdmin):
    form = NewsItemForm
    list_display = ["title", "topic", "status", "published_at", "pinned", "is_live_now"]
    list_filter = ["status", "pinned", "topic", "districts"]
    search_fields = ["title_uk", "title_en", "lead_uk", "lead_en"]
    date_hierarchy = "published_at"
    list_select_related = ["topic"]
    filter_horizontal = ["districts"]
    readonly_fields = ["slug_uk", "slug_en", "cover_preview", "author", "created_at", "updated_at"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "lead", "body"]}),
        (
            _("Picture"),
            {"fields": ["cover_file", "cover_preview", "cover_alt"]},
        ),
        (
            _("Where and when"),
            {"fields": ["topic", "districts", "status", "published_at", "pinned"]},
        ),
        (_("Record"), {"fields": ["slug_uk", "slug_en", "author", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("live now"), boolean=True)
    def is_live_now(self, obj):
        return obj.is_live

    @admin.display(description=_("current cover"))
    def cover_preview(self, obj):
        if not obj.cover_sizes:
            return "—"
        return format_html('<img src="{}" alt="" width="240">', obj.cover_url(480))

    def save_model(self, request, obj, form, change):
        newsitem_save(
            item=obj, author=request.user, cover_upload=form.cleaned_data.get("cover_file")
        )

    def delete_model(self, request, obj):
        from .services import newsitem_delete

        newsitem_delete(item=obj)

    def delete_queryset(self, request, queryset):
        from .services import newsitem_delete

        for item in queryset:
            newsitem_delete(item=item)

    @admin.action(description=_("Publish the selected items"), permissions=["change"])
    def publish(self, request, queryset):
        for item in queryset:
            newsitem_set_status(item=item, status=NewsItem.Status.PUBLISHED)
        self.message_user(request, gettext("Published. Scheduled items appear at their time."))

    @admin.action(description=_("Take the selected items back to draft"), permissions=["change"])
    def unpublish(self, request, queryset):
        for item in queryset:
            newsitem_set_status(item=item, status=NewsItem.Status.DRAFT)
        self.message_user(request, gettext("Taken back to draft."))


class AlertUpdateInline(TranslationTabularInline):
    """Updates already given, read-only: new ones come from the fields above (they notify)."""

    model = AlertUpdate
    extra = 0
    fields = ["created_at", "text", "author"]
    readonly_fields = ["created_at", "text", "author"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AlertForm(forms.ModelForm):
    geometry = GeoJSONField(
        label=_("Map area or points"),
        required=False,
        help_text=_(
            "Draw on the map below or paste GeoJSON (longitude, latitude). "
            'A feature\'s "name" property is shown on the map, e.g. the address of a water truck.'
        ),
    )
    update_text_uk = forms.CharField(
        label=_("New update [uk]"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Appended to the alert and sent to residents who were told about it."),
    )
    update_text_en = forms.CharField(
        label=_("New update [en]"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Alert
        fields = [
            "kind", "severity", "title_uk", "title_en", "text_uk", "text_en", "whole_city",
            "districts", "geometry", "starts_at", "ends_at", "status",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        lat, lon = settings.MAP_CENTER
        self.fields["geometry"].widget.attrs.update(
            {
                "data-tiles": settings.MAP_TILE_URL,
                "data-attribution": settings.MAP_TILE_ATTRIBUTION,
                "data-lat": lat,
                "data-lon": lon,
                "data-label-area": _("Draw an area"),
                "data-label-finish": _("Finish the area"),
                "data-label-clear": _("Clear"),
                "data-label-bad": _("This is not GeoJSON that can be shown."),
                "data-label-point": _(
                    "Click the map to add a point; “Draw an area” for a polygon."
                ),
            }
        )

    def clean(self):
        data = super().clean()
        if not data.get("whole_city") and not data.get("districts"):
            self.add_error(
                "districts",
                _("Choose the affected districts, or mark the alert as for the whole city."),
            )
        uk, en = data.get("update_text_uk", "").strip(), data.get("update_text_en", "").strip()
        if bool(uk) != bool(en):
            self.add_error(
                "update_text_en" if uk else "update_text_uk",
                _("Write the update in Ukrainian and in English."),
            )
        if data.get("update_text_uk") and (
            self.instance.pk is None or self.instance.status == Alert.Status.RESOLVED
        ):
            self.add_error("update_text_uk", _("Updates can be added to a live alert only."))
        wanted = data.get("status")
        current = self.instance.status if self.instance.pk else Alert.Status.DRAFT
        if wanted and wanted != current and wanted not in next_statuses(current):
            self.add_error(
                "status",
                _("A %(from)s alert cannot become %(to)s.")
                % {
                    "from": Alert.Status(current).label,
                    "to": Alert.Status(wanted).label,
                },
            )
        return data


@admin.register(Alert)
class AlertAdmin(TranslationAdmin):
    form = AlertForm
    inlines = [AlertUpdateInline]
    list_display = ["title", "kind", "severity", "status", "starts_at", "ends_at", "live_now"]
    list_filter = ["status", "severity", "kind", "districts"]
    search_fields = ["title_uk", "title_en", "text_uk", "text_en"]
    filter_horizontal = ["districts"]
    date_hierarchy = "starts_at"
    readonly_fields = ["published_at", "resolved_at", "notified_at", "author", "created_at"]
    actions = ["resolve"]
    fieldsets = [
        (None, {"fields": ["kind", "severity", "title", "text"]}),
        (_("Where"), {"fields": ["whole_city", "districts", "geometry"]}),
        (_("When"), {"fields": ["starts_at", "ends_at", "status"]}),
        (_("Add an update"), {"fields": ["update_text_uk", "update_text_en"]}),
        (
            _("Record"),
            {"fields": ["published_at", "resolved_at", "notified_at", "author", "created_at"]},
        ),
    ]

    class Media:
        css = {"all": ["vendor/leaflet/leaflet.css", "css/admin-geojson.css"]}
        js = ["vendor/leaflet/leaflet.js", "js/admin-geojson.js"]

    @admin.display(description=_("on the banner now"), boolean=True)
    def live_now(self, obj):
        return obj.is_active()

    def save_model(self, request, obj, form, change):
        # The status change waits for save_related: the districts must be saved first.
        request._news_wanted_status = obj.status
        obj.status = (
            form.initial.get("status", Alert.Status.DRAFT) if change else Alert.Status.DRAFT
        )
        alert_save(alert=obj, author=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        alert = form.instance
        wanted = getattr(request, "_news_wanted_status", alert.status)
        try:
            if wanted == Alert.Status.PUBLISHED and alert.status == Alert.Status.DRAFT:
                alert = alert_publish(alert=alert, by=request.user)
                if alert.starts_at > timezone.now():
                    messages.info(
                        request, gettext("Published: it appears and is sent at its start time.")
                    )
                else:
                    messages.success(
                        request, gettext("Published: open pages show it within seconds.")
                    )
            uk, en = (
                form.cleaned_data.get("update_text_uk"),
                form.cleaned_data.get("update_text_en"),
            )
            if uk and en:
                alert_update_add(alert=alert, text_uk=uk, text_en=en, by=request.user)
            if wanted == Alert.Status.RESOLVED and alert.status == Alert.Status.PUBLISHED:
                alert_resolve(alert=alert, by=request.user)
            # The banner reads the districts too: refresh after they are saved.
            from . import live

            live.refresh_on_commit()
        except NewsError as exc:
            messages.error(request, str(exc))
        form.instance.refresh_from_db()

    @admin.action(description=_("Resolve the selected alerts"), permissions=["change"])
    def resolve(self, request, queryset):
        done = 0
        for alert in queryset.filter(status=Alert.Status.PUBLISHED):
            try:
                alert_resolve(alert=alert, by=request.user)
                done += 1
            except NewsError as exc:
                messages.error(request, str(exc))
        self.message_user(
            request,
            ngettext("%(n)d alert resolved.", "%(n)d alerts resolved.", done) % {"n": done},
        )


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = [person_column, "digest", "muted_kinds", "updated_at"]
    list_filter = ["digest"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(DigestRun)
class DigestRunAdmin(admin.ModelAdmin):
    list_display = ["day", "since", "until", "recipients"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
