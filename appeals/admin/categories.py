"""Admin of the categories of appeals, their groups and extra questions."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from ..models import (
    Category,
    CategoryGroup,
    CategoryQuestion,
)


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
    list_filter = ["group", "department", "incident_kind", "sensitive", "is_active"]
    search_fields = ["name_uk", "name_en", "slug"]
    list_select_related = ["group", "department"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [CategoryQuestionInline]
