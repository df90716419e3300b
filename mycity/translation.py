from modeltranslation.translator import TranslationOptions, register

from .models import Department, District, Incident, IncidentUpdate, Page


@register(District)
class DistrictTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("uk", "en")


@register(Department)
class DepartmentTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("uk", "en")


@register(Page)
class PageTranslationOptions(TranslationOptions):
    fields = ("title", "body")
    required_languages = ("uk", "en")


@register(Incident)
class IncidentTranslationOptions(TranslationOptions):
    fields = ("title", "description", "answer")
    required_languages = {"uk": ("title",), "en": ("title",)}


@register(IncidentUpdate)
class IncidentUpdateTranslationOptions(TranslationOptions):
    fields = ("text",)
    required_languages = ("uk", "en")
