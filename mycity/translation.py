from modeltranslation.translator import TranslationOptions, register

from .models import Department, District


@register(District)
class DistrictTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("uk", "en")


@register(Department)
class DepartmentTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("uk", "en")
