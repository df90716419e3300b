"""Admin of the register: points (city administrators), their history, residents' reports.

An operator sees only the points they are assigned to, read-only: their
status changes go through the operator screen (/points/operate/) or the
API, which call outages.services. The status, the generator and the
confirmation are never edited through a form here.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from citizens.access import has_staff_powers
from citizens.roles import ROLES
from mycity.lib.admin import ReadOnlyAdminMixin
from mycity.models import District

from .models import OFFERS, HelpPoint, PointReport, PointStatusChange
from .services import PointError, may_handle_reports, point_save, report_handle


def _sees_every_point(user) -> bool:
    return has_staff_powers(user) and (
        user.is_superuser or user.has_perm("outages.change_helppoint") or may_handle_reports(user)
    )


class HelpPointForm(forms.ModelForm):
    class Meta:
        model = HelpPoint
        # The live status and the district are read-only here (services set them).
        fields = [
            "kind",
            "name",
            "address",
            "hours",
            "around_the_clock",
            "is_published",
            "latitude",
            "longitude",
            *(field for field, _label, _icon in OFFERS),
            "operators",
        ]

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (
            lat is not None
            and lon is not None
            and District.objects.locate(lat=lat, lon=lon) is None
        ):
            self.add_error(
                "latitude", _("This place is outside the city. Put the pin inside the city.")
            )
        return data


class StatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PointStatusChange
    fields = ["created_at", "action", "from_status", "to_status", "generator_after", "actor"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    ordering = ["-created_at", "-pk"]
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(HelpPoint)
class HelpPointAdmin(TranslationAdmin):
    form = HelpPointForm
    list_display = [
        "name",
        "kind",
        "district",
        "status",
        "generator_on",
        "confirmed_at",
        "is_published",
    ]
    list_filter = ["kind", "status", "is_published", "district"]
    search_fields = ["name_uk", "name_en", "address_uk", "address_en"]
    list_select_related = ["district"]
    filter_horizontal = ["operators"]
    readonly_fields = [
        "district",
        "map_link",
        "status",
        "generator_on",
        "confirmed_at",
        "confirmed_by",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["kind", "name", "address", "hours", "around_the_clock", "is_published"]},
        ),
        (_("Place"), {"fields": [("latitude", "longitude"), "district", "map_link"]}),
        (
            _("What it offers"),
            {
                "fields": [
                    "offers_power",
                    "offers_charging",
                    "offers_internet",
                    "offers_water",
                    "offers_heat",
                    "offers_first_aid",
                    "offers_accessible",
                ]
            },
        ),
        (_("Operators"), {"fields": ["operators"]}),
        (
            _("Live status"),
            {"fields": ["status", "generator_on", "confirmed_at", "confirmed_by", "updated_at"]},
        ),
    ]
    inlines = [StatusChangeInline]

    def get_queryset(self, request):
        points = super().get_queryset(request)
        if _sees_every_point(request.user):
            return points
        return points.operated_by(request.user)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "operators":
            kwargs["queryset"] = (
                get_user_model()
                .objects.filter(is_staff=True, groups__name=ROLES["point_operator"])
                .order_by("email")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("on the map"))
    def map_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<div class="admin-appeal-map" data-lat="{0}" data-lon="{1}" data-tiles="{5}" '
            'data-attribution="{6}"></div>'
            '<a href="https://www.openstreetmap.org/?mlat={0}&amp;mlon={1}#map=17/{0}/{1}" '
            'rel="noopener" target="_blank">{2}</a> · <a href="{3}">{4}</a>',
            f"{obj.latitude:.6f}",
            f"{obj.longitude:.6f}",
            _("OpenStreetMap"),
            obj.get_absolute_url(),
            _("the public page"),
            settings.MAP_TILE_URL,
            settings.MAP_TILE_ATTRIBUTION,
        )

    def save_model(self, request, obj, form, change):
        try:
            point_save(point=obj)
        except PointError as exc:  # the form checked the place; a race moved a district
            messages.error(request, str(exc))
            raise


@admin.register(PointReport)
class PointReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["point", "problem", "comment", "created_at", "handled_at"]
    list_filter = [("handled_at", admin.EmptyFieldListFilter), "problem"]
    search_fields = ["point__name_uk", "point__name_en", "comment"]
    list_select_related = ["point"]
    fields = ["point", "problem", "comment", "created_at", "handled_at", "handled_by"]
    readonly_fields = fields
    actions = ["mark_handled"]

    def get_queryset(self, request):
        reports = super().get_queryset(request)
        if _sees_every_point(request.user):
            return reports
        return reports.filter(point__operators=request.user)

    def has_change_permission(self, request, obj=None):
        # Only for the action below: the form itself is read-only.
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not has_staff_powers(request.user):
            actions.pop("mark_handled", None)
        return actions

    @admin.action(description=_("Mark the chosen reports handled"))
    def mark_handled(self, request, queryset):
        done = 0
        for report in queryset.select_related("point"):
            try:
                report_handle(report=report, by=request.user)
            except (PermissionDenied, Http404):  # a report on a point not theirs
                continue
            done += 1
        messages.success(
            request,
            ngettext("%(n)d report marked handled.", "%(n)d reports marked handled.", done)
            % {"n": done},
        )
