from modeltranslation.translator import TranslationOptions, register

from .models import HelpPoint


@register(HelpPoint)
class HelpPointTranslationOptions(TranslationOptions):
    fields = ("name", "address", "hours")
    required_languages = {"uk": ("name", "address"), "en": ("name", "address")}
