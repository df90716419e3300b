from modeltranslation.translator import TranslationOptions, register

from .models import Category, CategoryGroup, CategoryQuestion, QuestionChoice


@register(CategoryGroup)
class CategoryGroupTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("uk", "en")


@register(Category)
class CategoryTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"uk": ("name",), "en": ("name",)}


@register(CategoryQuestion)
class CategoryQuestionTranslationOptions(TranslationOptions):
    fields = ("label", "help_text")
    required_languages = {"uk": ("label",), "en": ("label",)}


@register(QuestionChoice)
class QuestionChoiceTranslationOptions(TranslationOptions):
    fields = ("label",)
    required_languages = ("uk", "en")
