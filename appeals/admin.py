"""Admin for categories (city administrators). The staff-side issue builds the
moderation queue and department views of appeals on top of AppealAdmin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import (
    Appeal,
    AppealEvent,
    AppealMessage,
    AppealPhoto,
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
    list_filter = ["group", "department", "sensitive", "is_active"]
    search_fields = ["name_uk", "name_en", "slug"]
    list_select_related = ["group", "department"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [CategoryQuestionInline]


class AppealPhotoInline(admin.TabularInline):
    model = AppealPhoto
    extra = 0
    fields = ["image", "is_public", "created_at"]
    readonly_fields = ["image", "created_at"]


class AppealEventInline(admin.TabularInline):
    model = AppealEvent
    extra = 0
    fields = ["created_at", "action", "from_status", "to_status", "actor", "reason", "is_public"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AppealMessageInline(admin.StackedInline):
    model = AppealMessage
    extra = 0
    fields = ["type", "author", "text", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "title",
        "kind",
        "category",
        "status",
        "department",
        "district",
        "deadline",
        "registered_at",
    ]
    list_filter = ["status", "kind", "department", "district", "is_public"]
    search_fields = ["reference", "title", "author__email"]
    list_select_related = ["category", "department", "district"]
    date_hierarchy = "registered_at"
    readonly_fields = [
        "reference",
        "kind",
        "author",
        "status",
        "registered_at",
        "deadline",
        "answered_at",
        "closed_at",
        "support_count",
        "threshold_reached_at",
    ]
    fields = [
        "reference",
        "kind",
        "category",
        "department",
        "author",
        "title",
        "description",
        "is_public",
        "status",
        "district",
        "latitude",
        "longitude",
        "address",
        "registered_at",
        "deadline",
        "answered_at",
        "closed_at",
        "support_count",
        "threshold_reached_at",
    ]
    inlines = [AppealPhotoInline, AppealMessageInline, AppealEventInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.has_perm("appeals.moderate_appeal"):
            return queryset
        return queryset.filter(department__members=request.user).distinct()

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return obj.is_overdue
