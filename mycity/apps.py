from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MyCityConfig(AppConfig):
    name = "mycity"
    verbose_name = _("City")

    def ready(self):
        from . import pagecache

        pagecache.connect_models()
