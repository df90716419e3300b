from modeltranslation.translator import TranslationOptions, register

from .models import Alert, AlertUpdate, NewsItem, Topic


@register(Topic)
class TopicTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = ("uk", "en")


@register(NewsItem)
class NewsItemTranslationOptions(TranslationOptions):
    fields = ("title", "slug", "lead", "body", "body_html", "cover_alt")
    required_languages = {"uk": ("title", "lead", "body"), "en": ("title", "lead", "body")}


@register(Alert)
class AlertTranslationOptions(TranslationOptions):
    fields = ("title", "text")
    required_languages = ("uk", "en")


@register(AlertUpdate)
class AlertUpdateTranslationOptions(TranslationOptions):
    fields = ("text",)
    required_languages = ("uk", "en")
