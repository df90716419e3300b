from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MyCityConfig(AppConfig):
    name = "mycity"
    verbose_name = _("City")

    # The footer's pages (mycity.pages): editors and city administrators keep them.
    role_permissions = {
        "editor": ["mycity.view_page", "mycity.change_page"],
        "city_admin": ["mycity.view_page", "mycity.add_page", "mycity.change_page"],
    }
    # Anonymous visitors' copies of the footer's pages are kept (mycity/pagecache.py).
    cached_pages = ["/pages/"]
    # Shown on no public page: following an incident, its status history.
    private_models = ["IncidentFollower", "IncidentEvent"]

    def ready(self):
        from . import pagecache

        pagecache.connect_models()
