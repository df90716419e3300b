"""Staff declare, update, answer and resolve incidents in the admin.

A new incident is declared as soon as it is saved (residents are told at
once); a suggestion from clusters of reports waits for a moderator to
confirm or dismiss it. Every change goes through outages.services.incidents.
Department staff change only their departments' incidents (or those of no
department); editors and moderators change all.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from mycity.incident_workflow import CONFIRM, DISMISS, REOPEN, RESOLVE, WORKFLOW
from mycity.incidents import linked_appeals_count
from mycity.lib.admin import ReadOnlyAdminMixin
from mycity.lib.departments import departments_of
from mycity.models import Incident, IncidentEvent, IncidentUpdate

from .services.incidents import (
    IncidentError,
    area_polygon,
    incident_answer,
    incident_confirm,
    incident_dismiss,
    incident_reopen,
    incident_resolve,
    incident_save,
    incident_update_add,
)

ACTION_LABELS = {
    CONFIRM: _("Confirm: declare it and tell residents"),
    DISMISS: _("Dismiss: it is not an incident (say why)"),
    RESOLVE: _("Resolve: the service is restored"),
    REOPEN: _("Reopen: it came back (say why)"),
}


def _texts(data, prefix: str) -> tuple[str, str]:
    return (data.get(f"{prefix}_uk") or "").strip(), (data.get(f"{prefix}_en") or "").strip()


class IncidentForm(forms.ModelForm):
    action = forms.ChoiceField(label=_("Change the status"), required=False)
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=500,
        help_text=_("Needed to dismiss a suggestion or to reopen an incident."),
    )
    update_uk = forms.CharField(
        label=_("New update [uk]"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown on the incident's page and sent to the people told about it."),
    )
    update_en = forms.CharField(
        label=_("New update [en]"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    official_answer_uk = forms.CharField(
        label=_("Official answer [uk]"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Given once. It is recorded as the answer on every request linked to this "
            "incident and sent to each author, closing each request within its legal term."
        ),
    )
    official_answer_en = forms.CharField(
        label=_("Official answer [en]"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    class Meta:
        model = Incident
        fields = [
            "kind", "title_uk", "title_en", "description_uk", "description_en", "department",
            "whole_city", "districts", "area", "started_at", "expected_at",
        ]  # fmt: skip
        widgets = {
            "area": forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField geojson-input"})
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance.status if self.instance.pk else None
        actions = WORKFLOW.actions_from(current, "staff", list(ACTION_LABELS)) if current else []
        self.fields["action"].choices = [("", "—")] + [(a, ACTION_LABELS[a]) for a in actions]
        if not actions:
            self.fields["action"].widget = forms.HiddenInput()
        if self.instance.answered_at:
            for name in ("official_answer_uk", "official_answer_en"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("The official answer was given.")
        lat, lon = settings.MAP_CENTER
        self.fields["area"].widget.attrs.update(
            {
                "data-tiles": settings.MAP_TILE_URL,
                "data-attribution": settings.MAP_TILE_ATTRIBUTION,
                "data-lat": lat,
                "data-lon": lon,
                "data-label-area": _("Draw an area"),
                "data-label-finish": _("Finish the area"),
                "data-label-clear": _("Clear"),
                "data-label-bad": _("This is not GeoJSON that can be shown."),
                "data-label-point": _("“Draw an area” to outline the affected streets."),
            }
        )

    def clean_area(self):
        try:
            return area_polygon(self.cleaned_data.get("area"))
        except ValidationError as exc:
            raise ValidationError(exc.messages) from exc

    def clean(self):
        data = super().clean()
        if not data.get("whole_city") and not data.get("districts") and not data.get("area"):
            self.add_error(
                "districts",
                _("Choose the affected districts, draw the area, or mark it as the whole city."),
            )
        for prefix in ("update", "official_answer"):
            uk, en = _texts(data, prefix)
            if bool(uk) != bool(en):
                self.add_error(
                    f"{prefix}_en" if uk else f"{prefix}_uk",
                    _("Write it in Ukrainian and in English."),
                )
        action = data.get("action")
        if action and WORKFLOW.needs_reason(action) and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why."))
        if any(_texts(data, "update")) and action == RESOLVE:
            self.add_error("update_uk", _("Resolving adds its own closing line: leave this empty."))
        if any(_texts(data, "official_answer")) and self.instance.status not in (
            Incident.Status.ACTIVE,
            Incident.Status.RESOLVED,
        ):
            self.add_error(
                "official_answer_uk", _("Only a declared incident can be given an answer.")
            )
        return data


class IncidentUpdateInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = IncidentUpdate
    fields = ["created_at", "text_uk", "text_en", "author"]
    readonly_fields = fields
    extra = 0


class IncidentEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = IncidentEvent
    fields = ["created_at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("status history")


@admin.register(Incident)
class IncidentAdmin(TranslationAdmin):
    form = IncidentForm
    inlines = [IncidentUpdateInline, IncidentEventInline]
    list_display = ["title", "kind", "status", "started_at", "expected_at", "department"]
    list_filter = ["status", "kind", "districts", "department"]
    search_fields = ["title_uk", "title_en", "description_uk", "description_en"]
    filter_horizontal = ["districts"]
    date_hierarchy = "started_at"
    readonly_fields = [
        "status", "linked_reports", "answer_uk", "answer_en", "answered_at", "answered_by",
        "answer_delivered_at",
        "resolved_at", "notified_at", "created_by", "created_at",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["kind", "title", "description", "department", "status"]}),
        (_("Where"), {"fields": ["whole_city", "districts", "area"]}),
        (_("When"), {"fields": ["started_at", "expected_at", "resolved_at"]}),
        (_("Act"), {"fields": ["action", "reason", "update_uk", "update_en"]}),
        (
            _("Official answer"),
            {
                "fields": [
                    "linked_reports",
                    "answer_uk",
                    "answer_en",
                    "answered_at",
                    "answered_by",
                    "answer_delivered_at",
                    "official_answer_uk",
                    "official_answer_en",
                ]
            },
        ),
        (_("Record"), {"fields": ["notified_at", "created_by", "created_at"]}),
    ]

    class Media:
        css = {"all": ["vendor/leaflet/leaflet.css", "css/admin-geojson.css"]}
        js = ["vendor/leaflet/leaflet.js", "js/admin-geojson.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # declaring: only what it is, where and when
            first, where, (when, _options) = fieldsets[:3]
            return [first, where, (when, {"fields": ["started_at", "expected_at"]})]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None:
            return [f for f in fields if f in ("status",)]
        return fields

    @admin.display(description=_("linked requests"))
    def linked_reports(self, obj):
        return linked_appeals_count(obj) if obj.pk else 0

    def _scoped(self, request, obj) -> bool:
        """Department staff change only their departments' incidents (or undepartmented ones)."""
        user = request.user
        if obj is None or obj.department_id is None or user.is_superuser:
            return True
        if user.has_perm("news.change_alert") or user.has_perm("appeals.moderate_appeal"):
            return True  # editors and moderators act for the whole city
        return departments_of(user).filter(pk=obj.department_id).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._scoped(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # an incident's record stays; a wrong one is dismissed or resolved

    def save_model(self, request, obj, form, change):
        try:
            incident_save(incident=obj, by=request.user, districts=form.cleaned_data["districts"])
        except IncidentError as exc:
            messages.error(request, str(exc))
            raise

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # the same districts; no inline rows
        incident = form.instance
        data = form.cleaned_data
        action = data.get("action")
        answer_uk, answer_en = _texts(data, "official_answer")
        update_uk, update_en = _texts(data, "update")
        try:
            if update_uk:
                incident_update_add(
                    incident=incident, text_uk=update_uk, text_en=update_en, by=request.user
                )
            if action == RESOLVE:
                incident_resolve(
                    incident=incident, by=request.user, answer_uk=answer_uk, answer_en=answer_en
                )
                messages.success(request, gettext("Resolved: the people told about it hear so."))
            else:
                if action == CONFIRM:
                    incident_confirm(incident=incident, by=request.user)
                    messages.success(request, gettext("Declared: residents are being told."))
                elif action == DISMISS:
                    incident_dismiss(incident=incident, by=request.user, reason=data["reason"])
                elif action == REOPEN:
                    incident_reopen(incident=incident, by=request.user, reason=data["reason"])
                if answer_uk:
                    incident_answer(
                        incident=incident, answer_uk=answer_uk, answer_en=answer_en, by=request.user
                    )
                    messages.success(
                        request,
                        gettext(
                            "The answer is being recorded on every linked request and sent "
                            "to their authors."
                        ),
                    )
        except IncidentError as exc:
            messages.error(request, str(exc))
        incident.refresh_from_db()


# The register of points of help: its own module, registered with the admin on import.
from . import admin_points  # noqa: E402, F401
