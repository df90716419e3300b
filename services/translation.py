from modeltranslation.translator import TranslationOptions, register

from .models import CentreException, FormField, Service, ServiceCategory, ServiceCentre


@register(ServiceCategory)
class ServiceCategoryTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("uk", "en")


@register(ServiceCentre)
class ServiceCentreTranslationOptions(TranslationOptions):
    fields = ("name", "address", "notes")
    required_languages = {"uk": ("name", "address"), "en": ("name", "address")}


@register(CentreException)
class CentreExceptionTranslationOptions(TranslationOptions):
    fields = ("note",)


@register(Service)
class ServiceTranslationOptions(TranslationOptions):
    fields = (
        "name",
        "summary",
        "who_may_apply",
        "documents",
        "fee_note",
        "legal_basis",
    )
    required_languages = {
        "uk": ("name", "summary", "who_may_apply"),
        "en": ("name", "summary", "who_may_apply"),
    }


@register(FormField)
class FormFieldTranslationOptions(TranslationOptions):
    fields = ("label", "help_text", "choices", "pattern_message")
    required_languages = {"uk": ("label",), "en": ("label",)}
