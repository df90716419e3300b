from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from citizens.notifications.events import EMAIL, TELEGRAM, WEBPUSH, EventType

POINTS = [
    "outages.{}_helppoint",
    "outages.{}_pointstatuschange",
    "outages.{}_pointreport",
]


class OutagesConfig(AppConfig):
    name = "outages"
    verbose_name = _("Outages and points of help")
    # Anonymous visitors' copies of these pages are kept (mycity/pagecache.py);
    # a point's change bumps the app's version. The operator screen never.
    cached_pages = ["/points/", "!/points/operate/"]
    # Who changed what, and residents' reports, are never on a public page.
    private_models = ["PointStatusChange", "PointReport"]

    notification_events = [
        EventType(
            key="outages.point_reported",
            label=_("Residents' reports on points of help (operators and moderators)"),
            title=_("%(point)s: %(problem)s"),
            text=_("A resident reports about “%(point)s”: %(problem)s. %(comment)s"),
            priority=True,
            default_channels=frozenset({EMAIL, WEBPUSH, TELEGRAM}),
            staff_permissions=frozenset(
                {"outages.operate_helppoint", "outages.handle_pointreport"}
            ),
        ),
    ]

    role_permissions = {
        "point_operator": [
            "outages.view_helppoint",
            "outages.operate_helppoint",
            "outages.view_pointstatuschange",
            "outages.view_pointreport",
        ],
        "moderator": [
            "outages.view_helppoint",
            "outages.view_pointreport",
            "outages.handle_pointreport",
        ],
        "city_admin": [
            *[p.format(verb) for p in POINTS for verb in ("view",)],
            "outages.add_helppoint",
            "outages.change_helppoint",
            "outages.delete_helppoint",
        ],
    }

    def ready(self):
        from . import cache

        cache.connect()
