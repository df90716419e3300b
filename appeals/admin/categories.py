"""Admin of the categories of appeals, their groups and extra questions."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from mycity.lib.slugs import unique_slug

from ..choice_keys import KEY_LENGTH
from ..models import (
    Category,
    CategoryGroup,
    CategoryQuestion,
    QuestionChoice,
)


@admin.register(CategoryGroup)
class CategoryGroupAdmin(TranslationAdmin):
    list_display = ["name", "ordering"]
    search_fields = ["name_uk", "name_en"]


class CategoryQuestionInline(TranslationTabularInline):
    model = CategoryQuestion
    extra = 0
    fields = ["ordering", "code", "label", "type", "required", "help_text"]
    # The choices of a single or multiple choice question are on its own page.
    show_change_link = True


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


class QuestionChoiceForm(forms.ModelForm):
    """A choice's key is made from its Ukrainian label when left empty, and is
    fixed once saved: apps keep it, and answers already filed hold it."""

    class Meta:
        model = QuestionChoice
        fields = ["ordering", "key", "label"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["key"].disabled = True
            self.fields["key"].help_text = _("Fixed: apps and stored answers use it.")

    def clean(self):
        data = super().clean()
        if not data.get("key") and not self.instance.pk:
            label = data.get("label_uk") or data.get("label_en") or data.get("label") or ""
            taken = set()
            if self.instance.question_id:
                taken = set(
                    QuestionChoice.objects.filter(
                        question_id=self.instance.question_id
                    ).values_list("key", flat=True)
                )
            data["key"] = unique_slug(label, taken, KEY_LENGTH)
        return data


class QuestionChoiceInline(TranslationTabularInline):
    model = QuestionChoice
    form = QuestionChoiceForm
    extra = 1
    fields = ["ordering", "key", "label"]


@admin.register(CategoryQuestion)
class CategoryQuestionAdmin(TranslationAdmin):
    list_display = ["label", "code", "category", "type", "required"]
    list_filter = ["type", "category"]
    search_fields = ["label_uk", "label_en", "code", "category__name_uk", "category__name_en"]
    list_select_related = ["category"]
    fields = ["category", "ordering", "code", "label", "type", "required", "help_text"]
    inlines = [QuestionChoiceInline]
