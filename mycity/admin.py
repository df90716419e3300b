from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from citizens import services as citizens_services

from .models import Department, District, Page, boundary_geometry
from .pages import FOOTER_PAGES, page_save


class DistrictForm(forms.ModelForm):
    boundary = forms.JSONField(
        label=_("boundary"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "vLargeTextField"}),
        help_text=_("A GeoJSON Polygon or MultiPolygon in longitude/latitude (WGS 84)."),
    )

    class Meta:
        model = District
        fields = ["name_uk", "name_en", "slug", "boundary", "ordering"]

    def clean_boundary(self):
        boundary = self.cleaned_data["boundary"]
        boundary_geometry(boundary)
        return boundary


@admin.register(District)
class DistrictAdmin(TranslationAdmin):
    form = DistrictForm
    list_display = ["name", "slug", "ordering", "resident_count"]
    search_fields = ["name_uk", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_residents=Count("residents"))

    @admin.display(description=_("residents"), ordering="_residents")
    def resident_count(self, obj):
        return obj._residents


@admin.register(Department)
class DepartmentAdmin(TranslationAdmin):
    list_display = ["name", "head", "email", "phone", "member_count", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name_uk", "name_en", "slug", "email"]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["head"]
    filter_horizontal = ["members", "deputies"]
    list_select_related = ["head"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_members=Count("members"))

    def get_readonly_fields(self, request, obj=None):
        # Deputy heads may extend appeals' terms: only a superuser appoints them.
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly.append("deputies")
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in ("members", "deputies"):
            # A department's people are staff accounts: the picker never lists residents.
            kwargs["queryset"] = db_field.related_model.objects.filter(is_staff=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "head":
            kwargs["queryset"] = db_field.related_model.objects.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        base = super().get_form(request, obj, **kwargs)
        actor = request.user

        class DepartmentStaffForm(base):
            def clean(self):
                cleaned = super().clean()
                staff = {f: cleaned[f] for f in ("members", "head", "deputies") if f in cleaned}
                refusal = citizens_services.department_staff_refusal(
                    department=self.instance, by=actor, **staff
                )
                if refusal:
                    raise forms.ValidationError(refusal)
                return cleaned

        return DepartmentStaffForm

    # Staff membership goes through citizens.services.department_set_staff, which
    # records every person added or removed and every change of head.
    def save_model(self, request, obj, form, change):
        if "head" in form.cleaned_data:
            form._new_head = form.cleaned_data["head"]
            obj.head = Department.objects.get(pk=obj.pk).head if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        staff = {}
        for field in ("members", "deputies"):
            if field in form.cleaned_data:
                staff[field] = list(form.cleaned_data.pop(field))
        if hasattr(form, "_new_head"):
            staff["head"] = form._new_head
        super().save_related(request, form, formsets, change)
        citizens_services.department_set_staff(department=form.instance, by=request.user, **staff)

    @admin.display(description=_("staff members"), ordering="_members")
    def member_count(self, obj):
        return obj._members


@admin.register(Page)
class PageAdmin(TranslationAdmin):
    """The footer's pages, written by editors and city administrators in both languages."""

    list_display = ["title", "slug", "updated_at", "updated_by"]
    search_fields = ["title_uk", "title_en", "slug"]
    list_select_related = ["updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        # The footer links these addresses: renaming one would break every page's footer.
        if obj is not None and obj.slug in FOOTER_PAGES:
            readonly.append("slug")
        return readonly

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.slug in FOOTER_PAGES:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        page_save(page=obj, by=request.user)
