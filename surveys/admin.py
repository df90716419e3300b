"""The survey builder, results, exports and announcing, for survey managers.

Surveys are built here: the survey with its questions inline, each
question's options on the question's page. Once people have answered, the
forms allow only wording changes and new optional questions
(services.building). Responses are read-only.
"""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import (
    TranslationAdmin,
    TranslationStackedInline,
    TranslationTabularInline,
)

from mycity.lib.admin import ReadOnlyAdminMixin, number_column

from . import admin_views
from .models import Answer, Choice, Question, Response, Survey
from .services import (
    SurveyError,
    choice_change_check,
    question_change_check,
    question_delete_check,
    survey_announce,
)


class LockedQuestionsFormSet(forms.BaseInlineFormSet):
    """Refuses changes that break answers already given (see services.building)."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            try:
                if form.cleaned_data.get("DELETE") and form.instance.pk:
                    question_delete_check(question=form.instance)
                elif form.has_changed():
                    question_change_check(question=form.instance, changed=form.changed_data)
            except SurveyError as error:
                raise ValidationError(str(error)) from None


class LockedChoicesFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data:
                continue
            deleting = bool(form.cleaned_data.get("DELETE"))
            if not deleting and not form.has_changed():
                continue
            if deleting and not form.instance.pk:
                continue
            try:
                choice_change_check(
                    choice=form.instance, deleting=deleting, changed=form.changed_data
                )
            except SurveyError as error:
                raise ValidationError(str(error)) from None


QUESTION_FIELDS = [
    ("page", "order", "kind", "required"),
    "text",
    "help_text",
    ("allow_other", "min_choices", "max_choices"),
    ("scale_max", "number_min", "number_max"),
    ("condition_question", "condition_choice", "condition_yes"),
]


class SameSurveyConditionMixin:
    """Condition pickers offer only this survey's questions and options."""

    def _survey_id(self, request):
        match = request.resolver_match
        return match.kwargs.get("object_id") if match else None

    def condition_querysets(self, db_field, survey_id, kwargs):
        if db_field.name == "condition_question":
            kwargs["queryset"] = Question.objects.filter(
                survey_id=survey_id, kind__in=["single", "multiple", "yes_no"]
            )
        elif db_field.name == "condition_choice":
            kwargs["queryset"] = Choice.objects.filter(
                question__survey_id=survey_id
            ).select_related("question")
        return kwargs


class QuestionInline(SameSurveyConditionMixin, TranslationStackedInline):
    model = Question
    formset = LockedQuestionsFormSet
    extra = 0
    show_change_link = True
    fields = QUESTION_FIELDS

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("condition_question", "condition_choice"):
            kwargs = self.condition_querysets(db_field, self._survey_id(request) or 0, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Survey)
class SurveyAdmin(TranslationAdmin):
    list_display = [
        "title",
        "is_published",
        "opens_at",
        "closes_at",
        "audience",
        "response_count",
        "announced_at",
        "results_link",
    ]
    list_filter = ["is_published", "audience", "results_visibility", "is_anonymous"]
    search_fields = ["title_uk", "title_en", "slug"]
    date_hierarchy = "opens_at"
    prepopulated_fields = {"slug": ("title_en",)}
    filter_horizontal = ["districts"]
    readonly_fields = ["announced_at", "created_by", "response_count", "results_link"]
    inlines = [QuestionInline]
    actions = ["announce"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "description", "cover", "cover_alt"]}),
        (_("When"), {"fields": [("opens_at", "closes_at"), "is_published"]}),
        (
            _("Who and how"),
            {"fields": ["audience", "districts", "is_anonymous", "results_visibility"]},
        ),
        (_("Status"), {"fields": ["announced_at", "response_count", "results_link"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_responses=Count("responses"))

    @admin.display(description=_("responses"), ordering="n_responses")
    def response_count(self, obj):
        return getattr(obj, "n_responses", None) if obj.pk else 0

    @admin.display(description=_("results"))
    def results_link(self, obj):
        if not obj.pk:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:surveys_survey_results", args=[obj.pk]),
            gettext("Results and exports"),
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.responses.exists():
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Announce to the survey's audience"), permissions=["announce"])
    def announce(self, request, queryset):
        done = 0
        for survey in queryset:
            try:
                survey_announce(survey=survey, actor=request.user)
            except SurveyError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext(
                    "%(count)d survey announced: its audience will be told shortly.",
                    "%(count)d surveys announced: their audience will be told shortly.",
                    done,
                )
                % {"count": done},
                messages.SUCCESS,
            )

    def has_announce_permission(self, request):
        return request.user.has_perm("surveys.announce_survey")

    def get_urls(self):
        site = self.admin_site
        return [
            path(
                "<int:pk>/results/",
                site.admin_view(partial(admin_views.results, model_admin=self)),
                name="surveys_survey_results",
            ),
            path(
                "<int:pk>/export.<str:fmt>",
                site.admin_view(partial(admin_views.export, model_admin=self)),
                name="surveys_survey_export",
            ),
            *super().get_urls(),
        ]


class ChoiceInline(TranslationTabularInline):
    model = Choice
    formset = LockedChoicesFormSet
    extra = 0
    fields = ["order", "label"]


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = [
            "survey",
            *(f for row in QUESTION_FIELDS for f in ((row,) if isinstance(row, str) else row)),
        ]

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.has_changed():
            try:
                question_change_check(question=self.instance, changed=self.changed_data)
            except SurveyError as error:
                raise ValidationError(str(error)) from None
        return data


@admin.register(Question)
class QuestionAdmin(SameSurveyConditionMixin, TranslationAdmin):
    form = QuestionForm
    list_display = ["text", "survey", "page", "order", "kind", "required"]
    list_filter = ["kind", "required"]
    list_select_related = ["survey"]
    search_fields = ["text_uk", "text_en", "survey__title_uk"]
    autocomplete_fields = ["survey"]
    inlines = [ChoiceInline]
    fields = ["survey", *QUESTION_FIELDS]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in ("condition_question", "condition_choice"):
            object_id = self._survey_id(request)
            survey_id = (
                Question.objects.filter(pk=object_id).values_list("survey_id", flat=True).first()
                if object_id
                else None
            )
            kwargs = self.condition_querysets(db_field, survey_id or 0, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.answers.exists():
            return False
        return super().has_delete_permission(request, obj)


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "choice", "number", "text"]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question", "choice")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [number_column, "survey", "district", "submitted_at", "respondent_shown"]
    list_filter = [("submitted_at", admin.DateFieldListFilter), "district", "survey"]
    list_select_related = ["survey", "district", "respondent"]
    search_fields = ["survey__title_uk", "survey__title_en"]
    date_hierarchy = "submitted_at"
    fields = ["survey", "district", "language", "submitted_at", "respondent_shown"]
    readonly_fields = fields
    inlines = [AnswerInline]

    @admin.display(description=_("respondent"))
    def respondent_shown(self, obj):
        # Who answered, without the name or contacts: those are for staff who
        # handle a person's case, not for reading a survey's answers.
        if obj.respondent is None:
            return "–"
        return f"{obj.respondent.public_name} (#{obj.respondent_id})"
